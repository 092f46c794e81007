package policy

import (
	"context"
	"strconv"

	"github.com/placement-advisor/advise/api"
)

// Variant is a change what-if tries for a request, with the request and the
// workload the engine's fast path makes of it.
type Variant struct {
	Change   api.Change
	Choice   bool
	Request  api.Request
	Workload api.Workload
}

// Variants lists the changes what-if tries for the request, each applied the
// way vary applies it.
func Variants(req api.Request) []Variant {
	w, _ := req.Resolve()
	var out []Variant
	for _, c := range candidateChanges(nil, &w) {
		v := Variant{Change: c.Change, Choice: c.choice, Request: req, Workload: w}
		c.apply(&v.Request, &v.Workload)
		out = append(out, v)
	}
	return out
}

// Verdict is what the engine decides for a request by the path what-if
// takes (the verdict and the confidence, not the whole result), with the
// rules that fired.
type Verdict struct {
	Recommendation, HybridPattern string
	Confidence                    float64
	Fired                         []string
}

// VerdictOf evaluates the request as a what-if variation is evaluated, with
// the confidence when withConfidence is set.
func (e *Engine) VerdictOf(ctx context.Context, req *api.Request, withConfidence bool) (Verdict, error) {
	w := req.Workload()
	found := make([]*findings, len(e.factors))
	if _, err := e.find(ctx, &w, nil, nil, found, nil); err != nil {
		return Verdict{}, err
	}
	var fired ruleBits
	var ids []string
	for _, f := range found {
		fired.add(&f.bits)
		ids = append(ids, f.ids[docNeeds]...)
		ids = append(ids, f.ids[docPreferences]...)
	}
	v, err := e.verdictOf(ctx, found, fired, &w, nil, withConfidence)
	if err != nil {
		return Verdict{}, err
	}
	return Verdict{Recommendation: v.Recommendation, HybridPattern: v.HybridPattern, Confidence: v.Confidence, Fired: ids}, nil
}

// Degree is how far the placement serves the capability.
func (e *Engine) Degree(placement, capability string) float64 {
	return e.degrees[placement][capability]
}

// Evaluations is how many Rego evaluations the engine has made.
func (e *Engine) Evaluations() int64 { return e.evaluations.Load() }

// TableSizes reports how many keys each factor package's table holds.
func (e *Engine) TableSizes() map[string]int {
	out := map[string]int{}
	for _, p := range e.factors {
		out[p.path.String()] = p.found.size()
	}
	return out
}

// NameKeys returns the table key a query reading only the workload's name
// would give each of the names, in order: "P" and the packed key, or "V" and
// the variable form once the name's codes run out.
func NameKeys(names []string) []string {
	i, _ := api.FieldIndex("name")
	k := keyFields{fields: []fieldKey{{name: "name", index: i, kind: api.KindText, texts: &textCodes{}}}}
	k.packs = placeCodes(k.fields)
	out := make([]string, len(names))
	for j, name := range names {
		w := api.Workload{Name: &name}
		if p := k.pack(&w); p.ok {
			out[j] = "P" + strconv.FormatUint(p.key, 16)
			continue
		}
		out[j] = "V" + string(k.key(nil, &w))
	}
	return out
}

// DecisionFields names the contract fields the decision's own rules read.
func (e *Engine) DecisionFields() []string {
	var out []string
	for _, f := range e.decision.keys.fields {
		out = append(out, f.name)
	}
	return out
}
