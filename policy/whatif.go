package policy

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
)

// verdictQuery answers only the recommendation, which is all a variation needs.
const verdictQuery = "data.advise.decision.verdict"

// Limits on the explanation search.
const (
	maxWhatIf = 3
	// pairPool is how many single changes that moved the answer closest to
	// flipping are combined in pairs when no single change flips it.
	pairPool = 8
	// unknownPenalty scales confidence down once for every input left at its
	// default that would change the recommendation if answered otherwise.
	unknownPenalty = 0.97
)

type verdict struct {
	Recommendation string  `json:"recommendation"`
	HybridPattern  string  `json:"hybrid_pattern"`
	Confidence     float64 `json:"confidence"`
}

// variation is one or two candidate changes and the verdict the rules give
// after them.
type variation struct {
	tried   [2]*candidate // the second is nil for a single change
	verdict verdict
	// unsettled marks a verdict whose confidence is still to be worked
	// out, by the key confidence (see settle).
	unsettled  bool
	confidence confidenceKey
}

// settle works out the confidences vary left for later.
func (e *Engine) settle(vs []variation) error {
	for i := range vs {
		if v := &vs[i]; v.unsettled {
			c, err := e.combiner.confidenceOf(v.confidence)
			if err != nil {
				return fmt.Errorf("variation: %w", err)
			}
			v.verdict.Confidence, v.unsettled = c, false
		}
	}
	return nil
}

func (v *variation) size() int {
	if v.tried[1] == nil {
		return 1
	}
	return 2
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
// with the same prepared rules, then lowers confidence for every default that
// matters. Nothing here knows what a rule does: it only asks the policy again.
func (e *Engine) explain(ctx context.Context, req *api.Request, ans *api.Answer, lang Lang, found *baseline) error {
	base := verdict{Recommendation: ans.Recommendation, HybridPattern: ans.HybridPattern, Confidence: ans.Confidence}
	w := &ans.Input
	// The candidates, the single variations and the flips among them are
	// scratch space kept for the next answer: what the answer keeps of them
	// (a what-if's changes) is copied out. Each variation is built in one
	// variant on the stack.
	s := explainScratches.Get().(*explainScratch)
	defer s.release()
	candidates := candidateChanges(s.candidates[:0], w)
	s.candidates = candidates
	singles := s.singles[:0]
	var scratch variant
	for _, c := range candidates {
		v, ok, err := e.vary(ctx, found, req, w, &scratch, [2]*candidate{c})
		if err != nil {
			return err
		}
		if ok {
			singles = append(singles, v)
		}
	}
	s.singles = singles

	singleFlips := s.flips[:0]
	for i := range singles {
		if singles[i].verdict.Recommendation != base.Recommendation {
			singleFlips = append(singleFlips, singles[i])
		}
	}
	s.flips = singleFlips
	flips := singleFlips
	if len(flips) == 0 {
		// The pairs start from the singles least sure of themselves.
		if err := e.settle(singles); err != nil {
			return err
		}
		pairs, err := e.pairFlips(ctx, found, req, w, &scratch, base, singles)
		if err != nil {
			return err
		}
		flips = pairs
	}
	if err := e.settle(flips); err != nil {
		return err
	}
	// askNext reads singleFlips in the order tried; pickWhatIf sorts flips.
	ans.AskNext = askNext(ans.Defaulted, w, singleFlips, lang)
	ans.WhatIf = pickWhatIf(flips, lang)
	if k := len(ans.AskNext); k > 0 {
		ans.Confidence = math.Max(0.5, math.Round(ans.Confidence*math.Pow(unknownPenalty, float64(k))*100)/100)
	}
	return nil
}

// explainScratch is the memory explain reuses from one answer to the next.
type explainScratch struct {
	candidates []*candidate
	singles    []variation
	flips      []variation
}

// variant is a variation's request and the workload it resolves to, built
// in place for one variation after another.
type variant struct {
	request  api.Request
	workload api.Workload
	// unchecked takes the request side of changes that need no
	// contradiction check; nothing reads it.
	unchecked api.Request
}

// crossFields has bit i set for each field (an in constant) a rule relating
// two fields reads (api.CrossFields).
var crossFields = fieldMask(api.CrossFields()...)

var explainScratches = sync.Pool{New: func() any { return new(explainScratch) }}

// release forgets the answer's values and returns s to the pool.
func (s *explainScratch) release() {
	clear(s.candidates)
	clear(s.singles)
	clear(s.flips)
	s.candidates, s.singles, s.flips = s.candidates[:0], s.singles[:0], s.flips[:0]
	explainScratches.Put(s)
}

// vary applies the tried changes to the request, drops the variation if the
// result is not a valid request (a change must be one a caller could really
// send), and evaluates it. It applies the changes to from, the workload the
// request resolved to, rather than resolving the changed request again. v is
// scratch space the caller reuses for every variation.
func (e *Engine) vary(ctx context.Context, base *baseline, req *api.Request, from *api.Workload, v *variant, tried [2]*candidate) (variation, bool, error) {
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
	if e.combiner != nil {
		// The variation's findings live only until decided: on the stack
		// while the packages are few.
		var buf [8]*findings
		f := found(buf[:0])
		if len(e.factors) > len(buf) {
			f = make(found, len(e.factors))
		}
		f = f[:len(e.factors)]
		same, err := e.find(ctx, w, base, tried[:n], f, nil)
		if err != nil {
			return variation{}, false, fmt.Errorf("variation: %w", err)
		}
		if same && changed&decideReads == 0 {
			// Deciding the same findings for the same topology gives the
			// request's own verdict.
			return variation{tried: tried, verdict: base.verdict}, true, nil
		}
		// The request's sums, with the packages whose findings changed
		// swapped.
		t := base.total
		for i := range f {
			if f[i] != base.found[i] {
				t.add(&base.found[i].sums, -1)
				t.add(&f[i].sums, 1)
			}
		}
		d, key := e.combiner.judge(&t, w)
		return variation{tried: tried, verdict: d.verdict, unsettled: true, confidence: key}, true, nil
	}
	rs, err := e.verdict.Eval(ctx, rego.EvalParsedInput(workloadValue(*w)))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return variation{}, false, fmt.Errorf("evaluate variation: %w", ctxErr)
		}
		return variation{}, false, fmt.Errorf("%w: variation: %v", ErrEvaluation, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return variation{}, false, fmt.Errorf("%w: %s is undefined", ErrEvaluation, verdictQuery)
	}
	m, _ := rs[0].Expressions[0].Value.(map[string]any)
	d, err := readVerdict(m)
	if err != nil {
		return variation{}, false, fmt.Errorf("%w: variation: %v", ErrEvaluation, err)
	}
	return variation{tried: tried, verdict: d}, true, nil
}

// readVerdict reads the recommendation, pattern and confidence that both the
// answer and the verdict documents carry.
func readVerdict(m map[string]any) (verdict, error) {
	var v verdict
	v.Recommendation, _ = m["recommendation"].(string)
	v.HybridPattern, _ = m["hybrid_pattern"].(string)
	c, err := toFloat(m["confidence"])
	if err != nil {
		return verdict{}, fmt.Errorf("confidence: %w", err)
	}
	v.Confidence = c
	return v, nil
}

// pairFlips combines, two at a time, the single changes that left the answer
// least sure of itself, and keeps the pairs that change the recommendation.
func (e *Engine) pairFlips(ctx context.Context, found *baseline, req *api.Request, from *api.Workload, scratch *variant, base verdict, singles []variation) ([]variation, error) {
	// The pairPool singles of lowest confidence, ties in the order tried:
	// what a stable sort by confidence would put first.
	var (
		least [pairPool]*variation
		n     int
	)
	for i := range singles {
		v := &singles[i]
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
			v, ok, err := e.vary(ctx, found, req, from, scratch, [2]*candidate{a, b})
			if err != nil {
				return nil, err
			}
			if ok && v.verdict.Recommendation != base.Recommendation {
				flips = append(flips, v)
			}
		}
	}
	return flips, nil
}

// pickWhatIf keeps up to three flips, one per resulting recommendation first so
// the reviewer sees every way the answer can go, then the most decisive.
func pickWhatIf(flips []variation, lang Lang) []api.WhatIf {
	slices.SortStableFunc(flips, func(a, b variation) int {
		if n := a.size() - b.size(); n != 0 {
			return n
		}
		return cmpFloat(b.verdict.Confidence, a.verdict.Confidence)
	})
	picked := make([]*variation, 0, maxWhatIf)
	for i := range flips {
		v := &flips[i]
		if len(picked) < maxWhatIf && !slices.ContainsFunc(picked, func(p *variation) bool { return p.verdict.Recommendation == v.verdict.Recommendation }) {
			picked = append(picked, v)
		}
	}
	for i := range flips {
		if len(picked) >= maxWhatIf {
			break
		}
		// The candidates are made once, so the same changes are the same
		// pointers.
		v := &flips[i]
		if !slices.ContainsFunc(picked, func(p *variation) bool { return p.tried == v.tried }) {
			picked = append(picked, v)
		}
	}
	out := make([]api.WhatIf, 0, len(picked))
	for _, v := range picked {
		out = append(out, api.WhatIf{
			Changes:        v.changes(),
			Recommendation: v.verdict.Recommendation,
			HybridPattern:  v.verdict.HybridPattern,
			Summary:        v.summary(lang),
		})
	}
	return out
}

// summary is whatIfSummary for the variation, memoised: a summary depends
// only on the changes, the verdict and the language, which are few.
func (v *variation) summary(lang Lang) string {
	key, ok := v.summaryKey(lang)
	if !ok {
		return whatIfSummary(v.changes(), v.verdict, lang)
	}
	if s, ok := summaries.Load(key); ok {
		return s
	}
	s := whatIfSummary(v.changes(), v.verdict, lang)
	summaries.Store(key, s)
	return s
}

// summaries holds whatIfSummary's sentences by summaryKey, up to 4096 (about
// 100 bytes each); past that a sentence is built each time.
var summaries = memo.Map[uint64, string]{Max: 4096}

// summaryKey packs the variation's candidates, recommendation, pattern and
// language in one integer, when each is one of the few it can be: a verdict
// of the Rego form may name anything.
func (v *variation) summaryKey(lang Lang) (uint64, bool) {
	var key uint64
	for k, c := range v.tried {
		if c != nil {
			key |= uint64(c.seq+1) << (10 * k)
		}
	}
	rec := slices.Index([]string{api.RecommendVM, api.RecommendContainer, api.RecommendHybrid}, v.verdict.Recommendation)
	pattern := 0
	if v.verdict.HybridPattern != "" {
		pattern = 1 + slices.Index(patternNames[:], v.verdict.HybridPattern)
	}
	zh := slices.Index([]Lang{English, Chinese}, lang)
	if rec < 0 || (pattern < 1 && v.verdict.HybridPattern != "") || zh < 0 || candidateCount >= 1<<10-1 {
		return 0, false
	}
	return key | uint64(rec)<<20 | uint64(pattern)<<22 | uint64(zh)<<25, true
}

// askNext lists the inputs the caller did not give that would change the
// recommendation if answered otherwise, most decisive (most ways to flip)
// first. flips are the single changes that change the recommendation.
func askNext(defaulted []string, w *api.Workload, flips []variation, lang Lang) []api.AskNext {
	out := []api.AskNext{}
	var flipped uint64 // the fields some flip changes
	for i := range flips {
		flipped |= 1 << flips[i].tried[0].field
	}
	ask := func(field string) {
		if i, ok := fieldIndex[field]; !ok || flipped&(1<<i) == 0 {
			return
		}
		var outcomes []api.Outcome
		for i := range flips {
			if v := &flips[i]; v.tried[0].Field == field {
				outcomes = append(outcomes, api.Outcome{Value: v.tried[0].Value, Recommendation: v.verdict.Recommendation, HybridPattern: v.verdict.HybridPattern})
			}
		}
		out = append(out, api.AskNext{Field: field, Assumed: assumedValue(*w, field), Question: question(field, lang), Outcomes: outcomes})
	}
	for _, field := range defaulted {
		ask(field)
	}
	if w.StartupSLAMs == nil {
		ask("startup_sla_ms")
	}
	if w.AvailabilityTarget == nil {
		ask("availability_target")
	}
	slices.SortStableFunc(out, func(a, b api.AskNext) int { return len(b.Outcomes) - len(a.Outcomes) })
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
