package policy

import (
	"fmt"

	"github.com/placement-advisor/advise/api"
)

// A what-if variation changes one or two fields of a request. Every change
// it may try is made once, here, from the contract's registry (api.Fields):
// the other value of each flag, every value of each enum and the values a
// number's vary tag lists, for the fields whose whatif tag says choice or
// fact. Each holds its value ready to set (api.Setting), so trying a change
// allocates nothing, and it is applied to the workload the request resolved
// to instead of resolving the changed request again: defaults are constants,
// so the two agree (TestCandidatesApplyAsTheCallerWould holds them to it).

// candidate is one change what-if may try: a value for the field (an index
// into api.Fields).
type candidate struct {
	api.Change
	field int
	seq   int // the candidate's place among all of them (candidateCount)
	// choice is set for a change an architect can make, unset for a fact
	// about the workload.
	choice  bool
	setting api.Setting
}

// apply sets the candidate's field in a request and in the workload that
// request resolves to.
func (c *candidate) apply(r *api.Request, w *api.Workload) {
	c.setting.Apply(r)
	c.setting.ApplyTo(w)
}

// candidates are every candidate, by field; a field what-if leaves alone
// has none.
var candidates = makeCandidates()

// candidateCount is how many candidates there are; each has its own seq.
var candidateCount = func() int {
	n := 0
	for _, list := range candidates {
		n += len(list)
	}
	return n
}()

func makeCandidates() [][]*candidate {
	out := make([][]*candidate, len(api.Fields()))
	seq := 0
	for i, f := range api.Fields() {
		if f.WhatIf == "" {
			continue
		}
		var values []any
		switch f.Kind {
		case api.KindBool:
			values = []any{false, true}
		case api.KindEnum:
			for _, v := range f.Values {
				values = append(values, v)
			}
		case api.KindInteger, api.KindNumber:
			values = f.Vary
		}
		for _, v := range values {
			s, err := api.NewSetting(i, v)
			if err != nil {
				panic(fmt.Sprintf("policy: what-if value of %s: %v", f.Name, err))
			}
			out[i] = append(out[i], &candidate{
				Change:  api.Change{Field: f.Name, Value: v},
				field:   i,
				seq:     seq,
				choice:  f.WhatIf == api.Choice,
				setting: s,
			})
			seq++
		}
	}
	return out
}

// candidateChanges appends to out the one-field changes to a workload: every
// candidate whose value differs from the workload's.
func candidateChanges(out []*candidate, w *api.Workload) []*candidate {
	for i, list := range candidates {
		current := w.Get(i).Any(api.Fields()[i].Kind)
		for _, c := range list {
			if c.Value != current {
				out = append(out, c)
			}
		}
	}
	return out
}
