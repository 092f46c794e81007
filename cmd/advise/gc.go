package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"sync"

	"github.com/placement-advisor/advise/policy"
)

// pausedHeadroom is how far the Go runtime's memory may grow while the
// collector is paused before a collection runs anyway.
const pausedHeadroom = 16 << 20

// newEnginePaused compiles the embedded rules with the garbage collector
// paused, and leaves it paused until resume is called (resume may be called
// more than once; it also runs when loading fails).
//
// Why: compiling allocates about 4 MB of small objects that mostly stay live.
// The collection the default GOGC starts half-way through costs about a fifth
// of start-up on one core, and if collection resumed right after compiling,
// the first request would pay for marking all of it instead (about 2.5 ms of
// a 4.7 ms first answer, on cold tables, in one process). "advise serve"
// resumes collection once it has answered its first request. Meanwhile a
// soft memory limit pausedHeadroom above what the runtime holds bounds what
// the first requests (a large batch, say) can allocate uncollected.
func newEnginePaused(ctx context.Context, opts policy.Options) (*policy.Engine, func(), error) {
	gcPercent := debug.SetGCPercent(-1)
	engine, err := policy.Load(ctx, opts)
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(sample)
	limit := debug.SetMemoryLimit(-1)
	held := int64(sample[0].Value.Uint64() - sample[1].Value.Uint64())
	debug.SetMemoryLimit(min(limit, held+pausedHeadroom))
	resume := sync.OnceFunc(func() {
		debug.SetMemoryLimit(limit)
		debug.SetGCPercent(gcPercent)
	})
	if err != nil {
		resume()
		return nil, resume, err
	}
	return engine, resume, nil
}
