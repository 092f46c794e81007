package reload_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/bench/corpus"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/reload"
)

// BenchmarkReload is one reload that swaps in a new policy: the example-sized
// organisation's rule rewritten with another weight, read, compiled,
// prepared and swapped in, while the first engine, warm from answering the
// corpus, is still held (as an engine is while requests it started finish).
// live-MB is the live heap after the swap with both engines held, and
// one-MB with the warm engine alone: their difference is what holding two
// policies costs. BENCHMARKS.md holds the figures.
func BenchmarkReload(b *testing.B) {
	sets, err := corpus.Sets()
	if err != nil {
		b.Fatal(err)
	}
	var reqs []api.Request
	val := api.NewValidator()
	for _, set := range sets {
		for _, body := range set.Bodies {
			req, err := val.Parse(body.JSON)
			if err != nil {
				b.Fatal(err)
			}
			reqs = append(reqs, req)
		}
	}
	dir := b.TempDir()
	writeRuleB(b, dir, goodRule(1))
	opts := policy.Options{Paths: []string{dir}}
	first, err := policy.Load(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	warm := func(e *policy.Engine) {
		for i := range reqs {
			if _, err := e.Advise(ctx, &reqs[i], policy.English); err != nil {
				b.Fatal(err)
			}
		}
	}
	warm(first)
	oneMB := liveMB()
	h := reload.New(reload.Config{Policy: opts}, first)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		writeRuleB(b, dir, goodRule(n+1))
		b.StartTimer()
		if err := h.Reload(ctx, reload.TriggerSIGHUP); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(liveMB(), "live-MB")
	b.ReportMetric(oneMB, "one-MB")
	runtime.KeepAlive(first) // the warm engine, held as by a request it serves
}

func writeRuleB(b *testing.B, dir, rule string) {
	b.Helper()
	if err := writeFile(dir, rule); err != nil {
		b.Fatal(err)
	}
}

func liveMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}
