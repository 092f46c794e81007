package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// Advise evaluates one validated request and explains the answer: what_if
// lists the smallest changes that would change the recommendation, ask_next
// the unanswered inputs that could, and the band says whether enough was
// stated. The context bounds the whole evaluation: when it is cancelled or
// its deadline passes, evaluation stops and the context's error is returned.
func (e *Engine) Advise(ctx context.Context, req *api.Request, lang Lang) (api.Answer, error) {
	ans, base, err := e.adviseOnly(ctx, req, lang, true)
	if err != nil {
		return ans, err
	}
	decisive, err := e.explain(ctx, req, &ans, lang, &base)
	if err != nil {
		return api.Answer{}, err
	}
	if ans.Band, err = e.band(ctx, bandKey{confidence: ans.Confidence, decisive: decisive, stated: e.stated(req)}); err != nil {
		return api.Answer{}, err
	}
	return ans, nil
}

// AdviseOnly is Advise without the explanations: what_if and ask_next stay
// empty, and the band counts no unanswered input. It is what each variation
// costs.
func (e *Engine) AdviseOnly(ctx context.Context, req *api.Request, lang Lang) (api.Answer, error) {
	ans, _, err := e.adviseOnly(ctx, req, lang, false)
	if err != nil {
		return ans, err
	}
	if ans.Band, err = e.band(ctx, bandKey{confidence: ans.Confidence, stated: e.stated(req)}); err != nil {
		return api.Answer{}, err
	}
	return ans, nil
}

// stated counts the fields the caller gave that the rules read.
func (e *Engine) stated(req *api.Request) int {
	n := 0
	for i := range api.Fields() {
		if e.reads&(1<<i) != 0 && req.Get(i).Set {
			n++
		}
	}
	return n
}

// baseline is what the factor packages found for a request and the decision
// they give, with each package's packed key when it has one, so that a
// variation patches the codes of the fields it changes instead of building
// the key again: what-if looks up about a hundred keys an answer.
type baseline struct {
	found    []*findings
	keys     []packedKey // nil when not recorded
	fired    ruleBits
	decision *decision
	// decisionFields is the packed key of the decision's fields, when
	// recorded and they pack.
	decisionFields packedKey
}

// adviseOnly evaluates and presents the request's answer, and returns what
// the factor packages found, for the variations to start from, with the
// packages' keys when forVariations is set.
func (e *Engine) adviseOnly(ctx context.Context, req *api.Request, lang Lang, forVariations bool) (api.Answer, baseline, error) {
	w, defaulted := req.Resolve()
	b := baseline{found: make([]*findings, len(e.factors))}
	if forVariations {
		b.keys = make([]packedKey, len(e.factors))
	}
	if err := ctx.Err(); err != nil {
		// OPA notices cancellation only while it evaluates, so a short
		// evaluation could finish under a context that had already ended.
		return api.Answer{}, baseline{}, fmt.Errorf("evaluate: %w", err)
	}
	if _, err := e.find(ctx, &w, nil, nil, b.found, b.keys); err != nil {
		return api.Answer{}, baseline{}, err
	}
	for _, f := range b.found {
		b.fired.add(&f.bits)
	}
	if forVariations && e.decision.keys.packs {
		b.decisionFields = e.decision.keys.pack(&w)
	}
	var err error
	if b.decision, err = e.decide(ctx, b.found, b.fired, &w); err != nil {
		return api.Answer{}, baseline{}, err
	}
	ans, err := e.present(ctx, b.decision, &w, lang)
	if err != nil {
		return api.Answer{}, baseline{}, err
	}
	ans.Defaulted = defaulted
	if ans.Defaulted == nil {
		ans.Defaulted = []string{}
	}
	return ans, b, nil
}

// present builds the answer from a decision: every rule it names presented
// from its annotation, in lang, in a fixed order (needs first, heaviest
// first, then by id), so the same input always reads the same way.
func (e *Engine) present(ctx context.Context, d *decision, w *api.Workload, lang Lang) (api.Answer, error) {
	ans := api.Answer{
		Recommendation: d.recommendation,
		HybridPattern:  d.pattern,
		ContainerForm:  d.form,
		Confidence:     d.confidence,
		Placements:     make([]api.Placement, 0, len(d.scores)),
		Reasons:        make([]api.Reason, 0, len(d.reasons)),
		Constraints:    make([]api.Constraint, 0, len(d.constraints)),
		Unmet:          make([]api.Unmet, 0, len(d.unmet)),
		Warnings:       make([]api.Warning, 0, len(d.warnings)),
		WhatIf:         []api.WhatIf{},
		AskNext:        []api.AskNext{},
		Input:          *w,
		Policy:         e.info,
	}
	missed := map[string][]string{}
	for _, c := range d.constraints {
		for _, p := range c.excludes {
			missed[p] = append(missed[p], c.need)
		}
	}
	for name, score := range d.scores {
		p := e.byName[name]
		misses := missed[name]
		slices.SortFunc(misses, e.heaviestFirst)
		if misses == nil {
			misses = []string{}
		}
		ans.Placements = append(ans.Placements, api.Placement{
			Placement: name, Title: p.title(lang), Recommendation: p.Recommendation, HybridPattern: p.HybridPattern,
			Score: score, Allowed: slices.Contains(d.allowed, name), Misses: misses,
		})
		s := &ans.Scores.VM
		switch p.Recommendation {
		case api.RecommendContainer:
			s = &ans.Scores.Container
		case api.RecommendHybrid:
			s = &ans.Scores.Hybrid
		}
		*s = max(*s, score)
	}
	slices.SortFunc(ans.Placements, func(a, b api.Placement) int {
		switch {
		case a.Score != b.Score:
			return cmpFloat(b.Score, a.Score)
		case a.Allowed != b.Allowed:
			if a.Allowed {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Placement, b.Placement)
	})
	reasons := slices.Clone(d.reasons)
	slices.SortFunc(reasons, e.needsFirst)
	for _, id := range reasons {
		r := e.byID[id]
		ans.Reasons = append(ans.Reasons, api.Reason{Rule: id, Title: r.title(lang), Kind: r.Kind, Favors: r.Favors, Weight: r.weight(), Summary: r.summary(lang), Citations: r.Citations})
	}
	constraints := slices.Clone(d.constraints)
	slices.SortFunc(constraints, func(a, b constraint) int { return e.heaviestFirst(a.need, b.need) })
	for _, c := range constraints {
		r := e.byID[c.need]
		ans.Constraints = append(ans.Constraints, api.Constraint{Rule: c.need, Title: r.title(lang), Excludes: c.excludes, Summary: r.summary(lang), Citations: r.Citations})
	}
	unmet := slices.Clone(d.unmet)
	slices.SortFunc(unmet, func(a, b unmetDemand) int {
		if n := e.needsFirst(a.rule, b.rule); e.byID[a.rule].Kind != e.byID[b.rule].Kind {
			return n
		}
		lostA, lostB := e.byID[a.rule].weight()*(1-a.degree), e.byID[b.rule].weight()*(1-b.degree)
		if lostA != lostB {
			return cmpFloat(lostB, lostA)
		}
		return strings.Compare(a.rule, b.rule)
	})
	for _, u := range unmet {
		r, why := e.byID[u.rule], e.byID[u.because]
		met := api.MetNo
		if u.degree > 0 {
			met = api.MetPartly
		}
		ans.Unmet = append(ans.Unmet, api.Unmet{Rule: u.rule, Title: r.title(lang), Kind: r.Kind, Met: met, Because: u.because, Why: why.summary(lang), Citations: why.Citations})
	}
	for _, id := range d.warnings {
		r := e.byID[id]
		ans.Warnings = append(ans.Warnings, api.Warning{Rule: id, Title: r.title(lang), Summary: r.summary(lang), Citations: r.Citations})
	}
	if d.layout != nil {
		g, err := e.size(ctx, d.layout.grouping, w)
		if err != nil {
			return api.Answer{}, err
		}
		ans.Layout = &api.Layout{
			Grouping:       e.statement(d.layout.grouping, lang),
			VMLayer:        e.layer(d.layout.vmParts, lang),
			ContainerLayer: e.layer(d.layout.ctrParts, lang),
			GuestOS:        api.GuestOS{PerGuestMB: g.perGuest, Guests: g.guests, Basis: g.basis, TotalMB: g.total, Statement: e.statement(g.because, lang)},
		}
	}
	return ans, nil
}

func (e *Engine) statement(id string, lang Lang) api.Statement {
	r, ok := e.byID[id]
	if !ok {
		return api.Statement{Rule: id, Citations: []api.Citation{}}
	}
	return api.Statement{Rule: id, Title: r.title(lang), Summary: r.summary(lang), Citations: r.Citations}
}

func (e *Engine) layer(parts []layerPart, lang Lang) []api.LayerPart {
	out := make([]api.LayerPart, 0, len(parts))
	for _, p := range parts {
		out = append(out, api.LayerPart{Statement: e.statement(p.statement, lang), Serves: p.serves})
	}
	return out
}

// needsFirst orders rule ids needs first, then heaviest first, then by id.
func (e *Engine) needsFirst(a, b string) int {
	if ka, kb := e.byID[a].Kind == kindNeed, e.byID[b].Kind == kindNeed; ka != kb {
		if ka {
			return -1
		}
		return 1
	}
	return e.heaviestFirst(a, b)
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
