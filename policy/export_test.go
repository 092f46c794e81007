package policy

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
