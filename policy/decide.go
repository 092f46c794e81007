package policy

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
)

// The engine applies advise.decision's functions (decide, choose,
// confidence_of) to facts it gathers itself: the placement tables, the
// findings from the factor packages (the ids and annotations united, the
// contributions added up) and the workload facts (the candidates and their
// container forms). The facts are the functions' argument and the query's
// input, not documents substituted with "with", which costs more than the
// decision itself. The functions read no input (checkDecision refuses a
// policy whose do), so a decision depends only on the rules fired and the
// workload facts, and the engine remembers it by the set of rules fired and
// the few input fields the workload facts read. The placement tables
// (advise.tables) read no input either (readPlacements checks it): they are
// evaluated once, at load.
//
// A what-if variation needs only the verdict, which reads the totals alone
// and costs a fraction of the whole result.
const (
	workloadFactsQuery = "x := data.advise.decision.workload_facts" +
		" with data.advise.tables as input.tables" +
		" with input as input.workload"
	decisionQuery   = "x := data.advise.decision.decide(input)"
	verdictQuery    = "x := data.advise.decision.choose(input)"
	confidenceQuery = "x := data.advise.decision.confidence_of(input.facts, input.placement)"
)

// The decision's functions, which must read no input, and the workload
// facts, which are all of the decision that may.
var (
	decisionFunctions = []ast.Ref{
		ast.MustParseRef("data.advise.decision.decide"),
		ast.MustParseRef("data.advise.decision.choose"),
		ast.MustParseRef("data.advise.decision.confidence_of"),
	}
	workloadFactsRoot = ast.MustParseRef("data.advise.decision.workload_facts")
)

// checkDecision refuses a policy whose decision functions read input: the
// engine remembers decisions by the fired rules and the workload facts, so
// a function that read the workload would be answered from another
// workload's decision.
func checkDecision(compiler *ast.Compiler) error {
	for _, ref := range decisionFunctions {
		if len(compiler.GetRules(ref)) == 0 {
			return fmt.Errorf("%w: %s is not defined", ErrPolicy, ref)
		}
	}
	fields, all := inputFields(compiler, decisionFunctions, nil)
	if all || len(fields) > 0 {
		names := make([]string, len(fields))
		for i, f := range fields {
			names[i] = f.name
		}
		return fmt.Errorf("%w: advise.decision's functions read input (%s); the workload reaches the decision only through the findings and workload_facts", ErrPolicy, strings.Join(names, ", "))
	}
	return nil
}

// decider evaluates and remembers decisions and verdicts.
type decider struct {
	result, verdict, confidence, workloadFacts rego.PreparedEvalQuery
	keys                                       keyFields
	tables                                     *ast.Term
	// results and verdicts hold what the queries gave by the fired rules
	// and the packed key of the decision's fields, or for workloads without
	// a packed key by the same as a string.
	results     keyed[*decision]
	verdicts    keyed[verdict]
	confidences keyed[float64]
	// applicable holds the workload facts by the decision fields' key.
	applicable keyed[*ast.Term]
}

type keyed[V any] struct {
	packed memo.Map[decisionKey, V]
	varied memo.Map[string, V]
}

type decisionKey struct {
	fired  ruleBits
	fields uint64
}

func newDecider(ctx context.Context, compiler *ast.Compiler) (*decider, error) {
	d := &decider{keys: newKeyFields(compiler, []ast.Ref{workloadFactsRoot}, []ast.Ref{findingsRoot, tablesRoot})}
	for _, m := range []*int{&d.results.packed.Max, &d.results.varied.Max, &d.verdicts.packed.Max, &d.verdicts.varied.Max, &d.confidences.packed.Max, &d.confidences.varied.Max, &d.applicable.packed.Max, &d.applicable.varied.Max} {
		*m = maxTable
	}
	r, err := policyQuery(compiler, tablesRoot.String(), rego.Input(map[string]any{}), rego.GenerateJSON(termJSON))
	if err != nil {
		return nil, err
	}
	rs, err := r.Eval(ctx)
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: evaluate %s: %v", ErrPolicy, tablesRoot, err)
	}
	d.tables, _ = rs[0].Expressions[0].Value.(*ast.Term)
	if d.result, err = prepare(ctx, compiler, decisionQuery); err != nil {
		return nil, err
	}
	if d.verdict, err = prepare(ctx, compiler, verdictQuery); err != nil {
		return nil, err
	}
	if d.confidence, err = prepare(ctx, compiler, confidenceQuery); err != nil {
		return nil, err
	}
	if d.workloadFacts, err = prepare(ctx, compiler, workloadFactsQuery, rego.GenerateJSON(termJSON)); err != nil {
		return nil, err
	}
	return d, nil
}

// lookupKey is the key of the fired rules and the workload's decision
// fields, packed or as a string. fields, when not nil, is the packed key of
// the decision fields, known already (a variation that leaves them alone
// shares its request's).
func (d *decider) lookupKey(fired ruleBits, w *api.Workload, fields *uint64) (decisionKey, string, bool) {
	if d.keys.packs {
		if fields != nil {
			return decisionKey{fired: fired, fields: *fields}, "", true
		}
		if k := d.keys.pack(w); k.ok {
			return decisionKey{fired: fired, fields: k.key}, "", true
		}
	}
	var b strings.Builder
	for _, x := range fired {
		fmt.Fprintf(&b, "%016x", x)
	}
	return decisionKey{}, b.String() + string(d.keys.key(nil, w)), false
}

func (k *keyed[V]) load(key decisionKey, varied string, packed bool) (V, bool) {
	if packed {
		return k.packed.Load(key)
	}
	return k.varied.Load(varied)
}

func (k *keyed[V]) store(key decisionKey, varied string, packed bool, v V) {
	if packed {
		k.packed.Store(key, v)
	} else {
		k.varied.Store(varied, v)
	}
}

// decision is advise.decision.result as the engine keeps it.
type decision struct {
	placement      string
	recommendation string
	pattern        string
	form           string
	confidence     float64
	scores         map[string]float64
	allowed        []string
	reasons        []string
	constraints    []constraint
	unmet          []unmetDemand
	warnings       []string
	layout         *layout
}

type constraint struct {
	need     string
	excludes []string
}

type unmetDemand struct {
	rule    string
	degree  float64
	because string
}

// layout is a hybrid's grouping statement and, for each layer, the
// statements of the recommended placement that serve the fired demands.
type layout struct {
	grouping          string
	vmParts, ctrParts []layerPart
}

// layerPart is one statement of a layer with the demands it serves.
type layerPart struct {
	statement string
	serves    []string
}

// verdict is the part of a decision what-if compares.
func (d *decision) verdict() verdict {
	return verdict{placement: d.placement, Recommendation: d.recommendation, HybridPattern: d.pattern, Confidence: d.confidence}
}

type verdict struct {
	placement      string
	Recommendation string
	HybridPattern  string
	Confidence     float64
}

// decide looks up, or evaluates and remembers, the decision for what the
// factor packages found (found, whose rules are fired) and the workload.
func (e *Engine) decide(ctx context.Context, found []*findings, fired ruleBits, w *api.Workload) (*decision, error) {
	key, varied, packed := e.decision.lookupKey(fired, w, nil)
	if v, ok := e.decision.results.load(key, varied, packed); ok {
		return v, nil
	}
	input, err := e.decisionInput(ctx, found, w, true, true)
	if err != nil {
		return nil, err
	}
	doc, err := e.evalDecision(ctx, e.decision.result, input)
	if err != nil {
		return nil, err
	}
	dec, err := e.readDecision(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: decide: %v", ErrEvaluation, err)
	}
	e.decision.results.store(key, varied, packed, dec)
	// A variation that comes to the same decision finds its verdict, and
	// the confidence in it, with one lookup.
	e.decision.verdicts.store(key, varied, packed, dec.verdict())
	return dec, nil
}

// verdictOf is decide for what a variation needs: the recommendation, and
// the confidence in it when withConfidence is set (what-if orders the
// variations it lists by their confidence; most variations are not listed).
// fields is as for lookupKey.
func (e *Engine) verdictOf(ctx context.Context, found []*findings, fired ruleBits, w *api.Workload, fields *uint64, withConfidence bool) (verdict, error) {
	d := e.decision
	key, varied, packed := d.lookupKey(fired, w, fields)
	v, ok := d.verdicts.load(key, varied, packed)
	if ok && (!withConfidence || v.Confidence >= 0) {
		return v, nil
	}
	if !ok {
		input, err := e.decisionInput(ctx, found, w, false, false)
		if err != nil {
			return verdict{}, err
		}
		doc, err := e.evalDecision(ctx, d.verdict, input)
		if err != nil {
			return verdict{}, err
		}
		name, _ := doc.(string)
		p, ok := e.byName[name]
		if !ok {
			return verdict{}, fmt.Errorf("%w: verdict: placement %q is no placement", ErrEvaluation, name)
		}
		v = verdict{placement: name, Recommendation: p.Recommendation, HybridPattern: p.HybridPattern, Confidence: -1}
		d.verdicts.store(key, varied, packed, v)
	}
	if !withConfidence {
		return v, nil
	}
	if c, ok := d.confidences.load(key, varied, packed); ok {
		v.Confidence = c
		return v, nil
	}
	// The placement is the verdict's, decided already.
	input, err := e.decisionInput(ctx, found, w, false, true)
	if err != nil {
		return verdict{}, err
	}
	doc, err := e.evalDecision(ctx, d.confidence, ast.NewObject(
		[2]*ast.Term{e.terms.facts, ast.NewTerm(input)},
		[2]*ast.Term{e.terms.placement, ast.StringTerm(v.placement)},
	))
	if err != nil {
		return verdict{}, err
	}
	if v.Confidence, err = toFloat(doc); err != nil {
		return verdict{}, fmt.Errorf("%w: confidence: %v", ErrEvaluation, err)
	}
	d.confidences.store(key, varied, packed, v.Confidence)
	return v, nil
}

// decisionInput is the facts the decision's functions take: the placement
// tables, the workload facts, the findings' totals and, for the whole
// result, the findings themselves.
func (e *Engine) decisionInput(ctx context.Context, found []*findings, w *api.Workload, whole, withContrast bool) (ast.Object, error) {
	wf, err := e.workloadFacts(ctx, w)
	if err != nil {
		return nil, err
	}
	facts := ast.NewObject(
		[2]*ast.Term{e.terms.tables, e.decision.tables},
		[2]*ast.Term{e.terms.totals, e.totals(found, whole || withContrast)},
	)
	wf.Foreach(func(k, v *ast.Term) { facts.Insert(k, v) })
	if whole {
		for slot, name := range docNames {
			doc := ast.NewObject()
			for _, f := range found {
				f.docs[slot].Foreach(func(k, v *ast.Term) { doc.Insert(k, v) })
			}
			facts.Insert(ast.StringTerm(name), ast.NewTerm(doc))
		}
	}
	return facts, nil
}

// workloadFacts looks up, or evaluates and remembers, what the placements
// are for the workload: which apply, and their container forms.
func (e *Engine) workloadFacts(ctx context.Context, w *api.Workload) (ast.Object, error) {
	d := e.decision
	var (
		key    decisionKey
		varied string
	)
	k := d.keys.pack(w)
	packed := d.keys.packs && k.ok
	if packed {
		key.fields = k.key
	} else {
		varied = string(d.keys.key(nil, w))
	}
	if t, ok := d.applicable.load(key, varied, packed); ok {
		return t.Value.(ast.Object), nil
	}
	input := ast.NewObject(
		[2]*ast.Term{e.terms.workload, ast.NewTerm(e.workloadValue(w))},
		[2]*ast.Term{e.terms.tables, d.tables},
	)
	doc, err := e.evalDecision(ctx, d.workloadFacts, input)
	if err != nil {
		return nil, err
	}
	t, ok := doc.(*ast.Term)
	if !ok {
		return nil, fmt.Errorf("%w: workload facts are %v", ErrEvaluation, doc)
	}
	obj, ok := t.Value.(ast.Object)
	if !ok {
		return nil, fmt.Errorf("%w: workload facts are %v, not an object", ErrEvaluation, t)
	}
	d.applicable.store(key, varied, packed, t)
	return obj, nil
}

// totals adds up the factor packages' contributions, as
// advise.findings.totals is their contribution together: scores and
// contrasts add, the missed needs unite. The contrast is left out unless
// withContrast is set: only the confidence reads it.
func (e *Engine) totals(found []*findings, withContrast bool) *ast.Term {
	n := len(e.placements)
	var (
		scores = make([]float64, n)
		missed = make([]ruleBits, n)
	)
	for _, f := range found {
		for i := range n {
			scores[i] += f.scores[i]
			missed[i].add(&f.missed[i])
		}
	}
	s := make([][2]*ast.Term, n)
	m := make([][2]*ast.Term, n)
	for i := range n {
		s[i] = [2]*ast.Term{e.terms.placements[i], number(scores[i])}
		var needs [][2]*ast.Term
		for w, word := range missed[i] {
			for word != 0 {
				b := bits.TrailingZeros64(word)
				word &^= 1 << b
				needs = append(needs, e.terms.needs[w*64+b])
			}
		}
		m[i] = [2]*ast.Term{e.terms.placements[i], ast.ObjectTerm(needs...)}
	}
	parts := [][2]*ast.Term{
		{e.terms.scores, ast.ObjectTerm(s...)},
		{e.terms.missed, ast.ObjectTerm(m...)},
	}
	if withContrast {
		c := make([][2]*ast.Term, n)
		for i := range n {
			row := make([][2]*ast.Term, n)
			for j := range n {
				var x float64
				for _, f := range found {
					x += f.contrast[i][j]
				}
				row[j] = [2]*ast.Term{e.terms.placements[j], number(x)}
			}
			c[i] = [2]*ast.Term{e.terms.placements[i], ast.ObjectTerm(row...)}
		}
		parts = append(parts, [2]*ast.Term{e.terms.contrast, ast.ObjectTerm(c...)})
	}
	return ast.ObjectTerm(parts...)
}

// terms are the Rego terms the engine builds inputs of, made once.
type terms struct {
	placements               []*ast.Term // by index in Engine.placements
	needs                    [][2]*ast.Term
	scores, missed, contrast *ast.Term
	workload, tables         *ast.Term
	totals                   *ast.Term
	placement, facts         *ast.Term
	fields                   []*ast.Term // field names, by index in api.Fields
	values                   []map[string]*ast.Term
}

func (e *Engine) makeTerms() {
	t := &e.terms
	for _, p := range e.placements {
		t.placements = append(t.placements, ast.StringTerm(p.ID))
	}
	t.needs = make([][2]*ast.Term, maxFactorRules)
	for id, bit := range e.bits {
		t.needs[bit] = [2]*ast.Term{ast.StringTerm(id), number(e.byID[id].weight())}
	}
	t.scores, t.missed, t.contrast = ast.StringTerm("scores"), ast.StringTerm("missed"), ast.StringTerm("contrast")
	t.workload, t.tables = ast.StringTerm("workload"), ast.StringTerm("tables")
	t.totals = ast.StringTerm("totals")
	t.placement, t.facts = ast.StringTerm("placement"), ast.StringTerm("facts")
	for _, f := range api.Fields() {
		t.fields = append(t.fields, ast.StringTerm(f.Name))
		values := map[string]*ast.Term{}
		for _, v := range f.Values {
			values[v] = ast.StringTerm(v)
		}
		t.values = append(t.values, values)
	}
}

// number is a sum as Rego would write it: an integer where it is one, which
// OPA also computes with faster.
func number(x float64) *ast.Term {
	if x == math.Trunc(x) && math.Abs(x) < 1<<31 {
		return ast.IntNumberTerm(int(x))
	}
	return ast.FloatNumberTerm(x)
}

func (e *Engine) evalDecision(ctx context.Context, query rego.PreparedEvalQuery, input ast.Object) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	e.evaluations.Add(1)
	rs, err := query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("evaluate: %w", ctxErr)
		}
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("%w: the decision is undefined", ErrEvaluation)
	}
	x, ok := rs[0].Bindings["x"]
	if !ok {
		return nil, fmt.Errorf("%w: the decision is undefined", ErrEvaluation)
	}
	return x, nil
}

// readDecision reads the result document, checking that everything it names
// is a rule or a placement the engine knows.
func (e *Engine) readDecision(doc any) (*decision, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the result is %T, not an object", doc)
	}
	d := &decision{scores: map[string]float64{}}
	d.placement, _ = m["placement"].(string)
	p, ok := e.byName[d.placement]
	if !ok {
		return nil, fmt.Errorf("placement %q is no placement", d.placement)
	}
	d.recommendation, d.pattern = p.Recommendation, p.HybridPattern
	d.form, _ = m["container_form"].(string)
	var err error
	if d.confidence, err = toFloat(m["confidence"]); err != nil {
		return nil, fmt.Errorf("confidence: %w", err)
	}
	scores, _ := m["scores"].(map[string]any)
	for name, s := range scores {
		if _, ok := e.byName[name]; !ok {
			return nil, fmt.Errorf("scores name %q, which is no placement", name)
		}
		if d.scores[name], err = toFloat(s); err != nil {
			return nil, fmt.Errorf("scores.%s: %w", name, err)
		}
	}
	if d.allowed, err = strings_(m["allowed"]); err != nil {
		return nil, fmt.Errorf("allowed: %w", err)
	}
	if d.reasons, err = e.ruleIDs(m["reasons"]); err != nil {
		return nil, fmt.Errorf("reasons: %w", err)
	}
	if d.warnings, err = e.ruleIDs(m["warnings"]); err != nil {
		return nil, fmt.Errorf("warnings: %w", err)
	}
	constraints, _ := m["constraints"].(map[string]any)
	for need, out := range constraints {
		if _, ok := e.byID[need]; !ok {
			return nil, fmt.Errorf("constraints name %q, which is no rule", need)
		}
		excludes, err := strings_(out)
		if err != nil {
			return nil, fmt.Errorf("constraints.%s: %w", need, err)
		}
		d.constraints = append(d.constraints, constraint{need: need, excludes: excludes})
	}
	unmet, _ := m["unmet"].(map[string]any)
	for id, u := range unmet {
		um, _ := u.(map[string]any)
		x := unmetDemand{rule: id}
		if x.degree, err = toFloat(um["degree"]); err != nil {
			return nil, fmt.Errorf("unmet.%s.degree: %w", id, err)
		}
		x.because, _ = um["because"].(string)
		if _, ok := e.byID[id]; !ok {
			return nil, fmt.Errorf("unmet names %q, which is no rule", id)
		}
		if _, ok := e.byID[x.because]; !ok {
			return nil, fmt.Errorf("unmet.%s gives no statement of %s for why (%q)", id, d.placement, x.because)
		}
		d.unmet = append(d.unmet, x)
	}
	if l, ok := m["layout"].(map[string]any); ok {
		d.layout = &layout{}
		d.layout.grouping, _ = l["grouping"].(string)
		if _, ok := e.byID[d.layout.grouping]; !ok {
			return nil, fmt.Errorf("layout.grouping %q is no statement", d.layout.grouping)
		}
		for _, side := range []struct {
			key   string
			parts *[]layerPart
		}{{"vm_layer", &d.layout.vmParts}, {"container_layer", &d.layout.ctrParts}} {
			layer, _ := l[side.key].(map[string]any)
			byStatement := map[string][]string{}
			for demand, s := range layer {
				st, _ := s.(string)
				if _, ok := e.byID[demand]; !ok {
					return nil, fmt.Errorf("layout.%s names %q, which is no rule", side.key, demand)
				}
				if _, ok := e.byID[st]; !ok {
					return nil, fmt.Errorf("layout.%s.%s is served by %q, which is no statement", side.key, demand, st)
				}
				byStatement[st] = append(byStatement[st], demand)
			}
			for st, demands := range byStatement {
				slices.SortFunc(demands, e.heaviestFirst)
				*side.parts = append(*side.parts, layerPart{statement: st, serves: demands})
			}
			slices.SortFunc(*side.parts, func(a, b layerPart) int { return e.heaviestFirst(a.serves[0], b.serves[0]) })
		}
	}
	return d, nil
}

// heaviestFirst orders rule ids by weight, heaviest first, then by id.
func (e *Engine) heaviestFirst(a, b string) int {
	if wa, wb := e.byID[a].weight(), e.byID[b].weight(); wa != wb {
		if wa > wb {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// ruleIDs reads a list of rule ids the engine knows.
func (e *Engine) ruleIDs(v any) ([]string, error) {
	ids, err := strings_(v)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, ok := e.byID[id]; !ok {
			return nil, fmt.Errorf("%q is no rule", id)
		}
	}
	return ids, nil
}

// strings_ reads a list of strings.
func strings_(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok && v != nil {
		return nil, fmt.Errorf("%v is not a list", v)
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("%v is not a string", x)
		}
		out = append(out, s)
	}
	return out, nil
}

// sizer evaluates and remembers advise.layout.sizing, what a hybrid's guest
// operating systems cost for a grouping, keyed by the grouping and the
// fields sizing reads (the tenants and the instances).
type sizer struct {
	query rego.PreparedEvalQuery
	keys  keyFields
	sizes memo.Map[string, guestOS]
}

// The grouping is bound before the input is replaced.
const sizingQuery = "grouping := input.grouping; data.advise.layout.sizing(grouping) with input as input.workload"

type guestOS struct {
	because  string // the statement that sizes a guest
	perGuest float64
	guests   *int64
	basis    string
	total    *float64
}

func newSizer(ctx context.Context, compiler *ast.Compiler) (*sizer, error) {
	s := &sizer{keys: newKeyFields(compiler, []ast.Ref{layoutSizing}, nil)}
	s.sizes.Max = maxTable
	var err error
	if s.query, err = prepare(ctx, compiler, sizingQuery); err != nil {
		return nil, err
	}
	return s, nil
}

func (e *Engine) size(ctx context.Context, grouping string, w *api.Workload) (guestOS, error) {
	s := e.sizing
	key := grouping + "\x00" + string(s.keys.key(nil, w))
	if g, ok := s.sizes.Load(key); ok {
		return g, nil
	}
	input := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("grouping"), ast.StringTerm(grouping)},
		[2]*ast.Term{ast.StringTerm("workload"), ast.NewTerm(e.workloadValue(w))},
	)
	e.evaluations.Add(1)
	rs, err := s.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return guestOS{}, fmt.Errorf("evaluate: %w", ctxErr)
		}
		return guestOS{}, fmt.Errorf("%w: %s: %v", ErrEvaluation, layoutSizing, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 2 {
		return guestOS{}, fmt.Errorf("%w: %s is undefined", ErrEvaluation, layoutSizing)
	}
	m, _ := rs[0].Expressions[1].Value.(map[string]any)
	var g guestOS
	if g.perGuest, err = toFloat(m["per_guest_mb"]); err != nil {
		return guestOS{}, fmt.Errorf("%w: %s: per_guest_mb: %v", ErrEvaluation, layoutSizing, err)
	}
	if n, err := toFloat(m["guests"]); err == nil {
		guests := int64(n)
		g.guests = &guests
	}
	if t, err := toFloat(m["total_mb"]); err == nil {
		g.total = &t
	}
	g.basis, _ = m["basis"].(string)
	g.because, _ = m["because"].(string)
	if _, ok := e.byID[g.because]; !ok {
		return guestOS{}, fmt.Errorf("%w: %s: %q is no statement", ErrEvaluation, layoutSizing, g.because)
	}
	s.sizes.Store(key, g)
	return g, nil
}

// bander evaluates and remembers advise.decision.band, the confidence band
// for a confidence, the unanswered inputs that would change the answer and
// the needs and preferences behind it.
type bander struct {
	query rego.PreparedEvalQuery
	bands memo.Map[bandKey, string]
}

type bandKey struct {
	confidence       float64
	decisive, stated int
}

const bandQuery = "data.advise.decision.band(input.confidence, input.decisive, input.stated)"

func newBander(ctx context.Context, compiler *ast.Compiler) (*bander, error) {
	b := &bander{}
	b.bands.Max = maxTable
	var err error
	if b.query, err = prepare(ctx, compiler, bandQuery); err != nil {
		return nil, err
	}
	return b, nil
}

func (e *Engine) band(ctx context.Context, key bandKey) (string, error) {
	if v, ok := e.bands.bands.Load(key); ok {
		return v, nil
	}
	input := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("confidence"), ast.FloatNumberTerm(key.confidence)},
		[2]*ast.Term{ast.StringTerm("decisive"), ast.IntNumberTerm(key.decisive)},
		[2]*ast.Term{ast.StringTerm("stated"), ast.IntNumberTerm(key.stated)},
	)
	e.evaluations.Add(1)
	rs, err := e.bands.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return "", fmt.Errorf("evaluate: %w", ctxErr)
		}
		return "", fmt.Errorf("%w: band: %v", ErrEvaluation, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return "", fmt.Errorf("%w: band is undefined", ErrEvaluation)
	}
	band, _ := rs[0].Expressions[0].Value.(string)
	switch band {
	case api.BandFirm, api.BandLeaning, api.BandInsufficientData:
	default:
		return "", fmt.Errorf("%w: band %v is not firm, leaning or insufficient_data", ErrEvaluation, rs[0].Expressions[0].Value)
	}
	e.bands.bands.Store(key, band)
	return band, nil
}
