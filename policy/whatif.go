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

// variation is one candidate change and the verdict the rules give after it.
type variation struct {
	changes []api.Change
	verdict verdict
}

// explain fills what_if and ask_next by evaluating variations of the request
// with the same prepared rules, then lowers confidence for every default that
// matters. Nothing here knows what a rule does: it only asks the policy again.
func (e *Engine) explain(ctx context.Context, req *api.Request, ans *api.Answer, lang Lang, found *baseline) error {
	base := verdict{Recommendation: ans.Recommendation, HybridPattern: ans.HybridPattern, Confidence: ans.Confidence}
	w := ans.Input
	// The candidates, the single variations and the workload each is
	// resolved into are scratch space kept for the next answer: what the
	// answer keeps of them (a what-if's changes) is copied out.
	s := explainScratches.Get().(*explainScratch)
	defer s.release()
	candidates := candidateChanges(s.candidates[:0], w)
	s.candidates = candidates
	singles := s.singles[:0]
	scratch := &s.workload
	for i := range candidates {
		// A one-change slice of candidates, so the variation keeps it
		// without a copy.
		v, ok, err := e.vary(ctx, found, req, scratch, candidates[i:i+1:i+1]...)
		if err != nil {
			return err
		}
		if ok {
			singles = append(singles, v)
		}
	}
	s.singles = singles

	var flips []variation
	for _, v := range singles {
		if v.verdict.Recommendation != base.Recommendation {
			flips = append(flips, v)
		}
	}
	if len(flips) == 0 {
		pairs, err := e.pairFlips(ctx, found, req, scratch, base, singles)
		if err != nil {
			return err
		}
		flips = pairs
	}
	ans.WhatIf = pickWhatIf(flips, lang)
	ans.AskNext = askNext(ans.Defaulted, w, singles, base, lang)
	if k := len(ans.AskNext); k > 0 {
		ans.Confidence = math.Max(0.5, math.Round(ans.Confidence*math.Pow(unknownPenalty, float64(k))*100)/100)
	}
	return nil
}

// explainScratch is the memory explain reuses from one answer to the next.
type explainScratch struct {
	candidates []api.Change
	singles    []variation
	workload   api.Workload
}

var explainScratches = sync.Pool{New: func() any { return new(explainScratch) }}

// release forgets the answer's values and returns s to the pool.
func (s *explainScratch) release() {
	clear(s.candidates)
	clear(s.singles)
	s.candidates, s.singles = s.candidates[:0], s.singles[:0]
	s.workload = api.Workload{}
	explainScratches.Put(s)
}

// vary applies changes to the request, drops the variation if the result is
// not a valid request (a change must be one a caller could really send), and
// evaluates it. It resolves the variation into w, scratch space the caller
// reuses for every variation: the factor tables read the workload through
// function values, so Go cannot keep it on the stack.
func (e *Engine) vary(ctx context.Context, base *baseline, req *api.Request, w *api.Workload, changes ...api.Change) (variation, bool, error) {
	next := *req
	for _, c := range changes {
		if err := setField(&next, c); err != nil {
			return variation{}, false, err
		}
	}
	// The request was valid and every candidate value is one its field
	// allows (the what-if tests validate every change they see), so only a
	// rule relating two fields can make the variation invalid.
	if len(api.Contradictions(&next)) > 0 {
		return variation{}, false, nil
	}
	if err := ctx.Err(); err != nil {
		return variation{}, false, fmt.Errorf("evaluate variation: %w", err)
	}
	*w = next.Workload()
	if e.combiner != nil {
		// The variation's findings live only until decided: on the stack
		// while the packages are few.
		var buf [8]*findings
		f := found(buf[:0])
		if len(e.factors) > len(buf) {
			f = make(found, len(e.factors))
		}
		f = f[:len(e.factors)]
		if err := e.find(ctx, w, base, changes, f, nil); err != nil {
			return variation{}, false, fmt.Errorf("variation: %w", err)
		}
		d, err := e.combiner.decide(f, w)
		if err != nil {
			return variation{}, false, fmt.Errorf("variation: %w", err)
		}
		return variation{changes: changes, verdict: d.verdict}, true, nil
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
	v, err := readVerdict(m)
	if err != nil {
		return variation{}, false, fmt.Errorf("%w: variation: %v", ErrEvaluation, err)
	}
	return variation{changes: changes, verdict: v}, true, nil
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
func (e *Engine) pairFlips(ctx context.Context, found *baseline, req *api.Request, scratch *api.Workload, base verdict, singles []variation) ([]variation, error) {
	pool := slices.Clone(singles)
	slices.SortStableFunc(pool, func(a, b variation) int {
		return cmpFloat(a.verdict.Confidence, b.verdict.Confidence)
	})
	pool = pool[:min(pairPool, len(pool))]
	var flips []variation
	for i := range pool {
		for j := i + 1; j < len(pool); j++ {
			a, b := pool[i].changes[0], pool[j].changes[0]
			if a.Field == b.Field {
				continue
			}
			v, ok, err := e.vary(ctx, found, req, scratch, a, b)
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
		if n := len(a.changes) - len(b.changes); n != 0 {
			return n
		}
		return cmpFloat(b.verdict.Confidence, a.verdict.Confidence)
	})
	var picked []variation
	seen := map[string]bool{}
	for _, v := range flips {
		if len(picked) < maxWhatIf && !seen[v.verdict.Recommendation] {
			seen[v.verdict.Recommendation] = true
			picked = append(picked, v)
		}
	}
	for _, v := range flips {
		if len(picked) >= maxWhatIf {
			break
		}
		if !slices.ContainsFunc(picked, func(p variation) bool { return sameChanges(p.changes, v.changes) }) {
			picked = append(picked, v)
		}
	}
	out := make([]api.WhatIf, 0, len(picked))
	for _, v := range picked {
		out = append(out, api.WhatIf{
			Changes:        slices.Clone(v.changes), // v's may be scratch space
			Recommendation: v.verdict.Recommendation,
			HybridPattern:  v.verdict.HybridPattern,
			Summary:        whatIfSummary(v, lang),
		})
	}
	return out
}

// askNext lists the inputs the caller did not give that would change the
// recommendation if answered otherwise, most decisive (most ways to flip) first.
func askNext(defaulted []string, w api.Workload, singles []variation, base verdict, lang Lang) []api.AskNext {
	unanswered := slices.Clone(defaulted)
	if w.StartupSLAMs == nil {
		unanswered = append(unanswered, "startup_sla_ms")
	}
	if w.AvailabilityTarget == nil {
		unanswered = append(unanswered, "availability_target")
	}
	out := []api.AskNext{}
	for _, field := range unanswered {
		var outcomes []api.Outcome
		for _, v := range singles {
			if len(v.changes) == 1 && v.changes[0].Field == field && v.verdict.Recommendation != base.Recommendation {
				outcomes = append(outcomes, api.Outcome{Value: v.changes[0].Value, Recommendation: v.verdict.Recommendation, HybridPattern: v.verdict.HybridPattern})
			}
		}
		if len(outcomes) == 0 {
			continue
		}
		out = append(out, api.AskNext{Field: field, Assumed: assumedValue(w, field), Question: question(field, lang), Outcomes: outcomes})
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

func sameChanges(a, b []api.Change) bool {
	return slices.EqualFunc(a, b, func(x, y api.Change) bool { return x.Field == y.Field && fmt.Sprint(x.Value) == fmt.Sprint(y.Value) })
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
