// Package corpus holds the request bodies the benchmarks and the load harness
// share: the example workloads of the repository and a generated mix, so no
// measurement rests on one body a cache could answer. It also times
// benchmark iterations one by one to report a median next to Go's mean.
package corpus

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/placement-advisor/advise/internal/workloadgen"
)

// GeneratedSeed and GeneratedCount fix the generated mix; bench/loadgen uses
// the same seed, so in-process and HTTP figures rest on the same workloads.
const (
	GeneratedSeed  = 42
	GeneratedCount = 256
)

// Body is one request body with a name for reports.
type Body struct {
	Name string
	JSON []byte
}

// Set is a named collection of bodies, one benchmark case.
type Set struct {
	Name   string
	Bodies []Body
}

// Sets returns the example workloads and the generated mix.
func Sets() ([]Set, error) {
	ex, err := Examples()
	if err != nil {
		return nil, err
	}
	gen, err := Generated(GeneratedCount)
	if err != nil {
		return nil, err
	}
	return []Set{{Name: "examples", Bodies: ex}, {Name: "generated", Bodies: gen}}, nil
}

// Root is the repository root, found from this file's location so the
// benchmarks of every package read the same examples.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Examples reads examples/*.json in name order.
func Examples() ([]Body, error) {
	files, err := filepath.Glob(filepath.Join(Root(), "examples", "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("read examples: none found (%v)", err)
	}
	slices.Sort(files)
	out := make([]Body, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read examples: %w", err)
		}
		out = append(out, Body{Name: filepath.Base(f), JSON: b})
	}
	return out, nil
}

// Generated returns n valid generated workloads as JSON.
func Generated(n int) ([]Body, error) {
	gen := workloadgen.New(GeneratedSeed)
	out := make([]Body, 0, n)
	for i := range n {
		b, err := json.Marshal(gen.Request())
		if err != nil {
			return nil, fmt.Errorf("generate workload %d: %w", i, err)
		}
		out = append(out, Body{Name: fmt.Sprintf("generated-%d", i), JSON: b})
	}
	return out, nil
}

// Run calls op b.N times, cycling i over [0, n), timing each call on its own,
// and reports the median as "median-ns/op" beside Go's mean ns/op: the issue's
// goals are medians, and a few slow calls (a GC pause) move the mean.
func Run(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	samples := make([]time.Duration, 0, min(b.N, 1<<20))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i % n); err != nil {
			b.Fatal(err)
		}
		if len(samples) < cap(samples) {
			samples = append(samples, time.Since(t0))
		}
	}
	b.StopTimer()
	if len(samples) > 0 {
		slices.Sort(samples)
		b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "median-ns/op")
	}
}

// RunPair times two operations on the same body in each iteration, in
// alternating order so neither always runs on the other's warm caches, and
// reports the median of each (median-a-ns, median-b-ns) and the ratio of
// their total times (b/a): a side-by-side comparison that the machine's
// drift between two separate benchmarks cannot skew.
func RunPair(b *testing.B, n int, a, bOp func(i int) error) {
	b.Helper()
	var (
		samples [2][]time.Duration
		totals  [2]time.Duration
		ops     = [2]func(int) error{a, bOp}
	)
	for k := range samples {
		samples[k] = make([]time.Duration, 0, min(b.N, 1<<20))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range 2 {
			k := (i + j) % 2
			t0 := time.Now()
			if err := ops[k](i % n); err != nil {
				b.Fatal(err)
			}
			d := time.Since(t0)
			totals[k] += d
			if len(samples[k]) < cap(samples[k]) {
				samples[k] = append(samples[k], d)
			}
		}
	}
	b.StopTimer()
	for k, name := range [2]string{"median-a-ns", "median-b-ns"} {
		if s := samples[k]; len(s) > 0 {
			slices.Sort(s)
			b.ReportMetric(float64(s[len(s)/2].Nanoseconds()), name)
		}
	}
	if totals[0] > 0 {
		b.ReportMetric(float64(totals[1])/float64(totals[0]), "b/a")
	}
}
