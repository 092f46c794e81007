package policy

import "github.com/placement-advisor/advise/api"

// CombinationDigest is the digest of the combination files' text in sources,
// to compare with combinationDigest when re-pinning the Go form.
func CombinationDigest(sources map[string][]byte) string { return combinationText(sources) }

// PinnedCombinationDigest is the digest the Go form was written from.
const PinnedCombinationDigest = combinationDigest

// TableSizes reports how many keys each factor package's table holds.
func (e *Engine) TableSizes() map[string]int {
	out := map[string]int{}
	for _, p := range e.factors {
		p.mu.RLock()
		out[p.path.String()] = len(p.table)
		p.mu.RUnlock()
	}
	return out
}

// NameKeys returns the table key a package reading only the workload's name
// would give each of the names, in order.
func NameKeys(names []string) []string {
	p := &factorPackage{fields: []fieldKey{{name: "name", get: workloadFields[fieldIndex["name"]].get, texts: &textCodes{}}}}
	out := make([]string, len(names))
	for i, name := range names {
		w := api.Workload{Name: name}
		out[i] = string(p.key(nil, &w))
	}
	return out
}
