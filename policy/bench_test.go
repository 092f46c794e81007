package policy_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/bench/corpus"
	"github.com/placement-advisor/advise/policy"
)

// The benchmarks measure the engine over the example workloads and a
// generated mix (bench/corpus): AdviseOnly is one evaluation of the rules,
// Advise adds what_if and ask_next, and InProcess is the whole path of a
// request without HTTP (decode, validate, advise, encode); New is compiling
// the rules, start-up's share in the engine. BENCHMARKS.md
// holds the figures; nothing here asserts a timing.

type benchCase struct {
	name   string
	bodies [][]byte
	reqs   []api.Request
}

func benchCases(b testing.TB) (*policy.Engine, []benchCase) {
	b.Helper()
	e, err := policy.New(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	sets, err := corpus.Sets()
	if err != nil {
		b.Fatal(err)
	}
	val := api.NewValidator()
	var cases []benchCase
	for _, set := range sets {
		c := benchCase{name: set.Name}
		for _, body := range set.Bodies {
			req, err := val.Parse(body.JSON)
			if err != nil {
				b.Fatalf("%s: %v", body.Name, err)
			}
			c.bodies = append(c.bodies, body.JSON)
			c.reqs = append(c.reqs, req)
		}
		cases = append(cases, c)
	}
	return e, cases
}

// adviser is Engine.AdviseOnly or Engine.Advise.
type adviser func(context.Context, *api.Request, policy.Lang) (api.Answer, error)

// benchAdvise times (*Engine).AdviseOnly or (*Engine).Advise over each
// set's validated requests.
func benchAdvise(b *testing.B, advise func(*policy.Engine, context.Context, *api.Request, policy.Lang) (api.Answer, error)) {
	e, cases := benchCases(b)
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			corpus.Run(b, len(c.reqs), func(i int) error {
				_, err := advise(e, ctx, &c.reqs[i], policy.English)
				return err
			})
		})
	}
}

// BenchmarkAdviseOnly is one evaluation of the rules: the answer without
// what_if and ask_next.
func BenchmarkAdviseOnly(b *testing.B) {
	benchAdvise(b, (*policy.Engine).AdviseOnly)
}

// BenchmarkAdvise is the full answer, with what_if and ask_next.
func BenchmarkAdvise(b *testing.B) {
	benchAdvise(b, (*policy.Engine).Advise)
}

// inProcess is what POST /advise does with a body without HTTP: decode and
// validate it, advise, and encode the answer as the server writes it, into
// a buffer kept from call to call.
type inProcess struct {
	val *api.Validator
	buf []byte
}

func (p *inProcess) answer(advise adviser, body []byte) error {
	req, err := p.val.Parse(body)
	if err != nil {
		return err
	}
	ans, err := advise(context.Background(), &req, policy.English)
	if err != nil {
		return err
	}
	p.buf, err = ans.AppendJSON(p.buf[:0])
	return err
}

// BenchmarkInProcess is the whole in-process path of a request (inProcess);
// "only" leaves out what_if and ask_next, "explained" is the answer the
// service gives.
func BenchmarkInProcess(b *testing.B) {
	e, cases := benchCases(b)
	kinds := map[string]adviser{"only": e.AdviseOnly, "explained": e.Advise}
	for _, kind := range []string{"only", "explained"} {
		for _, c := range cases {
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				p := inProcess{val: api.NewValidator()}
				corpus.Run(b, len(c.bodies), func(i int) error { return p.answer(kinds[kind], c.bodies[i]) })
			})
		}
	}
}

// BenchmarkWhatIfCost is the goal "an answer with what-if and ask-next at
// most 2x the cost of one without", side by side: each iteration takes one
// body through the whole in-process path (inProcess) without the
// explanations (a) and with them (b), in alternating order. b/a is the
// ratio of their total times.
func BenchmarkWhatIfCost(b *testing.B) {
	e, cases := benchCases(b)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := inProcess{val: api.NewValidator()}
			corpus.RunPair(b, len(c.bodies),
				func(i int) error { return p.answer(e.AdviseOnly, c.bodies[i]) },
				func(i int) error { return p.answer(e.Advise, c.bodies[i]) })
		})
	}
}

// BenchmarkFirstAnswers is a cold engine's first pass over each set: the
// rules evaluated for every factor key, decision and variation the engine has
// not met yet, what a freshly started service pays for a workload unlike any
// it has answered. Each iteration starts from a new engine (not timed) and
// answers every body of the set once; the figure is per body.
func BenchmarkFirstAnswers(b *testing.B) {
	_, cases := benchCases(b)
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var total time.Duration
			for b.Loop() {
				b.StopTimer()
				e, err := policy.New(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				t0 := time.Now()
				for i := range c.reqs {
					if _, err := e.Advise(ctx, &c.reqs[i], policy.English); err != nil {
						b.Fatal(err)
					}
				}
				total += time.Since(t0)
			}
			b.ReportMetric(float64(total.Nanoseconds())/float64(b.N*len(c.reqs)), "ns/body")
		})
	}
}

// BenchmarkNew is start-up's share in the engine: reading, parsing and
// compiling the embedded rules and preparing the factor queries. Each start
// begins from a collected heap, with the collector paused while it runs, as
// "advise serve" does (cmd/advise/gc.go).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		gcPercent := debug.SetGCPercent(-1)
		b.StartTimer()
		if _, err := policy.New(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		debug.SetGCPercent(gcPercent)
		b.StartTimer()
	}
}
