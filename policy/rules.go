package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/placement-advisor/advise/api"
)

// The kinds of public rule, and the document of its package each is a rule
// of.
const (
	kindNeed       = api.KindNeed
	kindPreference = api.KindPreference
	kindWarning    = "warning"
	kindStatement  = "statement"
)

// factorDocs are the documents of a factor package, by the kind of rule that
// defines each.
var factorDocs = map[string]string{"needs": kindNeed, "preferences": kindPreference, "warnings": kindWarning}

// placementTables is what the placement packages state, read once at load:
// the placements, how far each serves each capability and by which
// statement, and the side of the scale each capability pulls towards.
type placementTables struct {
	placements []Placement
	serves     map[string]map[string]served // placement, capability
	sides      map[string]string
}

type served struct {
	statement string
	degree    float64
}

// tablesRoot is the package of placement tables the decision reads; it
// reads no input, so the engine evaluates it once and hands it to every
// decision.
var tablesRoot = ast.MustParseRef("data.advise.tables")

// readPlacements evaluates advise.tables, what the placements state, and
// reads the placements' package annotations.
func readPlacements(ctx context.Context, compiler *ast.Compiler, annotations *ast.AnnotationSet) (placementTables, error) {
	t := placementTables{serves: map[string]map[string]served{}, sides: map[string]string{}}
	if k := newKeyFields(compiler, []ast.Ref{tablesRoot}, nil); k.allInput || len(k.fields) > 0 {
		return t, fmt.Errorf("%w: %s reads the input; the placement tables must not depend on the workload", ErrPolicy, tablesRoot)
	}
	v, err := evalOnce(ctx, compiler, tablesRoot.String())
	if err != nil {
		return t, err
	}
	doc, _ := v.(map[string]any)
	recommendations, _ := doc["recommendations"].(map[string]any)
	patterns, _ := doc["patterns"].(map[string]any)
	degrees, _ := doc["degrees"].(map[string]any)
	statements, _ := doc["statements"].(map[string]any)
	sides, _ := doc["sides"].(map[string]any)
	meta := map[string]*ast.Annotations{}
	for _, ref := range annotations.Flatten() {
		if ref.Annotations.Scope == "package" && ref.Path.HasPrefix(placementsRoot) && len(ref.Path) == len(placementsRoot)+1 {
			meta[strings.TrimPrefix(ref.Path.String(), placementsRoot.String()+".")] = ref.Annotations
		}
	}
	for name, r := range recommendations {
		p := Placement{ID: name, Package: strings.TrimPrefix(placementsRoot.String(), "data.") + "." + name}
		p.Recommendation, _ = r.(string)
		p.HybridPattern, _ = patterns[name].(string)
		a := meta[name]
		if a == nil || a.Title == "" || a.Description == "" {
			return t, fmt.Errorf("%w: placement %s: its package needs a METADATA title and description", ErrPolicy, name)
		}
		p.Title, p.Description = a.Title, a.Description
		p.titleZH, _ = a.Custom["title_zh"].(string)
		p.summaryZH, _ = a.Custom["summary_zh"].(string)
		t.placements = append(t.placements, p)
		t.serves[name] = map[string]served{}
		ds, _ := degrees[name].(map[string]any)
		ss, _ := statements[name].(map[string]any)
		for capability, d := range ds {
			degree, err := toFloat(d)
			id, _ := ss[capability].(string)
			if err != nil || id == "" {
				return t, fmt.Errorf("%w: placement %s: capability %s: want a statement id and a degree, got %v and %v", ErrPolicy, name, capability, ss[capability], d)
			}
			t.serves[name][capability] = served{statement: id, degree: degree}
		}
	}
	if len(t.placements) == 0 {
		return t, fmt.Errorf("%w: no placement packages under %s", ErrPolicy, placementsRoot)
	}
	slices.SortFunc(t.placements, func(a, b Placement) int { return strings.Compare(a.ID, b.ID) })
	for c, s := range sides {
		t.sides[c], _ = s.(string)
	}
	return t, nil
}

// readRules builds the rule listing from the annotations, the same ones the
// rules read through rego.metadata.rule(), so there is no second copy; it
// checks that each annotation has what its kind needs.
func readRules(annotations *ast.AnnotationSet, sources []Source, tables placementTables, origins map[string]string) ([]Rule, error) {
	titles := make(map[string]string, len(sources))
	for _, s := range sources {
		titles[s.File] = s.Title
	}
	var rules []Rule
	seen := map[string]string{}
	for _, ref := range annotations.Flatten() {
		a := ref.Annotations
		id, _ := a.Custom["id"].(string)
		if a.Scope != "rule" || id == "" {
			continue
		}
		where := a.Location.String()
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%w: rule %s (%s): %s", ErrPolicy, id, where, fmt.Sprintf(format, args...))
		}
		if other, dup := seen[id]; dup {
			return nil, fail("the id is also the id of the rule at %s", other)
		}
		seen[id] = where
		pkg := ref.GetPackage().Path
		r := Rule{ID: id, Title: a.Title, Description: a.Description, Package: strings.TrimPrefix(pkg.String(), "data."), Origin: OriginBuiltin}
		if a.Location != nil && origins[a.Location.File] != "" {
			r.Origin = origins[a.Location.File]
		}
		r.Kind, _ = a.Custom["kind"].(string)
		r.Capability, _ = a.Custom["capability"].(string)
		r.Grouping, _ = a.Custom["grouping"].(string)
		r.titleZH, _ = a.Custom["title_zh"].(string)
		r.summaryZH, _ = a.Custom["summary_zh"].(string)
		if r.Title == "" || r.Description == "" {
			return nil, fail("needs a title and a description")
		}
		if w, ok := a.Custom["weight"]; ok {
			f, err := toFloat(w)
			if err != nil || f < 0 {
				return nil, fail("weight %v is not a number of 0 or more", w)
			}
			r.Weight = &f
		}
		if list, ok := a.Custom["applies_to"].([]any); ok {
			for _, x := range list {
				s, _ := x.(string)
				r.AppliesTo = append(r.AppliesTo, s)
			}
		}
		doc := ""
		if rule := ref.GetRule(); rule != nil {
			if v, ok := rule.Head.Ref()[0].Value.(ast.Var); ok {
				doc = string(v)
			}
		}
		switch {
		case pkg.HasPrefix(factorsRoot):
			want, ok := factorDocs[doc]
			if !ok {
				return nil, fail("a factor package's public rules are needs, preferences or warnings, not %s", doc)
			}
			if r.Kind != want {
				return nil, fail("kind %q, but it is a rule of %s, which holds kind %s", r.Kind, doc, want)
			}
		case pkg.HasPrefix(placementsRoot):
			if r.Kind != kindStatement || doc != "serves" {
				return nil, fail("a placement's public rules are statements of serves, not kind %q of %s", r.Kind, doc)
			}
			r.Placement = strings.TrimPrefix(pkg.String(), placementsRoot.String()+".")
			for capability, s := range tables.serves[r.Placement] {
				if s.statement == id {
					if r.Serves == nil {
						r.Serves = map[string]float64{}
					}
					r.Serves[capability] = s.degree
				}
			}
		case r.Kind != kindStatement:
			return nil, fail("kind %q outside the factor packages; want statement", r.Kind)
		}
		switch r.Kind {
		case kindNeed, kindPreference:
			if r.Capability == "" || r.Weight == nil {
				return nil, fail("a %s needs a capability and a weight", r.Kind)
			}
			switch r.Favors = tables.sides[r.Capability]; r.Favors {
			case api.RecommendVM, api.RecommendContainer:
			default:
				return nil, fail("capability %s pulls towards neither end of the scale (%q); the placements must serve it better at one end", r.Capability, r.Favors)
			}
		case kindWarning:
			if len(r.AppliesTo) == 0 {
				return nil, fail("a warning needs applies_to")
			}
		}
		cites, _ := a.Custom["citations"].([]any)
		if len(cites) == 0 {
			return nil, fail("cites nothing; every rule cites the passage it rests on")
		}
		for _, c := range cites {
			m, _ := c.(map[string]any)
			src, _ := m["source"].(string)
			loc, _ := m["locator"].(string)
			title, ok := titles[src]
			if !ok {
				return nil, fail("cites %q, which is not in the sources catalog", src)
			}
			if strings.TrimSpace(loc) == "" {
				return nil, fail("its citation of %s has no locator", src)
			}
			r.Citations = append(r.Citations, api.Citation{Source: src, Title: title, Locator: loc})
		}
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, nil
}

// checkCapabilities refuses a need or preference whose capability some
// placement does not say how far it serves: the answer could not say why
// that placement misses it.
func checkCapabilities(rules []Rule, tables placementTables) error {
	names := map[string]bool{}
	for _, p := range tables.placements {
		names[p.ID], names[p.Recommendation] = true, true
	}
	for _, r := range rules {
		for _, a := range r.AppliesTo {
			if !names[a] {
				return fmt.Errorf("%w: warning %s applies to %q, which is neither a placement nor a recommendation", ErrPolicy, r.ID, a)
			}
		}
		if r.Kind != kindNeed && r.Kind != kindPreference {
			continue
		}
		for _, p := range tables.placements {
			if _, ok := tables.serves[p.ID][r.Capability]; !ok {
				return fmt.Errorf("%w: rule %s asks for capability %s, and placement %s has no statement of how far it serves it", ErrPolicy, r.ID, r.Capability, p.ID)
			}
		}
	}
	return nil
}

func toFloat(v any) (float64, error) {
	switch n := v.(type) {
	case json.Number:
		return n.Float64()
	case float64:
		return n, nil
	case int:
		return float64(n), nil
	case uint64:
		return float64(n), nil
	case int64:
		return float64(n), nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}
