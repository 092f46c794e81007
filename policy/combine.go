package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/placement-advisor/advise/api"
)

// How fired rules combine into an answer is policy: advise.findings gathers
// what the factor packages found, advise.hybrid names the pattern, and
// advise.decision scores, decides and rates confidence. Evaluating those three
// packages in OPA's interpreter costs about 200 µs, two thirds of an answer,
// and what-if evaluates them again for every variation. combiner is the same
// arithmetic written in Go, and the engine uses it only while the three files
// are exactly the text it was written from: combinationDigest must equal the
// digest of their text. Change one character of them and the engine evaluates
// them in Rego again, so a rule author can always change how reasons combine;
// TestCombinerPinnedToTheEmbeddedPolicy then fails until combiner matches the
// new text and is pinned to it, and TestCombinerAgreesWithRego holds the two
// forms to identical answers. Weights, sides, exclusions and the options a
// warning applies to are read from the rules' annotations, so changing them
// keeps the Go form.
const combinationDigest = "sha256:f7fec03d5ade0672cef1be5682ca5bed57f35b0e09567f3740f71b56c9b8b872"

// combinationFiles are the policy files combiner is the Go form of.
var combinationFiles = []string{"decision.rego", "findings.rego", "hybrid.rego"}

// The documents of advise.findings, which the factor packages' documents feed.
const (
	slotReasons = iota
	slotConstraints
	slotWarnings
	slotCount
)

var slotNames = [slotCount]string{"reasons", "constraints", "warnings"}

// evidencePrior is advise.decision.evidence_prior.
const evidencePrior = 30

// found is what each factor package found, in the order of e.factors.
type found []*findings

// findings are the rules one factor package fired, by findings slot, with
// what the combination reads from each.
type findings struct {
	ids   [slotCount][]string
	facts [slotCount][]*ruleFacts
}

// ruleFacts is what the combination reads from a fired rule's annotation.
type ruleFacts struct {
	favors    string
	weight    int64
	side      string // conflict_side, "none" when the annotation has none
	excludes  string
	appliesTo []string
}

// combiner is the Go form of advise.findings, advise.hybrid and
// advise.decision; see combinationDigest.
type combiner struct {
	facts map[string]*ruleFacts
	// patternRule names the hybrid reason each pattern fires.
	patternRule map[string]string
	// confidence memoises the rounding arithmetic, done with OPA's own
	// builtins so every digit matches; its operands are small integers.
	confidence sync.Map // confidenceKey → float64
}

type confidenceKey struct {
	hybrid   bool
	excluded bool
	points   int64 // the weaker side for a hybrid, the recommended option's score otherwise
	other    int64
}

// combinationText is the digest combinationDigest is compared with.
func combinationText(sources map[string][]byte) string {
	hash := sha256.New()
	for _, name := range combinationFiles {
		fmt.Fprintf(hash, "%s\x00%d\x00", name, len(sources[name]))
		hash.Write(sources[name])
	}
	return "sha256:" + hex.EncodeToString(hash.Sum(nil))
}

// newCombiner builds the Go form from the rules' annotations, or returns nil
// when the policy is not the one it was written from, or when a rule's weight
// is not an integer (the Go arithmetic adds integers; the Rego form adds any
// number).
func newCombiner(sources map[string][]byte, rules []Rule) *combiner {
	if combinationText(sources) != combinationDigest {
		return nil
	}
	c := &combiner{facts: make(map[string]*ruleFacts, len(rules)), patternRule: map[string]string{}}
	for _, r := range rules {
		w := r.weight()
		if w != math.Trunc(w) || math.Abs(w) > 1<<31 {
			return nil
		}
		f := &ruleFacts{favors: r.Favors, weight: int64(w), side: r.ConflictSide, excludes: r.Excludes, appliesTo: r.AppliesTo}
		if f.side == "" {
			f.side = "none"
		}
		c.facts[r.ID] = f
	}
	for _, pattern := range []string{"containers_in_vms", "orchestrator_in_vms", "side_by_side"} {
		id := "hybrid." + pattern
		if _, ok := c.facts[id]; !ok {
			return nil
		}
		c.patternRule[pattern] = id
	}
	return c
}

// findings looks up the facts of the rules a factor package fired.
func (c *combiner) findings(ids [slotCount][]string) (*findings, error) {
	f := &findings{ids: ids}
	for slot, list := range ids {
		for _, id := range list {
			r, ok := c.facts[id]
			if !ok {
				return nil, fmt.Errorf("%w: the findings name rule %q, which has no annotation", ErrEvaluation, id)
			}
			f.facts[slot] = append(f.facts[slot], r)
		}
	}
	return f, nil
}

// tally is a score per option.
type tally struct{ vm, container int64 }

func (t *tally) add(option string, points int64) {
	switch option {
	case api.RecommendVM:
		t.vm += points
	case api.RecommendContainer:
		t.container += points
	}
}

func (t tally) of(option string) int64 {
	if option == api.RecommendVM {
		return t.vm
	}
	return t.container
}

// combine is advise.decision.answer for what the factor packages found; with
// verdictOnly it leaves out the lists of rules, which a variation does not need.
func (c *combiner) combine(f found, w *api.Workload, verdictOnly bool) (*result, error) {
	var (
		scores                  tally
		excludesVM, excludesCtr bool
		vmDemands, ctrDemands   int64
		nVM, nCtr               int
		otherOS, favoursCtr     int64
		otherOSFound            bool
	)
	for _, pkg := range f {
		for _, slot := range []int{slotReasons, slotConstraints} {
			for _, r := range pkg.facts[slot] {
				scores.add(r.favors, r.weight)
				if slot == slotConstraints {
					excludesVM = excludesVM || r.excludes == api.RecommendVM
					excludesCtr = excludesCtr || r.excludes == api.RecommendContainer
				}
				switch r.side {
				case "vm":
					vmDemands += r.weight
					nVM++
				case "container":
					ctrDemands += r.weight
					nCtr++
				case "other_os":
					otherOS += r.weight
					otherOSFound = true
				}
				if r.favors == api.RecommendContainer {
					favoursCtr += r.weight
				}
			}
		}
	}

	conflict := nVM > 0 && nCtr > 0
	orchestrated := w.Orchestrator != "none" || (w.Scaling == "elastic" && w.Architecture == "microservices")
	var pattern string
	switch {
	case conflict && orchestrated:
		pattern = "orchestrator_in_vms"
	case conflict:
		pattern = "containers_in_vms"
	case otherOSFound && w.Architecture == "microservices" && nVM == 0:
		pattern = "side_by_side"
	}
	vmSide, ctrSide := otherOS, favoursCtr
	if conflict {
		vmSide, ctrSide = vmDemands, ctrDemands
	}
	if pattern != "" {
		// A hybrid reason adds its own weight to the option it favours, as
		// every reason does; today that weight is 0 and it favours hybrid.
		r := c.facts[c.patternRule[pattern]]
		scores.add(r.favors, r.weight)
	}

	res := &result{Scores: api.Scores{VM: float64(scores.vm), Container: float64(scores.container)}}
	switch {
	case pattern != "":
		res.Recommendation = api.RecommendHybrid
		res.HybridPattern = pattern
		res.Scores.Hybrid = float64(vmSide + ctrSide)
	case excludesCtr:
		res.Recommendation = api.RecommendVM
	case excludesVM:
		res.Recommendation = api.RecommendContainer
	case scores.container > scores.vm:
		res.Recommendation = api.RecommendContainer
	default:
		res.Recommendation = api.RecommendVM
	}

	key := confidenceKey{hybrid: pattern != ""}
	switch res.Recommendation {
	case api.RecommendHybrid:
		key.points = min(vmSide, ctrSide)
	case api.RecommendVM:
		key.points, key.other, key.excluded = scores.vm, scores.container, excludesCtr
	default:
		key.points, key.other, key.excluded = scores.container, scores.vm, excludesVM
	}
	if key.excluded {
		key.other = 0
	}
	conf, err := c.confidenceOf(key)
	if err != nil {
		return nil, err
	}
	res.Confidence = conf
	if verdictOnly {
		return res, nil
	}

	res.Reasons, res.Constraints, res.Warnings = []string{}, []string{}, []string{}
	for i, pkg := range f {
		res.Reasons = append(res.Reasons, pkg.ids[slotReasons]...)
		res.Constraints = append(res.Constraints, pkg.ids[slotConstraints]...)
		for j, r := range pkg.facts[slotWarnings] {
			if slices.Contains(r.appliesTo, res.Recommendation) {
				res.Warnings = append(res.Warnings, f[i].ids[slotWarnings][j])
			}
		}
	}
	if pattern != "" {
		res.Reasons = append(res.Reasons, c.patternRule[pattern])
	}
	return res, nil
}

// confidenceOf is advise.decision.confidence, computed with the builtins the
// Rego form calls, in the same order, so the rounding is the same.
func (c *combiner) confidenceOf(k confidenceKey) (float64, error) {
	if v, ok := c.confidence.Load(k); ok {
		return v.(float64), nil
	}
	var (
		half  = ast.FloatNumberTerm(0.5)
		prior = ast.IntNumberTerm(evidencePrior)
		x     *ast.Term
		err   error
	)
	if k.hybrid {
		// 0.5 + ((0.5 * weaker) / (weaker + prior))
		weaker := ast.IntNumberTerm(int(k.points))
		x, err = calls(
			func(call caller) *ast.Term {
				return call("plus", half, call("div", call("mul", half, weaker), call("plus", weaker, prior)))
			})
	} else {
		// 0.5 + ((0.5 * (points - other)) / ((points + other) + prior)), at least 0.9 when the other option is excluded
		points, other := ast.IntNumberTerm(int(k.points)), ast.IntNumberTerm(int(k.other))
		x, err = calls(func(call caller) *ast.Term {
			m := call("plus", half, call("div", call("mul", half, call("minus", points, other)), call("plus", call("plus", points, other), prior)))
			if k.excluded {
				m = call("max", ast.ArrayTerm(m, ast.FloatNumberTerm(0.9)))
			}
			return m
		})
	}
	if err != nil {
		return 0, err
	}
	// _round2(x) := round(x * 100) / 100
	hundred := ast.IntNumberTerm(100)
	rounded, err := calls(func(call caller) *ast.Term {
		return call("div", call("round", call("mul", x, hundred)), hundred)
	})
	if err != nil {
		return 0, err
	}
	n, ok := rounded.Value.(ast.Number)
	if !ok {
		return 0, fmt.Errorf("%w: confidence is %v, not a number", ErrEvaluation, rounded)
	}
	v, err := json.Number(n).Float64()
	if err != nil {
		return 0, fmt.Errorf("%w: confidence: %v", ErrEvaluation, err)
	}
	c.confidence.Store(k, v)
	return v, nil
}

// caller calls one OPA builtin by name.
type caller func(name string, operands ...*ast.Term) *ast.Term

// calls runs an expression of builtin calls and returns its value, or the
// first error a builtin gave.
func calls(expr func(call caller) *ast.Term) (*ast.Term, error) {
	var firstErr error
	call := func(name string, operands ...*ast.Term) *ast.Term {
		if firstErr != nil {
			return ast.IntNumberTerm(0)
		}
		var out *ast.Term
		fn := topdown.GetBuiltin(name)
		if fn == nil {
			firstErr = fmt.Errorf("%w: no builtin %s", ErrEvaluation, name)
			return ast.IntNumberTerm(0)
		}
		err := fn(topdown.BuiltinContext{}, operands, func(t *ast.Term) error { out = t; return nil })
		if err == nil && out == nil {
			err = fmt.Errorf("%s is undefined", name)
		}
		if err != nil {
			firstErr = fmt.Errorf("%w: %s: %v", ErrEvaluation, name, err)
			return ast.IntNumberTerm(0)
		}
		return out
	}
	out := expr(call)
	return out, firstErr
}
