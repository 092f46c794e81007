package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
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
var combinationFiles = []string{regoCombination, "findings.rego", patternRules}

// While combiner stands in for the combination, nothing evaluates
// decision.rego or hybrid.rego, so the engine compiles neither: it does not
// even parse decision.rego, and parses hybrid.rego only for the annotations
// of the pattern rules, which combiner reads. findings.rego names the
// factor documents the engine evaluates, so it is compiled either way.
const (
	regoCombination = "decision.rego"
	patternRules    = "hybrid.rego"
)

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
	// sums is what the package's reasons and constraints add to the
	// combination, summed once when the findings are first looked up (they
	// are kept in the factor tables), so combining is adding a few sums.
	sums sums
}

// sums are the totals the combination reads from fired reasons and
// constraints. Every part is a sum or a count, so the sums of several
// packages add up to the sums of all their rules.
type sums struct {
	scores                    tally
	vmDemands, ctrDemands     int64 // weights of the rules on each conflict side
	nVM, nCtr                 int   // and how many there are
	otherOS, favoursCtr       int64 // weights on the other_os side, and of rules favouring containers
	nOtherOS                  int
	nExcludesVM, nExcludesCtr int // constraints excluding each option
}

// add adds o to s times times: 1 to add a package's sums, -1 to take them
// away again, as a variation does for the packages whose findings it
// changes.
func (s *sums) add(o *sums, times int) {
	k := int64(times)
	s.scores.vm += k * o.scores.vm
	s.scores.container += k * o.scores.container
	s.vmDemands += k * o.vmDemands
	s.ctrDemands += k * o.ctrDemands
	s.nVM += times * o.nVM
	s.nCtr += times * o.nCtr
	s.otherOS += k * o.otherOS
	s.favoursCtr += k * o.favoursCtr
	s.nOtherOS += times * o.nOtherOS
	s.nExcludesVM += times * o.nExcludesVM
	s.nExcludesCtr += times * o.nExcludesCtr
}

// count adds one fired reason or constraint.
func (s *sums) count(r *ruleFacts, constraint bool) {
	s.scores.add(r.favors, r.weight)
	if constraint {
		switch r.excludes {
		case api.RecommendVM:
			s.nExcludesVM++
		case api.RecommendContainer:
			s.nExcludesCtr++
		}
	}
	switch r.side {
	case "vm":
		s.vmDemands += r.weight
		s.nVM++
	case "container":
		s.ctrDemands += r.weight
		s.nCtr++
	case "other_os":
		s.otherOS += r.weight
		s.nOtherOS++
	}
	if r.favors == api.RecommendContainer {
		s.favoursCtr += r.weight
	}
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
	// patterns are the hybrid patterns, in the order of the pattern
	// constants, with the reason each fires.
	patterns [patternCount]hybridPattern
	// confidence memoises the rounding arithmetic, done with OPA's own
	// builtins so every digit matches; its operands are small integers
	// (sums of small weights), so the keys are few. What-if reads it about
	// sixty times an answer, by the key packed in one integer.
	confidence memo.Map[uint64, float64]
}

// maxConfidences bounds the confidence memo.
const maxConfidences = 4096

type confidenceKey struct {
	hybrid   bool
	excluded bool
	points   int64 // the weaker side for a hybrid, the recommended option's score otherwise
	other    int64
}

// packed is the key as one integer, when both numbers fit in 31 bits; a
// key of larger numbers is not memoised.
func (k confidenceKey) packed() (uint64, bool) {
	const limit = 1 << 30
	if k.points < -limit || k.points >= limit || k.other < -limit || k.other >= limit {
		return 0, false
	}
	key := uint64(k.points+limit)<<33 | uint64(k.other+limit)<<2
	if k.hybrid {
		key |= 2
	}
	if k.excluded {
		key |= 1
	}
	return key, true
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
	c := &combiner{facts: make(map[string]*ruleFacts, len(rules))}
	c.confidence.Max = maxConfidences
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
	for i, pattern := range patternNames {
		id := "hybrid." + pattern
		r, ok := c.facts[id]
		if !ok {
			return nil
		}
		c.patterns[i] = hybridPattern{name: pattern, rule: id, facts: r}
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
			if slot != slotWarnings {
				f.sums.count(r, slot == slotConstraints)
			}
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

// decision is the verdict of a combination with what the answer adds to it.
type decision struct {
	verdict
	scores  api.Scores
	pattern *hybridPattern // nil when the answer is not a hybrid
}

// decideReads are the workload fields decide reads, by index in
// workloadFields: advise.hybrid's idea of an orchestrated workload. Everything
// else it reads is in the findings. TestDecideReadsOnlyTheTopology holds the
// list to decide.
var decideReads = fieldMask("orchestrator", "scaling", "architecture")

// fieldMask has bit i set for each named workload field, i its index in
// workloadFields.
func fieldMask(names ...string) uint64 {
	var m uint64
	for _, name := range names {
		i, ok := fieldIndex[name]
		if !ok {
			panic("policy: " + name + " is not a workload field")
		}
		m |= 1 << i
	}
	return m
}

// The hybrid patterns, in the order advise.hybrid tries them.
const (
	patternOrchestratorInVMs = iota
	patternContainersInVMs
	patternSideBySide
	patternCount
)

var patternNames = [patternCount]string{"orchestrator_in_vms", "containers_in_vms", "side_by_side"}

// hybridPattern is a hybrid pattern with the reason it fires.
type hybridPattern struct {
	name  string
	rule  string
	facts *ruleFacts
}

// total is the sums of what every factor package found.
func (f found) total() sums {
	var t sums
	for _, pkg := range f {
		t.add(&pkg.sums, 1)
	}
	return t
}

// decide is advise.decision's verdict and scores for what the factor
// packages found, given as their sums (found.total).
func (c *combiner) decide(t *sums, w *api.Workload) (decision, error) {
	d, key := c.judge(t, w)
	conf, err := c.confidenceOf(key)
	if err != nil {
		return decision{}, err
	}
	d.Confidence = conf
	return d, nil
}

// judge is decide but for the confidence, which it leaves as the key to
// work it out by (confidenceOf): what-if orders only a few of its
// variations by confidence, so it works out only theirs.
func (c *combiner) judge(t *sums, w *api.Workload) (decision, confidenceKey) {
	scores := t.scores
	excludesVM, excludesCtr := t.nExcludesVM > 0, t.nExcludesCtr > 0

	conflict := t.nVM > 0 && t.nCtr > 0
	orchestrated := w.Orchestrator != "none" || (w.Scaling == "elastic" && w.Architecture == "microservices")
	var pattern *hybridPattern
	switch {
	case conflict && orchestrated:
		pattern = &c.patterns[patternOrchestratorInVMs]
	case conflict:
		pattern = &c.patterns[patternContainersInVMs]
	case t.nOtherOS > 0 && w.Architecture == "microservices" && t.nVM == 0:
		pattern = &c.patterns[patternSideBySide]
	}
	vmSide, ctrSide := t.otherOS, t.favoursCtr
	if conflict {
		vmSide, ctrSide = t.vmDemands, t.ctrDemands
	}
	if pattern != nil {
		// A hybrid reason adds its own weight to the option it favours, as
		// every reason does; today that weight is 0 and it favours hybrid.
		scores.add(pattern.facts.favors, pattern.facts.weight)
	}

	d := decision{scores: api.Scores{VM: float64(scores.vm), Container: float64(scores.container)}, pattern: pattern}
	switch {
	case pattern != nil:
		d.Recommendation = api.RecommendHybrid
		d.HybridPattern = pattern.name
		d.scores.Hybrid = float64(vmSide + ctrSide)
	case excludesCtr:
		d.Recommendation = api.RecommendVM
	case excludesVM:
		d.Recommendation = api.RecommendContainer
	case scores.container > scores.vm:
		d.Recommendation = api.RecommendContainer
	default:
		d.Recommendation = api.RecommendVM
	}

	key := confidenceKey{hybrid: pattern != nil}
	switch d.Recommendation {
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
	return d, key
}

// combine is advise.decision.answer for what the factor packages found: the
// decision and the lists of fired rules.
func (c *combiner) combine(f found, w *api.Workload) (*result, error) {
	t := f.total()
	d, err := c.decide(&t, w)
	if err != nil {
		return nil, err
	}
	res := &result{verdict: d.verdict, Scores: d.scores}
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
	if d.pattern != nil {
		res.Reasons = append(res.Reasons, d.pattern.rule)
	}
	return res, nil
}

// confidenceOf is advise.decision.confidence, computed with the builtins the
// Rego form calls, in the same order, so the rounding is the same.
func (c *combiner) confidenceOf(k confidenceKey) (float64, error) {
	packed, memoised := k.packed()
	if memoised {
		if v, ok := c.confidence.Load(packed); ok {
			return v, nil
		}
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
	if memoised {
		c.confidence.Store(packed, v)
	}
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
