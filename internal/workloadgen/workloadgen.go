// Package workloadgen generates valid workload requests for property tests,
// fuzz seeds and benchmarks: every field is sometimes left out and sometimes
// set, every enum value and flag appears, and the cross-field rules of
// contract v1 are respected so each request passes validation. It reads the
// fields from the contract's registry (api.Fields), so a new field is
// generated without a change here.
package workloadgen

import (
	"math/rand/v2"

	"github.com/placement-advisor/advise/api"
)

// New returns a generator with a fixed seed, so a failing case can be replayed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Generator produces requests; it is not safe for concurrent use.
type Generator struct {
	rng *rand.Rand
}

// Requests returns n valid requests.
func (g *Generator) Requests(n int) []api.Request {
	out := make([]api.Request, n)
	for i := range out {
		out[i] = g.Request()
	}
	return out
}

// Name is the name a generated request carries when it has one.
const Name = "generated workload"

// Request returns one valid request: each field drawn by its kind, then the
// fields that break a cross-field rule left out until none does.
func (g *Generator) Request() api.Request {
	var r api.Request
	for i, f := range api.Fields() {
		v, ok := g.value(&f)
		if !ok {
			continue
		}
		s, err := api.NewSetting(i, v)
		if err != nil {
			panic("workloadgen: " + err.Error())
		}
		s.Apply(&r)
	}
	for {
		broken := api.Contradictions(&r)
		if len(broken) == 0 {
			return r
		}
		i, _ := api.FieldIndex(broken[0].Field)
		unset, _ := api.NewSetting(i, nil)
		unset.Apply(&r)
	}
}

// value draws one field: required fields are always set; a flag is left out a
// third of the time and true a sixth (rare flags such as custom_kernel would
// otherwise dominate every answer), an enum left out a third of the time,
// a number or a text half the time.
func (g *Generator) value(f *api.Field) (any, bool) {
	switch f.Kind {
	case api.KindBool:
		if f.Required {
			return g.rng.IntN(2) == 0, true
		}
		switch g.rng.IntN(6) {
		case 0, 1:
			return nil, false
		case 2:
			return true, true
		}
		return false, true
	case api.KindEnum:
		if !f.Required && g.rng.IntN(3) == 0 {
			return nil, false
		}
		return f.Values[g.rng.IntN(len(f.Values))], true
	case api.KindText:
		if !f.Required && g.rng.IntN(2) == 0 {
			return nil, false
		}
		return Name, true
	}
	if len(f.Examples) == 0 || (!f.Required && g.rng.IntN(2) == 0) {
		return nil, false
	}
	return f.Examples[g.rng.IntN(len(f.Examples))], true
}
