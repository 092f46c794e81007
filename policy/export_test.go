package policy

import (
	"context"
	"slices"
	"strconv"

	"github.com/placement-advisor/advise/api"
)

// CombinationDigest is the digest of the combination files' text in sources,
// to compare with combinationDigest when re-pinning the Go form.
func CombinationDigest(sources map[string][]byte) string { return combinationText(sources) }

// PinnedCombinationDigest is the digest the Go form was written from.
const PinnedCombinationDigest = combinationDigest

// TableSizes reports how many keys each factor package's table holds.
func (e *Engine) TableSizes() map[string]int {
	out := map[string]int{}
	for _, p := range e.factors {
		out[p.path.String()] = p.packed.Len() + p.table.Len()
	}
	return out
}

// NameKeys returns the table key a package reading only the workload's name
// would give each of the names, in order: "P" and the packed key, or "V" and
// the variable form once the name's codes run out.
func NameKeys(names []string) []string {
	p := &factorPackage{fields: []fieldKey{{name: "name", index: inName, texts: &textCodes{}}}}
	p.packs = placeCodes(p.fields)
	out := make([]string, len(names))
	for i, name := range names {
		w := api.Workload{Name: name}
		if k := p.pack(&w); k.ok {
			out[i] = "P" + strconv.FormatUint(k.key, 16)
			continue
		}
		out[i] = "V" + string(p.key(nil, &w))
	}
	return out
}

// Variant is a change what-if tries for a request, with the request and the
// workload the engine's fast path makes of it.
type Variant struct {
	Change   api.Change
	Request  api.Request
	Workload api.Workload
}

// Variants lists the changes what-if tries for the request, each applied the
// way vary applies it.
func Variants(req api.Request) []Variant {
	w, _ := req.Resolve()
	var out []Variant
	for _, c := range candidateChanges(nil, &w) {
		v := Variant{Change: c.Change, Request: req, Workload: w}
		c.apply(&v.Request, &v.Workload)
		out = append(out, v)
	}
	return out
}

// DecideReads names the workload fields decideReads lists.
func DecideReads() []string {
	var out []string
	for i, name := range workloadFields {
		if decideReads&(1<<i) != 0 {
			out = append(out, name)
		}
	}
	return out
}

// FieldsDecideReads names the fields whose change alone, with what the
// factor packages found for the request kept as it is, changes decide's
// verdict: what decide reads of the workload itself.
func (e *Engine) FieldsDecideReads(req api.Request) ([]string, error) {
	ans, base, err := e.adviseOnly(context.Background(), &req, English, false)
	if err != nil {
		return nil, err
	}
	t := base.found.total()
	var out []string
	for _, c := range candidateChanges(nil, &ans.Input) {
		w := ans.Input
		c.apply(&api.Request{}, &w)
		d, err := e.combiner.decide(&t, &w)
		if err != nil {
			return nil, err
		}
		if d.verdict != base.verdict && !slices.Contains(out, c.Field) {
			out = append(out, c.Field)
		}
	}
	return out, nil
}
