package policy_test

import (
	"context"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/bench/corpus"
	"github.com/placement-advisor/advise/policy"
)

// The benchmarks measure the engine over the example workloads and a
// generated mix (bench/corpus): AdviseOnly is one evaluation of the rules,
// Advise adds what_if and ask_next, and InProcess is the whole path of a
// request without HTTP (decode, validate, advise, encode). BENCHMARKS.md
// holds the figures; nothing here asserts a timing.

type benchCase struct {
	name   string
	bodies [][]byte
	reqs   []api.Request
}

func benchCases(b *testing.B) (*policy.Engine, []benchCase) {
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

// BenchmarkAdviseOnly is one evaluation of the rules: the answer without
// what_if and ask_next.
func BenchmarkAdviseOnly(b *testing.B) {
	e, cases := benchCases(b)
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			corpus.Run(b, len(c.reqs), func(i int) error {
				_, err := e.AdviseOnly(ctx, &c.reqs[i], policy.English)
				return err
			})
		})
	}
}

// BenchmarkAdvise is the full answer, with what_if and ask_next.
func BenchmarkAdvise(b *testing.B) {
	e, cases := benchCases(b)
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			corpus.Run(b, len(c.reqs), func(i int) error {
				_, err := e.Advise(ctx, &c.reqs[i], policy.English)
				return err
			})
		})
	}
}

// BenchmarkInProcess is what POST /advise does without HTTP: decode and
// validate the body, advise, and encode the answer as JSON; "only" leaves out
// what_if and ask_next, "explained" is the answer the service gives.
func BenchmarkInProcess(b *testing.B) {
	e, cases := benchCases(b)
	val := api.NewValidator()
	ctx := context.Background()
	kinds := map[string]func(context.Context, *api.Request, policy.Lang) (api.Answer, error){
		"only":      e.AdviseOnly,
		"explained": e.Advise,
	}
	for _, kind := range []string{"only", "explained"} {
		advise := kinds[kind]
		for _, c := range cases {
			b.Run(kind+"/"+c.name, func(b *testing.B) {
				var buf []byte
				corpus.Run(b, len(c.bodies), func(i int) error {
					req, err := val.Parse(c.bodies[i])
					if err != nil {
						return err
					}
					ans, err := advise(ctx, &req, policy.English)
					if err != nil {
						return err
					}
					// As the server writes it.
					buf, err = ans.AppendJSON(buf[:0])
					return err
				})
			})
		}
	}
}

// BenchmarkWhatIfCost is the goal "an answer with what-if and ask-next at
// most 2x the cost of one without", side by side: each iteration takes one
// body through the whole in-process path (decode, validate, advise, encode)
// without the explanations (a) and with them (b), in alternating order.
// b/a is the ratio of their total times.
func BenchmarkWhatIfCost(b *testing.B) {
	e, cases := benchCases(b)
	val := api.NewValidator()
	ctx := context.Background()
	var buf []byte
	path := func(advise func(context.Context, *api.Request, policy.Lang) (api.Answer, error), body []byte) error {
		req, err := val.Parse(body)
		if err != nil {
			return err
		}
		ans, err := advise(ctx, &req, policy.English)
		if err != nil {
			return err
		}
		buf, err = ans.AppendJSON(buf[:0])
		return err
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			corpus.RunPair(b, len(c.bodies),
				func(i int) error { return path(e.AdviseOnly, c.bodies[i]) },
				func(i int) error { return path(e.Advise, c.bodies[i]) })
		})
	}
}
