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
// goals are medians, and a few slow calls (a GC pause) move the mean. Every
// body is answered once before the timing starts: the figures are a warm
// engine's, as a service that has seen the mix pays them (the engine
// remembers what its rules gave; BenchmarkFirstAnswers times the first
// pass).
func Run(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	warm(b, n, op)
	times := newTimes(b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i % n); err != nil {
			b.Fatal(err)
		}
		times.add(time.Since(t0))
	}
	b.StopTimer()
	times.reportMedian(b, "median-ns/op")
}

// RunPair times two operations on the same body in each iteration, in
// alternating order so neither always runs on the other's warm caches (each
// has answered every body once before the timing starts, as in Run), and
// reports the median of each (median-a-ns, median-b-ns) and the ratio of
// their total times (b/a): a side-by-side comparison that the machine's
// drift between two separate benchmarks cannot skew.
func RunPair(b *testing.B, n int, a, bOp func(i int) error) {
	b.Helper()
	warm(b, n, a)
	warm(b, n, bOp)
	var (
		timed = [2]*times{newTimes(b.N), newTimes(b.N)}
		ops   = [2]func(int) error{a, bOp}
	)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range 2 {
			k := (i + j) % 2
			t0 := time.Now()
			if err := ops[k](i % n); err != nil {
				b.Fatal(err)
			}
			timed[k].add(time.Since(t0))
		}
	}
	b.StopTimer()
	timed[0].reportMedian(b, "median-a-ns")
	timed[1].reportMedian(b, "median-b-ns")
	if timed[0].total > 0 {
		b.ReportMetric(float64(timed[1].total)/float64(timed[0].total), "b/a")
	}
}

// warm calls op once for each body.
func warm(b *testing.B, n int, op func(i int) error) {
	b.Helper()
	for i := range n {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
}

// times are the durations of one operation's calls: the first million, for
// the median, and the total of all.
type times struct {
	samples []time.Duration
	total   time.Duration
}

func newTimes(n int) *times {
	return &times{samples: make([]time.Duration, 0, min(n, 1<<20))}
}

func (t *times) add(d time.Duration) {
	t.total += d
	if len(t.samples) < cap(t.samples) {
		t.samples = append(t.samples, d)
	}
}

// reportMedian reports the median call as the metric unit.
func (t *times) reportMedian(b *testing.B, unit string) {
	if len(t.samples) > 0 {
		slices.Sort(t.samples)
		b.ReportMetric(float64(t.samples[len(t.samples)/2].Nanoseconds()), unit)
	}
}
