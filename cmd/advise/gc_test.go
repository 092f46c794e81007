package main

import (
	"runtime/debug"
	"testing"

	"github.com/placement-advisor/advise/policy"
)

// TestEngineLoadsWithCollectionPausedUntilResumed: the engine comes back with
// the collector still paused and memory bounded meanwhile; resume restores
// both settings exactly, and a second resume changes nothing.
func TestEngineLoadsWithCollectionPausedUntilResumed(t *testing.T) {
	const percent, limit = 150, 1 << 40
	defer debug.SetGCPercent(debug.SetGCPercent(percent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(limit))

	engine, resume, err := newEnginePaused(t.Context(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if engine == nil {
		t.Fatal("no engine")
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Errorf("GOGC %d after loading, want the collector still paused (-1)", got)
	}
	if got := debug.SetMemoryLimit(-1); got >= limit || got <= 0 {
		t.Errorf("memory limit %d while paused, want a bound below %d", got, int64(limit))
	}
	for range 2 {
		resume()
		if got := debug.SetGCPercent(percent); got != percent {
			t.Errorf("GOGC %d after resume, want %d", got, percent)
		}
		if got := debug.SetMemoryLimit(-1); got != limit {
			t.Errorf("memory limit %d after resume, want %d", got, int64(limit))
		}
	}
}
