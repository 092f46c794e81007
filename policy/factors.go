package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
)

// The documents of a factor package the decision reads (through
// advise.findings), in the order of a findings' slots.
const (
	docNeeds = iota
	docPreferences
	docWarnings
	docCount
)

var docNames = [docCount]string{"needs", "preferences", "warnings"}

// maxFactorRules bounds the factor rules a policy may have: each has a bit
// in a ruleBits set.
const maxFactorRules = 256

// ruleBits is a set of factor rules, by their place in Engine.bits.
type ruleBits [maxFactorRules / 64]uint64

func (b *ruleBits) add(o *ruleBits) {
	for i := range b {
		b[i] |= o[i]
	}
}

// factorPackage is one package under data.advise.factors, found by its path,
// with the input fields its documents read. A what-if variation only changes
// what a package finds when it changes one of the package's fields, so the
// engine evaluates each package once per distinct value of its fields and
// keeps the rest.
type factorPackage struct {
	path  ast.Ref
	keys  keyFields
	query rego.PreparedEvalQuery
	// found maps the key of the package's fields to what the package found
	// for them. It is bounded twice: numbers the rules only compare with
	// constants are keyed by where they fall among those constants, the
	// other fields are booleans and enums the contract validates, so the
	// keys are finitely many; and it stops growing at maxTable entries.
	found *table[*findings]
	// mu serialises additions, so that distinct is consistent.
	mu sync.Mutex
	// distinct holds one findings a set of fired rules, so that keys firing
	// the same rules share one findings and a variation that fires what its
	// request fired is seen to (find's same) by comparing pointers.
	distinct map[ruleBits]*findings
}

// findings are the rules one factor package fired, by document, as ids and
// as the set of their bits, with the documents as Rego values to hand the
// decision, and the package's contribution (advise.findings.contribution)
// to each placement (by its index in Engine.placements): its score, the
// needs it misses (as bits; each with its rule's weight) and its contrast
// with each other placement.
type findings struct {
	ids      [docCount][]string
	bits     ruleBits
	docs     [docCount]ast.Object
	scores   []float64
	missed   []ruleBits
	contrast [][]float64
}

// termJSON leaves a query's results as Rego values: the findings go back into
// the decision as they came.
func termJSON(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// factorPackages finds every package under data.advise.factors, gives each
// factor rule its bit, works out the input fields each package reads, and
// prepares one query per package.
func factorPackages(ctx context.Context, compiler *ast.Compiler, byID map[string]*Rule) ([]*factorPackage, map[string]int, error) {
	var ids []string
	for id, r := range byID {
		if _, ok := factorDocKind(r.Kind); ok {
			ids = append(ids, id)
		}
	}
	if len(ids) > maxFactorRules {
		return nil, nil, fmt.Errorf("%w: %d factor rules; the engine takes at most %d", ErrPolicy, len(ids), maxFactorRules)
	}
	slices.Sort(ids)
	bits := make(map[string]int, len(ids))
	for i, id := range ids {
		bits[id] = i
	}
	paths := map[string]ast.Ref{}
	for _, mod := range compiler.Modules {
		if p := mod.Package.Path; p.HasPrefix(factorsRoot) && len(p) > len(factorsRoot) {
			paths[p.String()] = p
		}
	}
	var pkgs []*factorPackage
	for _, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range paths {
			if !yield(k) {
				return
			}
		}
	}) {
		path := paths[key]
		var parts []string
		var roots []ast.Ref
		for _, doc := range docNames {
			ref := path.Append(ast.StringTerm(doc))
			if len(compiler.GetRulesExact(ref)) == 0 {
				parts = append(parts, "{}")
				continue
			}
			parts = append(parts, ref.String())
			roots = append(roots, ref)
		}
		if len(roots) == 0 {
			continue
		}
		p := &factorPackage{path: path, found: newTable[*findings](), distinct: map[ruleBits]*findings{}}
		p.keys = newKeyFields(compiler, roots, nil)
		var err error
		if p.query, err = prepare(ctx, compiler, "["+strings.Join(parts, ", ")+"]", rego.GenerateJSON(termJSON)); err != nil {
			return nil, nil, err
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("%w: no factor packages under %s", ErrPolicy, factorsRoot)
	}
	return pkgs, bits, nil
}

func factorDocKind(kind string) (int, bool) {
	for i, doc := range docNames {
		if factorDocs[doc] == kind {
			return i, true
		}
	}
	return 0, false
}

// contributionQuery is what a factor package's findings add to each
// placement, with the placement tables evaluated once (see decisionQuery).
const contributionQuery = "data.advise.findings.contribution(input.needs, input.preferences) with data.advise.tables as input.tables"

// evalFactor evaluates one factor package for the workload (w, as Rego
// input), without its contribution.
func (e *Engine) evalFactor(ctx context.Context, p *factorPackage, w ast.Value) (*findings, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	e.evaluations.Add(1)
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(w))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("evaluate: %w", ctxErr)
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrEvaluation, p.path, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: %s is undefined", ErrEvaluation, p.path)
	}
	t, _ := rs[0].Expressions[0].Value.(*ast.Term)
	docs, ok := t.Value.(*ast.Array)
	if !ok || docs.Len() != docCount {
		return nil, fmt.Errorf("%w: %s gave %v, not its %d documents", ErrEvaluation, p.path, rs[0].Expressions[0].Value, docCount)
	}
	f := &findings{}
	for slot := range docCount {
		obj, ok := docs.Elem(slot).Value.(ast.Object)
		if !ok {
			return nil, fmt.Errorf("%w: %s.%s is not an object", ErrEvaluation, p.path, docNames[slot])
		}
		f.docs[slot] = obj
		for _, k := range obj.Keys() {
			id, ok := k.Value.(ast.String)
			bit, known := e.bits[string(id)]
			if !ok || !known {
				return nil, fmt.Errorf("%w: %s.%s names %v, which is no annotated factor rule", ErrEvaluation, p.path, docNames[slot], k)
			}
			r := e.byID[string(id)]
			if r.Kind != factorDocs[docNames[slot]] {
				return nil, fmt.Errorf("%w: %s.%s holds %s, a rule of kind %s", ErrEvaluation, p.path, docNames[slot], id, r.Kind)
			}
			if err := sameAsAnnotated(r, obj.Get(k)); err != nil {
				return nil, fmt.Errorf("%w: %s.%s[%s]: %v", ErrEvaluation, p.path, docNames[slot], id, err)
			}
			f.ids[slot] = append(f.ids[slot], string(id))
			f.bits[bit/64] |= 1 << (bit % 64)
		}
		slices.Sort(f.ids[slot])
	}
	return f, nil
}

// sameAsAnnotated checks that what a fired rule gives is its annotation in
// what the decision reads of it (custom.capability, weight, grouping and
// applies_to): the engine keys findings and decisions by the rules fired, so
// a rule whose value changed with the input would be answered from another
// input's findings.
func sameAsAnnotated(r *Rule, doc *ast.Term) error {
	var custom ast.Object
	if obj, ok := doc.Value.(ast.Object); ok {
		if t := obj.Get(customKey); t != nil {
			custom, _ = t.Value.(ast.Object)
		}
	}
	field := func(key *ast.Term) ast.Value {
		if custom == nil {
			return nil
		}
		if t := custom.Get(key); t != nil {
			return t.Value
		}
		return nil
	}
	text := func(key *ast.Term) string {
		s, _ := field(key).(ast.String)
		return string(s)
	}
	differs := func(key string, got any, want any) error {
		return fmt.Errorf("custom.%s is %v where the rule's annotation says %v; a fired rule gives its annotation, rego.metadata.rule()", key, got, want)
	}
	if got := text(capabilityKey); got != r.Capability {
		return differs("capability", got, r.Capability)
	}
	if got := text(groupingKey); got != r.Grouping {
		return differs("grouping", got, r.Grouping)
	}
	if r.Weight != nil {
		n, _ := field(weightKey).(ast.Number)
		if w, ok := n.Float64(); !ok || w != *r.Weight {
			return differs("weight", field(weightKey), *r.Weight)
		}
	}
	var applies []string
	if list, ok := field(appliesKey).(*ast.Array); ok {
		for i := range list.Len() {
			s, _ := list.Elem(i).Value.(ast.String)
			applies = append(applies, string(s))
		}
	}
	if !slices.Equal(applies, r.AppliesTo) {
		return differs("applies_to", applies, r.AppliesTo)
	}
	return nil
}

// The keys of an annotation that sameAsAnnotated reads.
var (
	customKey     = ast.StringTerm("custom")
	capabilityKey = ast.StringTerm("capability")
	groupingKey   = ast.StringTerm("grouping")
	weightKey     = ast.StringTerm("weight")
	appliesKey    = ast.StringTerm("applies_to")
)

// contribute evaluates what the findings add to each placement.
func (e *Engine) contribute(ctx context.Context, p *factorPackage, f *findings) error {
	input := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("needs"), ast.NewTerm(f.docs[docNeeds])},
		[2]*ast.Term{ast.StringTerm("preferences"), ast.NewTerm(f.docs[docPreferences])},
		[2]*ast.Term{ast.StringTerm("tables"), e.decision.tables},
	)
	e.evaluations.Add(1)
	rs, err := e.contribution.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("evaluate: %w", ctxErr)
		}
		return fmt.Errorf("%w: %s: contribution: %v", ErrEvaluation, p.path, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return fmt.Errorf("%w: %s: the contribution is undefined", ErrEvaluation, p.path)
	}
	if err := e.readContribution(f, rs[0].Expressions[0].Value.(*ast.Term)); err != nil {
		return fmt.Errorf("%w: %s: contribution: %v", ErrEvaluation, p.path, err)
	}
	return nil
}

// readContribution reads a package's contribution, checking it names every
// placement and no other, and only the package's own needs at their rules'
// weights.
func (e *Engine) readContribution(f *findings, t *ast.Term) error {
	v, err := ast.JSON(t.Value)
	if err != nil {
		return err
	}
	m, _ := v.(map[string]any)
	scores, _ := m["scores"].(map[string]any)
	missed, _ := m["missed"].(map[string]any)
	contrast, _ := m["contrast"].(map[string]any)
	n := len(e.placements)
	if len(scores) != n || len(missed) != n || len(contrast) > n {
		return fmt.Errorf("want scores and missed for each of the %d placements and contrast for no more, got %d, %d and %d", n, len(scores), len(missed), len(contrast))
	}
	f.scores, f.missed, f.contrast = make([]float64, n), make([]ruleBits, n), make([][]float64, n)
	for i, p := range e.placements {
		if f.scores[i], err = toFloat(scores[p.ID]); err != nil {
			return fmt.Errorf("scores.%s: %w", p.ID, err)
		}
		ws, _ := missed[p.ID].(map[string]any)
		for id, w := range ws {
			bit, ok := e.bits[id]
			if !ok || !slices.Contains(f.ids[docNeeds], id) {
				return fmt.Errorf("missed.%s names %q, which is no need the package fired", p.ID, id)
			}
			if x, err := toFloat(w); err != nil || x != e.byID[id].weight() {
				return fmt.Errorf("missed.%s.%s is %v, not the rule's weight %v", p.ID, id, w, e.byID[id].weight())
			}
			f.missed[i][bit/64] |= 1 << (bit % 64)
		}
		// The contrast is given against the placement's rivals; against
		// any other it is nought.
		qs, _ := contrast[p.ID].(map[string]any)
		f.contrast[i] = make([]float64, n)
		for q, x := range qs {
			j, ok := e.index[q]
			if !ok {
				return fmt.Errorf("contrast.%s names %q, which is no placement", p.ID, q)
			}
			if f.contrast[i][j], err = toFloat(x); err != nil {
				return fmt.Errorf("contrast.%s.%s: %w", p.ID, q, err)
			}
		}
	}
	return nil
}

// find looks up, or evaluates and remembers, what every factor package finds
// for the workload, into f (one entry per package). For a variation of a
// workload whose baseline is base, tried are the changes that made it from
// the request's, and a package that reads none of their fields keeps what
// it found; same reports whether every package found what it found for base.
// Without a base, it records each package's packed key in keys, when keys
// is not nil.
func (e *Engine) find(ctx context.Context, w *api.Workload, base *baseline, tried []*candidate, f []*findings, keys []packedKey) (same bool, err error) {
	var (
		input ast.Object // built on the first miss
		buf   [64]byte
		mask  uint64
	)
	for _, c := range tried {
		mask |= 1 << c.field
	}
	same = base != nil
	for i, p := range e.factors {
		if base != nil && !p.keys.allInput && p.keys.mask&mask == 0 {
			f[i] = base.found[i]
			continue
		}
		var packed packedKey
		switch {
		case base != nil && base.keys != nil && base.keys[i].ok:
			packed = p.keys.patch(base.keys[i].key, w, tried)
		case p.keys.packs:
			packed = p.keys.pack(w)
		}
		if base == nil && keys != nil {
			keys[i] = packed
		}
		if base != nil && packed.ok && base.keys[i] == packed {
			// The changes leave the package's key as it was.
			f[i] = base.found[i]
			continue
		}
		var (
			pf  *findings
			ok  bool
			key []byte
		)
		if packed.ok {
			pf, ok = p.found.packed.Load(packed.key)
		} else {
			key = p.keys.key(buf[:0], w)
			pf, ok = p.found.varied.Load(string(key))
		}
		if !ok {
			if input == nil {
				input = e.workloadValue(w)
			}
			if pf, err = e.evalFactor(ctx, p, input); err != nil {
				return false, err
			}
			// Keys that fire the same rules share one findings, and its
			// contribution is worked out once.
			p.mu.Lock()
			kept, seen := p.distinct[pf.bits]
			p.mu.Unlock()
			if seen {
				pf = kept
			} else if err := e.contribute(ctx, p, pf); err != nil {
				return false, err
			}
			p.mu.Lock()
			if kept, ok := p.distinct[pf.bits]; ok {
				pf = kept
			} else if len(p.distinct) < maxTable {
				p.distinct[pf.bits] = pf
			}
			if packed.ok {
				p.found.packed.Store(packed.key, pf)
			} else {
				p.found.varied.Store(string(key), pf)
			}
			p.mu.Unlock()
		}
		f[i] = pf
		// Findings firing the same rules are one pointer (distinct); past
		// maxTable they are new each time and merely compare unequal.
		same = same && pf == base.found[i]
	}
	return same, nil
}
