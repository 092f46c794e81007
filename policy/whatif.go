package policy

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
)

// What-if and ask-next ask the same prepared rules again about variations of
// the request; nothing here knows what a rule does.

// Limits on the explanation search.
const (
	// maxChoices and maxWhatIf bound what_if: at most maxChoices changes an
	// architect can make, then facts about the workload up to maxWhatIf.
	maxChoices = 3
	maxWhatIf  = 5
	// pairPool is how many single choices that left the answer least sure
	// of itself are combined in pairs when no single choice changes it.
	pairPool = 8
	// maxAskNext bounds ask_next.
	maxAskNext = 5
)

// variation is one or two candidate changes and the verdict the rules give
// after them.
type variation struct {
	tried   [2]*candidate // the second is nil for a single change
	verdict verdict
}

func (v *variation) size() int {
	if v.tried[1] == nil {
		return 1
	}
	return 2
}

// choice reports whether every change of the variation is a choice.
func (v *variation) choice() bool {
	for _, c := range v.tried[:v.size()] {
		if !c.choice {
			return false
		}
	}
	return true
}

// changes are the variation's changes as the answer lists them.
func (v *variation) changes() []api.Change {
	out := make([]api.Change, 0, 2)
	for _, c := range v.tried[:v.size()] {
		out = append(out, c.Change)
	}
	return out
}

// explain fills what_if and ask_next by evaluating variations of the request
// with the same prepared rules, and returns how many unanswered inputs would
// change the recommendation (ask_next before it is cut to maxAskNext).
func (e *Engine) explain(ctx context.Context, req *api.Request, ans *api.Answer, lang Lang, found *baseline) (int, error) {
	base := found.decision.verdict()
	w := &ans.Input
	// The candidates, the single variations and the flips among them are
	// scratch space kept for the next answer: what the answer keeps of them
	// (a what-if's changes) is copied out. Each variation is built in one
	// variant on the stack.
	s := explainScratches.Get().(*explainScratch)
	defer s.release()
	s.candidates = candidateChanges(s.candidates[:0], w)
	var scratch variant
	for _, c := range s.candidates {
		v, ok, err := e.vary(ctx, found, req, w, &scratch, [2]*candidate{c}, false)
		if err != nil {
			return 0, err
		}
		if ok {
			s.singles = append(s.singles, v)
		}
	}
	// The flips are listed in order of their confidence, which only they
	// need worked out.
	for i := range s.singles {
		if s.singles[i].verdict.Recommendation != base.Recommendation {
			v, _, err := e.vary(ctx, found, req, w, &scratch, s.singles[i].tried, true)
			if err != nil {
				return 0, err
			}
			s.singles[i] = v
			s.flips = append(s.flips, v)
		}
	}
	choices := s.choices[:0]
	for _, v := range s.flips {
		if v.choice() {
			choices = append(choices, v)
		}
	}
	if len(choices) == 0 {
		pairs, err := e.pairFlips(ctx, found, req, w, &scratch, base, s.singles)
		if err != nil {
			return 0, err
		}
		choices = pairs
	}
	s.choices = choices
	ans.WhatIf = e.pickWhatIf(choices, s.flips, lang)
	var decisive int
	ans.AskNext, decisive = askNext(req, w, s.flips, lang)
	return decisive, nil
}

// explainScratch is the memory explain reuses from one answer to the next.
type explainScratch struct {
	candidates []*candidate
	singles    []variation
	flips      []variation
	choices    []variation
}

// variant is a variation's request and the workload it resolves to, built
// in place for one variation after another.
type variant struct {
	request  api.Request
	workload api.Workload
	// unchecked takes the request side of changes that need no
	// contradiction check; nothing reads it.
	unchecked api.Request
	found     []*findings
}

// crossFields has bit i set for each field (an index into api.Fields) a
// rule relating two fields reads (api.CrossFields).
var crossFields = func() uint64 {
	var m uint64
	for _, name := range api.CrossFields() {
		i, ok := api.FieldIndex(name)
		if !ok {
			panic("policy: " + name + " is not a contract field")
		}
		m |= 1 << i
	}
	return m
}()

var explainScratches = sync.Pool{New: func() any { return new(explainScratch) }}

// release forgets the answer's values and returns s to the pool.
func (s *explainScratch) release() {
	clear(s.candidates)
	clear(s.singles)
	clear(s.flips)
	clear(s.choices)
	s.candidates, s.singles, s.flips, s.choices = s.candidates[:0], s.singles[:0], s.flips[:0], s.choices[:0]
	explainScratches.Put(s)
}

// vary applies the tried changes to the request, drops the variation if the
// result is not a valid request (a change must be one a caller could really
// send), and evaluates it. It applies the changes to from, the workload the
// request resolved to, rather than resolving the changed request again. v is
// scratch space the caller reuses for every variation.
func (e *Engine) vary(ctx context.Context, base *baseline, req *api.Request, from *api.Workload, v *variant, tried [2]*candidate, withConfidence bool) (variation, bool, error) {
	n := 0
	var changed uint64
	for _, c := range tried {
		if c != nil {
			changed |= 1 << c.field
			n++
		}
	}
	// The request was valid and every candidate value is one its field
	// allows (TestCandidatesApplyAsTheCallerWould), so only a rule relating
	// two fields can make the variation invalid, and only when the changes
	// touch a field such a rule reads: only then is the changed request
	// built and checked.
	w := &v.workload
	*w = *from
	if changed&crossFields != 0 {
		v.request = *req
		for _, c := range tried[:n] {
			c.apply(&v.request, w)
		}
		if len(api.Contradictions(&v.request)) > 0 {
			return variation{}, false, nil
		}
	} else {
		for _, c := range tried[:n] {
			c.apply(&v.unchecked, w)
		}
	}
	if err := ctx.Err(); err != nil {
		return variation{}, false, fmt.Errorf("evaluate variation: %w", err)
	}
	if cap(v.found) < len(e.factors) {
		v.found = make([]*findings, len(e.factors))
	}
	f := v.found[:len(e.factors)]
	same, err := e.find(ctx, w, base, tried[:n], f, nil)
	if err != nil {
		return variation{}, false, fmt.Errorf("variation: %w", err)
	}
	if same && changed&e.decision.keys.mask == 0 && !e.decision.keys.allInput {
		// Deciding the same findings for the same decision fields gives the
		// request's own verdict.
		return variation{tried: tried, verdict: base.decision.verdict()}, true, nil
	}
	var fired ruleBits
	for _, pf := range f {
		fired.add(&pf.bits)
	}
	var fields *uint64
	if changed&e.decision.keys.mask == 0 && base.decisionFields.ok {
		fields = &base.decisionFields.key
	}
	v2, err := e.verdictOf(ctx, f, fired, w, fields, withConfidence)
	clear(f)
	if err != nil {
		return variation{}, false, fmt.Errorf("variation: %w", err)
	}
	return variation{tried: tried, verdict: v2}, true, nil
}

// pairFlips combines, two at a time, the single choices that left the answer
// least sure of itself, and keeps the pairs that change the recommendation.
func (e *Engine) pairFlips(ctx context.Context, found *baseline, req *api.Request, from *api.Workload, scratch *variant, base verdict, singles []variation) ([]variation, error) {
	// The pairPool choices of lowest confidence, ties in the order tried:
	// what a stable sort by confidence would put first.
	var (
		least [pairPool]*variation
		n     int
	)
	for i := range singles {
		v := &singles[i]
		if !v.choice() {
			continue
		}
		if v.verdict.Confidence < 0 {
			withConfidence, _, err := e.vary(ctx, found, req, from, scratch, v.tried, true)
			if err != nil {
				return nil, err
			}
			*v = withConfidence
		}
		j := n
		for j > 0 && least[j-1].verdict.Confidence > v.verdict.Confidence {
			j--
		}
		if j == pairPool {
			continue
		}
		n = min(n+1, pairPool)
		copy(least[j+1:n], least[j:n-1])
		least[j] = v
	}
	pool := least[:n]
	var flips []variation
	for i := range pool {
		for j := i + 1; j < len(pool); j++ {
			a, b := pool[i].tried[0], pool[j].tried[0]
			if a.field == b.field {
				continue
			}
			v, ok, err := e.vary(ctx, found, req, from, scratch, [2]*candidate{a, b}, false)
			if err != nil {
				return nil, err
			}
			if ok && v.verdict.Recommendation != base.Recommendation {
				if v, _, err = e.vary(ctx, found, req, from, scratch, v.tried, true); err != nil {
					return nil, err
				}
				flips = append(flips, v)
			}
		}
	}
	return flips, nil
}

// pickWhatIf lists up to maxChoices of the choices that change the
// recommendation, one per resulting recommendation first so the reviewer sees
// every way the answer can go, then the most decisive; then, up to maxWhatIf,
// the single facts that would change it, marked as facts.
func (e *Engine) pickWhatIf(choices, flips []variation, lang Lang) []api.WhatIf {
	out := make([]api.WhatIf, 0, maxWhatIf)
	for _, v := range pick(choices, maxChoices) {
		out = append(out, e.whatIf(v, api.Choice, lang))
	}
	var facts []variation
	for _, v := range flips {
		if !v.choice() {
			facts = append(facts, v)
		}
	}
	for _, v := range pick(facts, maxWhatIf-len(out)) {
		out = append(out, e.whatIf(v, api.Fact, lang))
	}
	return out
}

// pick keeps up to n variations: the smallest first, and among the same
// size one per resulting recommendation before the most decisive.
func pick(vs []variation, n int) []*variation {
	slices.SortStableFunc(vs, func(a, b variation) int {
		if d := a.size() - b.size(); d != 0 {
			return d
		}
		return cmpFloat(b.verdict.Confidence, a.verdict.Confidence)
	})
	picked := make([]*variation, 0, n)
	for i := range vs {
		v := &vs[i]
		if len(picked) < n && !slices.ContainsFunc(picked, func(p *variation) bool { return p.verdict.Recommendation == v.verdict.Recommendation }) {
			picked = append(picked, v)
		}
	}
	for i := range vs {
		if len(picked) >= n {
			break
		}
		// The candidates are made once, so the same changes are the same
		// pointers.
		v := &vs[i]
		if !slices.ContainsFunc(picked, func(p *variation) bool { return p.tried == v.tried }) {
			picked = append(picked, v)
		}
	}
	slices.SortStableFunc(picked, func(a, b *variation) int { return a.size() - b.size() })
	return picked
}

func (e *Engine) whatIf(v *variation, kind string, lang Lang) api.WhatIf {
	return api.WhatIf{
		Changes:        v.changes(),
		Kind:           kind,
		Recommendation: v.verdict.Recommendation,
		HybridPattern:  v.verdict.HybridPattern,
		Summary:        v.summary(lang),
	}
}

// summary is whatIfSummary for the variation, memoised: a summary depends
// only on the changes, the verdict and the language, which are few.
func (v *variation) summary(lang Lang) string {
	key := summaryKey{v.tried, v.verdict.Recommendation, v.verdict.HybridPattern, lang}
	if s, ok := summaries.Load(key); ok {
		return s
	}
	s := whatIfSummary(v.changes(), v.verdict, lang)
	summaries.Store(key, s)
	return s
}

// summaryKey is what a what-if summary depends on; the candidates are made
// once, so their pointers name them.
type summaryKey struct {
	tried                   [2]*candidate
	recommendation, pattern string
	lang                    Lang
}

// summaries holds whatIfSummary's sentences, up to 4096 (about 100 bytes
// each); past that a sentence is built each time.
var summaries = memo.Map[summaryKey, string]{Max: 4096}

// askNext lists the inputs the caller left out that would change the
// recommendation if answered otherwise, most decisive (most ways to flip)
// first, at most maxAskNext, and how many there were. flips are the single
// changes that change the recommendation.
func askNext(req *api.Request, w *api.Workload, flips []variation, lang Lang) ([]api.AskNext, int) {
	out := []api.AskNext{}
	for i, f := range api.Fields() {
		if f.Question[0] == "" || req.Get(i).Set {
			continue
		}
		var outcomes []api.Outcome
		for j := range flips {
			if v := &flips[j]; v.tried[0].field == i {
				outcomes = append(outcomes, api.Outcome{Value: v.tried[0].Value, Recommendation: v.verdict.Recommendation, HybridPattern: v.verdict.HybridPattern})
			}
		}
		if len(outcomes) == 0 {
			continue
		}
		q := f.Question[0]
		if lang == Chinese {
			q = f.Question[1]
		}
		out = append(out, api.AskNext{Field: f.Name, Assumed: w.Get(i).Any(f.Kind), Question: q, Outcomes: outcomes})
	}
	slices.SortStableFunc(out, func(a, b api.AskNext) int { return len(b.Outcomes) - len(a.Outcomes) })
	n := len(out)
	if len(out) > maxAskNext {
		out = out[:maxAskNext]
	}
	return out, n
}
