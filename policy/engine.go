// Package policy holds the advisor's rules, written in Rego with their citations
// in METADATA annotations, the catalog of the source documents they cite, and
// the engine that compiles the rules once and evaluates them for each workload.
package policy

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
)

// Version is the version of the rule set; the digest pins the exact text.
const Version = "1.0.0"

// answerQuery is the one query the engine prepares.
const answerQuery = "data.advise.decision.answer"

//go:embed *.rego
var embedded embed.FS

// ErrPolicy marks a rule set that does not load, parse or compile.
var ErrPolicy = errors.New("policy does not compile")

// ErrEvaluation marks an evaluation that did not produce an answer.
var ErrEvaluation = errors.New("policy evaluation failed")

// Engine evaluates workloads against a compiled, prepared rule set. It is safe
// for concurrent use.
type Engine struct {
	// combiner combines fired rules in Go while the combination files are
	// the text it was written from (see combinationDigest); factors are then
	// evaluated one package at a time. Otherwise query and verdict evaluate
	// advise.decision in Rego.
	combiner  *combiner
	factors   []*factorPackage
	query     rego.PreparedEvalQuery
	verdict   rego.PreparedEvalQuery
	validator *api.Validator
	rules     []Rule
	byID      map[string]*Rule
	sources   []Source
	info      api.PolicyInfo
}

// Rule describes one public rule, read from its METADATA annotation.
type Rule struct {
	ID           string         `json:"id"`
	Title        string         `json:"title"`
	Description  string         `json:"description"`
	Kind         string         `json:"kind"`
	Favors       string         `json:"favors,omitempty"`
	Excludes     string         `json:"excludes,omitempty"`
	Weight       *float64       `json:"weight,omitempty"`
	AppliesTo    []string       `json:"applies_to,omitempty"`
	ConflictSide string         `json:"conflict_side,omitempty"`
	Package      string         `json:"package"`
	Citations    []api.Citation `json:"citations"`
	// summaryZH is the Chinese summary an answer shows for the rule; the
	// listing leaves it out, as it leaves out nothing else a caller needs.
	summaryZH string
}

// Source is one entry of the sources catalog.
type Source struct {
	File     string `json:"file"`
	Title    string `json:"title"`
	Site     string `json:"site"`
	Language string `json:"language"`
}

// New compiles and prepares the embedded rule set.
func New(ctx context.Context) (*Engine, error) {
	return NewFromFS(ctx, embedded)
}

// NewFromFS compiles and prepares the .rego files at the root of fsys, leaving
// out tests. It fails with ErrPolicy when the rules do not parse or compile.
func NewFromFS(ctx context.Context, fsys fs.FS) (*Engine, error) {
	texts, digest, err := readPolicy(fsys)
	if err != nil {
		return nil, err
	}
	// While the combination files are the text combiner was written from,
	// the engine compiles only what it evaluates (see patternRules): about
	// a third less work in New. Should newCombiner still decline (a rare
	// policy: a fractional weight), the rules are parsed and compiled again,
	// all of them.
	if combinationText(texts) == combinationDigest {
		e, err := newEngine(ctx, texts, digest, true)
		if !errors.Is(err, errNoGoForm) {
			return e, err
		}
	}
	return newEngine(ctx, texts, digest, false)
}

// errNoGoForm is newEngine's answer when it was to combine in Go and
// combiner cannot.
var errNoGoForm = errors.New("the rules have no Go form")

// newEngine compiles and prepares the policy in texts: only what the engine
// evaluates when it is to combine in Go (goForm), otherwise all of it.
func newEngine(ctx context.Context, texts map[string][]byte, digest string, goForm bool) (*Engine, error) {
	// One capabilities value serves every parse and compile: left unset,
	// OPA builds and sorts a fresh copy of the builtin list for each file
	// and query, about 5 % of New.
	caps := ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.RegoV1))
	modules := make(map[string]*ast.Module, len(texts))
	for _, name := range slices.Sorted(maps.Keys(texts)) {
		if goForm && name == regoCombination {
			continue
		}
		mod, err := ast.ParseModuleWithOpts(name, string(texts[name]), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: caps})
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
		}
		modules[name] = mod
	}
	annotations, errs := ast.BuildAnnotationSet(slices.Collect(maps.Values(modules)))
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, errs)
	}
	compiled := modules
	if goForm {
		compiled = maps.Clone(modules)
		delete(compiled, patternRules)
	}
	compiler := ast.NewCompiler().WithStrict(true).WithCapabilities(caps)
	if compiler.Compile(compiled); compiler.Failed() {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, compiler.Errors)
	}
	e := &Engine{info: api.PolicyInfo{Version: Version, Digest: digest}, validator: api.NewValidator()}
	var err error
	e.sources, err = readSources(ctx, compiler)
	if err != nil {
		return nil, err
	}
	e.rules, err = readRules(annotations, e.sources)
	if err != nil {
		return nil, err
	}
	e.byID = make(map[string]*Rule, len(e.rules))
	for i := range e.rules {
		e.byID[e.rules[i].ID] = &e.rules[i]
	}
	if e.combiner = newCombiner(texts, e.rules); e.combiner != nil {
		if e.factors, err = factorPackages(ctx, compiler); err != nil {
			return nil, err
		}
		return e, nil
	}
	if goForm {
		return nil, errNoGoForm
	}
	if e.query, err = prepare(ctx, compiler, answerQuery); err != nil {
		return nil, err
	}
	if e.verdict, err = prepare(ctx, compiler, verdictQuery); err != nil {
		return nil, err
	}
	return e, nil
}

// readPolicy reads every policy file but the tests and returns their text by
// file name and a digest of their names and text, in name order.
func readPolicy(fsys fs.FS) (map[string][]byte, string, error) {
	names, err := fs.Glob(fsys, "*.rego")
	if err != nil {
		return nil, "", fmt.Errorf("%w: list files: %v", ErrPolicy, err)
	}
	sort.Strings(names)
	hash := sha256.New()
	texts := make(map[string][]byte, len(names))
	for _, name := range names {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, "", fmt.Errorf("%w: read %s: %v", ErrPolicy, name, err)
		}
		texts[name] = src
		fmt.Fprintf(hash, "%s\x00%d\x00", name, len(src))
		hash.Write(src)
	}
	if len(texts) == 0 {
		return nil, "", fmt.Errorf("%w: no .rego files", ErrPolicy)
	}
	return texts, "sha256:" + hex.EncodeToString(hash.Sum(nil)), nil
}

// policyQuery is a query on the compiled rules, parsed with the capabilities
// they were compiled with (rego.Query would build a fresh copy).
func policyQuery(compiler *ast.Compiler, query string) (*rego.Rego, error) {
	body, err := ast.ParseBodyWithOpts(query, ast.ParserOptions{Capabilities: compiler.Capabilities(), RegoVersion: ast.RegoV1, SkipRules: true})
	if err != nil {
		return nil, fmt.Errorf("%w: parse %s: %v", ErrPolicy, query, err)
	}
	return rego.New(rego.ParsedQuery(body), rego.Compiler(compiler)), nil
}

// prepare prepares query on the compiled rules for evaluation.
func prepare(ctx context.Context, compiler *ast.Compiler, query string) (rego.PreparedEvalQuery, error) {
	r, err := policyQuery(compiler, query)
	if err != nil {
		return rego.PreparedEvalQuery{}, err
	}
	prepared, err := r.PrepareForEval(ctx)
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("%w: prepare %s: %v", ErrPolicy, query, err)
	}
	return prepared, nil
}

func readSources(ctx context.Context, compiler *ast.Compiler) ([]Source, error) {
	const catalogQuery = "data.advise.sources.catalog"
	query, err := policyQuery(compiler, catalogQuery)
	if err != nil {
		return nil, err
	}
	rs, err := query.Eval(ctx)
	if err != nil || len(rs) != 1 {
		return nil, fmt.Errorf("%w: read sources catalog: %v", ErrPolicy, err)
	}
	catalog, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: sources catalog is not an object", ErrPolicy)
	}
	sources := make([]Source, 0, len(catalog))
	for file, v := range catalog {
		entry, _ := v.(map[string]any)
		s := Source{File: file}
		s.Title, _ = entry["title"].(string)
		s.Site, _ = entry["site"].(string)
		s.Language, _ = entry["language"].(string)
		sources = append(sources, s)
	}
	slices.SortFunc(sources, func(a, b Source) int { return strings.Compare(a.File, b.File) })
	return sources, nil
}

// readRules builds the rule listing from the annotations, the same ones the
// rules read through rego.metadata.rule(), so there is no second copy.
func readRules(annotations *ast.AnnotationSet, sources []Source) ([]Rule, error) {
	titles := make(map[string]string, len(sources))
	for _, s := range sources {
		titles[s.File] = s.Title
	}
	var rules []Rule
	for _, ref := range annotations.Flatten() {
		a := ref.Annotations
		id, _ := a.Custom["id"].(string)
		if a.Scope != "rule" || id == "" {
			continue
		}
		r := Rule{ID: id, Title: a.Title, Description: a.Description, Package: strings.TrimPrefix(ref.GetPackage().Path.String(), "data.")}
		r.Kind, _ = a.Custom["kind"].(string)
		r.Favors, _ = a.Custom["favors"].(string)
		r.Excludes, _ = a.Custom["excludes"].(string)
		r.ConflictSide, _ = a.Custom["conflict_side"].(string)
		r.summaryZH, _ = a.Custom["summary_zh"].(string)
		if w, ok := a.Custom["weight"]; ok {
			f, err := toFloat(w)
			if err != nil {
				return nil, fmt.Errorf("%w: rule %s: weight: %v", ErrPolicy, id, err)
			}
			r.Weight = &f
		}
		if list, ok := a.Custom["applies_to"].([]any); ok {
			for _, x := range list {
				s, _ := x.(string)
				r.AppliesTo = append(r.AppliesTo, s)
			}
		}
		cites, _ := a.Custom["citations"].([]any)
		for _, c := range cites {
			m, _ := c.(map[string]any)
			src, _ := m["source"].(string)
			loc, _ := m["locator"].(string)
			r.Citations = append(r.Citations, api.Citation{Source: src, Title: titles[src], Locator: loc})
		}
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b Rule) int { return strings.Compare(a.ID, b.ID) })
	return rules, nil
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

// CombinesInGo reports whether the engine combines fired rules with the Go
// form of advise.findings, advise.hybrid and advise.decision (see
// combinationDigest) rather than by evaluating them in Rego. Both give the
// same answers; the Go form is used only while those files are the text it
// was written from.
func (e *Engine) CombinesInGo() bool { return e.combiner != nil }

// Rules lists every public rule, sorted by id.
func (e *Engine) Rules() []Rule { return e.rules }

// Sources lists the sources catalog, sorted by file name.
func (e *Engine) Sources() []Source { return e.sources }

// Info identifies the rule set.
func (e *Engine) Info() api.PolicyInfo { return e.info }

// Lang selects the language of summaries.
type Lang string

// The languages summaries are written in.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// Advise evaluates one validated request and explains the answer: what_if
// lists the smallest changes that would change the recommendation and ask_next
// the defaults that matter. The context bounds the whole evaluation: when it is
// cancelled or its deadline passes, evaluation stops and the context's error is
// returned.
func (e *Engine) Advise(ctx context.Context, req *api.Request, lang Lang) (api.Answer, error) {
	ans, base, err := e.adviseOnly(ctx, req, lang, true)
	if err != nil {
		return ans, err
	}
	if err := e.explain(ctx, req, &ans, lang, &base); err != nil {
		return api.Answer{}, err
	}
	return ans, nil
}

// AdviseOnly is Advise without the explanations: what_if and ask_next stay
// empty and confidence is the policy's own. It is what each variation costs.
func (e *Engine) AdviseOnly(ctx context.Context, req *api.Request, lang Lang) (api.Answer, error) {
	ans, _, err := e.adviseOnly(ctx, req, lang, false)
	return ans, err
}

// adviseOnly also returns what the factor packages found, for the variations
// to start from (nil when the combination runs in Rego), with the packages'
// table keys when forVariations is set.
func (e *Engine) adviseOnly(ctx context.Context, req *api.Request, lang Lang, forVariations bool) (api.Answer, baseline, error) {
	w, defaulted := req.Resolve()
	out, f, err := e.evaluate(ctx, w, forVariations)
	if err != nil {
		return api.Answer{}, baseline{}, err
	}
	ans, err := e.answer(out, lang)
	if err != nil {
		return api.Answer{}, baseline{}, err
	}
	ans.Input = w
	ans.Defaulted = defaulted
	if ans.Defaulted == nil {
		ans.Defaulted = []string{}
	}
	ans.Policy = e.info
	ans.WhatIf = []api.WhatIf{}
	ans.AskNext = []api.AskNext{}
	return ans, f, nil
}

// evaluate finds the fired rules and combines them into the decision: the
// factor packages in Rego, each once per key of its fields (see
// factorPackage.table), and the combination in Go when the engine has its Go
// form; all of it in Rego when it does not.
func (e *Engine) evaluate(ctx context.Context, w api.Workload, withKeys bool) (*result, baseline, error) {
	// OPA notices cancellation only while it evaluates, so a short evaluation
	// could finish under a context that had already ended.
	if err := ctx.Err(); err != nil {
		return nil, baseline{}, fmt.Errorf("evaluate: %w", err)
	}
	if e.combiner != nil {
		b := baseline{found: make(found, len(e.factors))}
		if withKeys {
			b.keys = make([]packedKey, len(e.factors))
		}
		if _, err := e.find(ctx, &w, nil, nil, b.found, b.keys); err != nil {
			return nil, baseline{}, err
		}
		res, err := e.combiner.combine(b.found, &w)
		if err != nil {
			return nil, baseline{}, err
		}
		b.total, b.verdict = b.found.total(), res.verdict
		return res, b, nil
	}
	res, err := e.evaluateInRego(ctx, w)
	return res, baseline{}, err
}

func (e *Engine) evaluateInRego(ctx context.Context, w api.Workload) (*result, error) {
	rs, err := e.query.Eval(ctx, rego.EvalParsedInput(workloadValue(w)))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, fmt.Errorf("evaluate: %w", ctxErr)
		}
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: %s is undefined", ErrEvaluation, answerQuery)
	}
	res, err := readResult(rs[0].Expressions[0].Value)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrEvaluation, err)
	}
	return res, nil
}

// workloadValue builds the Rego input straight from the workload, skipping a
// JSON round trip, field by field as readField reads them, so the input
// and the factor tables' keys cannot disagree. Absent optional numbers stay
// absent, so rules comparing them are simply undefined.
func workloadValue(w api.Workload) ast.Object {
	obj := ast.NewObject()
	for i, name := range workloadFields {
		var v ast.Value
		switch f := readField(&w, i); f.kind {
		case fieldAbsent:
			continue
		case fieldBool:
			v = ast.Boolean(f.b)
		case fieldString:
			v = ast.String(f.s)
		case fieldInt:
			v = ast.IntNumberTerm(int(f.n)).Value
		default:
			v = ast.FloatNumberTerm(f.n).Value
		}
		obj.Insert(ast.StringTerm(name), ast.NewTerm(v))
	}
	return obj
}

// result is the shape of data.advise.decision.answer: the decision, and the
// fired rules by id.
type result struct {
	verdict
	Scores      api.Scores
	Reasons     []string
	Constraints []string
	Warnings    []string
}

// readResult reads the answer document as OPA hands it over. The document is
// small (the decision and three lists of ids), so reading it field by field
// costs less than a JSON round trip.
func readResult(doc any) (*result, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("answer is %T, not an object", doc)
	}
	v, err := readVerdict(m)
	if err != nil {
		return nil, err
	}
	res := result{verdict: v}
	scores, _ := m["scores"].(map[string]any)
	for key, dst := range map[string]*float64{"vm": &res.Scores.VM, "container": &res.Scores.Container, "hybrid": &res.Scores.Hybrid} {
		if *dst, err = toFloat(scores[key]); err != nil {
			return nil, fmt.Errorf("scores.%s: %w", key, err)
		}
	}
	for key, dst := range map[string]*[]string{"reasons": &res.Reasons, "constraints": &res.Constraints, "warnings": &res.Warnings} {
		ids, _ := m[key].([]any)
		*dst = make([]string, 0, len(ids))
		for _, id := range ids {
			s, ok := id.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %v is not a rule id", key, id)
			}
			*dst = append(*dst, s)
		}
	}
	return &res, nil
}

// answer presents the fired rules from their annotations, the same text
// advise.lib builds in Rego, ordered by weight, heaviest first, then by rule
// id, so the same input always reads the same way.
func (e *Engine) answer(res *result, lang Lang) (api.Answer, error) {
	ans := api.Answer{
		Recommendation: res.Recommendation,
		HybridPattern:  res.HybridPattern,
		Confidence:     res.Confidence,
		Scores:         res.Scores,
		Reasons:        make([]api.Reason, 0, len(res.Reasons)),
		Constraints:    make([]api.Constraint, 0, len(res.Constraints)),
		Warnings:       make([]api.Warning, 0, len(res.Warnings)),
	}
	reasons, err := e.lookup(res.Reasons)
	if err != nil {
		return api.Answer{}, err
	}
	constraints, err := e.lookup(res.Constraints)
	if err != nil {
		return api.Answer{}, err
	}
	warnings, err := e.lookup(res.Warnings)
	if err != nil {
		return api.Answer{}, err
	}
	for _, r := range reasons {
		ans.Reasons = append(ans.Reasons, api.Reason{Rule: r.ID, Title: r.Title, Favors: r.Favors, Weight: r.weight(), Summary: r.summary(lang), Citations: slices.Clone(r.Citations)})
	}
	for _, r := range constraints {
		ans.Constraints = append(ans.Constraints, api.Constraint{Rule: r.ID, Title: r.Title, Excludes: r.Excludes, Favors: r.Favors, Weight: r.weight(), Summary: r.summary(lang), Citations: slices.Clone(r.Citations)})
	}
	for _, r := range warnings {
		ans.Warnings = append(ans.Warnings, api.Warning{Rule: r.ID, Title: r.Title, Summary: r.summary(lang), Citations: slices.Clone(r.Citations)})
	}
	return ans, nil
}

// lookup finds the rules the policy named, heaviest first, then by id.
func (e *Engine) lookup(ids []string) ([]*Rule, error) {
	rules := make([]*Rule, 0, len(ids))
	for _, id := range ids {
		r, ok := e.byID[id]
		if !ok {
			return nil, fmt.Errorf("%w: the answer names rule %q, which has no annotation", ErrEvaluation, id)
		}
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b *Rule) int {
		if wa, wb := a.weight(), b.weight(); wa != wb {
			if wa > wb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.ID, b.ID)
	})
	return rules, nil
}

func (r *Rule) weight() float64 {
	if r.Weight == nil {
		return 0
	}
	return *r.Weight
}

// summary is the rule's summary in lang: the description, or its Chinese
// text when asked for and written.
func (r *Rule) summary(lang Lang) string {
	if lang == Chinese && r.summaryZH != "" {
		return r.summaryZH
	}
	return r.Description
}
