package policy_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/placement-advisor/advise/bench/corpus"
	"github.com/placement-advisor/advise/policy"
)

// orgPolicy is the worked organisation's policy the benchmarks load.
var orgPolicy = policy.Options{Paths: []string{"../examples/org-policy"}}

// BenchmarkOrgPolicyCost is the goal "an organisation's rules run at the
// built-in rules' speed", side by side: each iteration answers one body in
// full with the built-in rules (a) and with the example organisation's
// policy loaded beside them (b), in alternating order; b/a is the ratio of
// their total times.
func BenchmarkOrgPolicyCost(b *testing.B) {
	builtin, cases := benchCases(b)
	org, err := policy.Load(context.Background(), orgPolicy)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			corpus.RunPair(b, len(c.reqs),
				func(i int) error { _, err := builtin.Advise(ctx, &c.reqs[i], policy.English); return err },
				func(i int) error { _, err := org.Advise(ctx, &c.reqs[i], policy.English); return err })
		})
	}
}

// BenchmarkLoad is what a reload compiles: the built-in rules alone and with
// the example organisation's policy read from its directory, from a
// collected heap with the collector running (a reload happens while the
// service serves). held-MB is the heap one loaded engine keeps live.
func BenchmarkLoad(b *testing.B) {
	for name, opts := range map[string]policy.Options{"builtin": {}, "org-policy": orgPolicy} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if held, err = policy.Load(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(heldMB(func() { held = nil }), "held-MB")
		})
	}
}

// held is the engine BenchmarkLoad measures the heap of.
var held *policy.Engine

// heldMB is how much the live heap shrinks, in MB, once release has dropped
// the last reference to what is measured.
func heldMB(release func()) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	release()
	runtime.GC()
	debug.FreeOSMemory()
	runtime.ReadMemStats(&after)
	return float64(int64(before.HeapAlloc)-int64(after.HeapAlloc)) / (1 << 20)
}
