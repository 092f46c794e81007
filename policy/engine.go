// Package policy holds the advisor's rules, written in Rego with their
// citations in METADATA annotations, the catalog of the source documents they
// cite, and the engine that compiles the rules once and evaluates them for
// each workload.
//
// All of the decision is Rego (rego/): factor packages under
// data.advise.factors state needs and preferences, placement packages under
// data.advise.placements state how far each placement serves them, and
// data.advise.decision combines the two. The engine loads, evaluates, adds
// the factor packages' findings together, remembers results by the few input
// values they depend on, and presents them; it decides nothing.
package policy

import (
	"cmp"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
)

// Version is the version of the rule set; the digest pins the exact text.
const Version = "2.0.0"

//go:embed rego
var embedded embed.FS

// ErrPolicy marks a rule set that does not load, parse, compile or hold
// together.
var ErrPolicy = errors.New("policy does not load")

// ErrEvaluation marks an evaluation that did not produce an answer.
var ErrEvaluation = errors.New("policy evaluation failed")

// The documents the engine reads.
var (
	factorsRoot    = ast.MustParseRef("data.advise.factors")
	placementsRoot = ast.MustParseRef("data.advise.placements")
	findingsRoot   = ast.MustParseRef("data.advise.findings")
	layoutSizing   = ast.MustParseRef("data.advise.layout.sizing")
)

// Engine evaluates workloads against a compiled, prepared rule set. It is safe
// for concurrent use.
type Engine struct {
	validator  *api.Validator
	info       api.PolicyInfo
	rules      []Rule
	byID       map[string]*Rule
	sources    []Source
	placements []Placement
	byName     map[string]*Placement
	// index is each placement's position in placements.
	index map[string]int
	// degrees is how far each placement serves each capability.
	degrees map[string]map[string]float64
	factors []*factorPackage
	// bits is the place of each factor rule (need, preference or warning)
	// in a ruleBits set.
	bits     map[string]int
	decision *decider
	// contribution evaluates advise.findings.contribution.
	contribution rego.PreparedEvalQuery
	sizing       *sizer
	bands        *bander
	// reads has bit i set for every contract field (i its index in
	// api.Fields) some query of the rules reads.
	reads uint64
	// evaluations counts the Rego evaluations, what the tables did not
	// already hold.
	evaluations atomic.Int64
	terms       terms
	// revision is the bundle revisions of the organisation's policies.
	revision string
}

// Rule describes one public rule, read from its METADATA annotation.
type Rule struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Kind is need, preference, warning or statement.
	Kind string `json:"kind"`
	// Favors is the end of the scale (vm or container) a need or a
	// preference pulls towards, from how the placements serve its
	// capability.
	Favors     string   `json:"favors,omitempty"`
	Capability string   `json:"capability,omitempty"`
	Weight     *float64 `json:"weight,omitempty"`
	// Grouping is the VM grouping a need or preference asks a hybrid for.
	Grouping  string   `json:"grouping,omitempty"`
	AppliesTo []string `json:"applies_to,omitempty"`
	// Placement is the placement a statement belongs to, and Serves how
	// far it serves each capability it covers.
	Placement string             `json:"placement,omitempty"`
	Serves    map[string]float64 `json:"serves,omitempty"`
	Package   string             `json:"package"`
	Citations []api.Citation     `json:"citations"`
	// Origin is builtin or the organisation's policy the rule came from.
	Origin string `json:"origin"`

	// titleZH and summaryZH are the Chinese title and summary an answer
	// shows for the rule.
	titleZH, summaryZH string
}

// Placement is one placement the rules weigh, read from its package's
// METADATA and rules.
type Placement struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Description    string `json:"description"`
	Recommendation string `json:"recommendation"`
	HybridPattern  string `json:"hybrid_pattern,omitempty"`
	Package        string `json:"package"`

	titleZH, summaryZH string
}

// Source is one entry of the sources catalog.
type Source struct {
	File     string `json:"file"`
	Title    string `json:"title"`
	Site     string `json:"site"`
	Language string `json:"language"`
	URL      string `json:"url,omitempty"`
}

// New compiles and prepares the embedded rule set.
func New(ctx context.Context) (*Engine, error) { return Load(ctx, Options{}) }

// NewFromFS compiles and prepares the .rego files of fsys and its folders,
// leaving out tests. It fails with ErrPolicy, saying what is wrong where,
// when the rules do not parse or compile, call a builtin whose results the
// engine could not remember, break the decision model's checks, or leave a
// capability a need or preference asks for unstated by a placement.
func NewFromFS(ctx context.Context, fsys fs.FS) (*Engine, error) {
	set, err := readFS(fsys, OriginBuiltin)
	if err != nil {
		return nil, err
	}
	return build(ctx, set)
}

// build compiles, checks and prepares a rule set.
func build(ctx context.Context, set *policySet) (*Engine, error) {
	compiler, annotations, err := compile(set.texts, set.applyOverrides)
	if err != nil {
		return nil, err
	}
	if err := checkBuiltins(compiler); err != nil {
		return nil, err
	}
	if err := checkModel(ctx, compiler); err != nil {
		return nil, err
	}
	if err := checkDecision(compiler); err != nil {
		return nil, err
	}
	e := &Engine{info: api.PolicyInfo{Version: Version, Digest: set.digest()}, validator: api.NewValidator(), revision: set.revision}
	if e.sources, err = readSources(ctx, compiler, set); err != nil {
		return nil, err
	}
	if err := checkParameters(ctx, compiler, set); err != nil {
		return nil, err
	}
	tables, err := readPlacements(ctx, compiler, annotations)
	if err != nil {
		return nil, err
	}
	e.placements = tables.placements
	e.degrees = map[string]map[string]float64{}
	for p, caps := range tables.serves {
		e.degrees[p] = map[string]float64{}
		for c, s := range caps {
			e.degrees[p][c] = s.degree
		}
	}
	e.byName = make(map[string]*Placement, len(e.placements))
	e.index = make(map[string]int, len(e.placements))
	for i := range e.placements {
		e.byName[e.placements[i].ID] = &e.placements[i]
		e.index[e.placements[i].ID] = i
	}
	if e.rules, err = readRules(annotations, e.sources, tables, set.origins); err != nil {
		return nil, err
	}
	e.byID = make(map[string]*Rule, len(e.rules))
	for i := range e.rules {
		e.byID[e.rules[i].ID] = &e.rules[i]
	}
	if err := checkCapabilities(e.rules, tables); err != nil {
		return nil, err
	}
	if e.factors, e.bits, err = factorPackages(ctx, compiler, e.byID); err != nil {
		return nil, err
	}
	e.makeTerms()
	if e.decision, err = newDecider(ctx, compiler); err != nil {
		return nil, err
	}
	if e.contribution, err = prepare(ctx, compiler, contributionQuery, rego.GenerateJSON(termJSON)); err != nil {
		return nil, err
	}
	if e.sizing, err = newSizer(ctx, compiler); err != nil {
		return nil, err
	}
	if e.bands, err = newBander(ctx, compiler); err != nil {
		return nil, err
	}
	e.reads = e.decision.keys.mask | e.sizing.keys.mask
	for _, p := range e.factors {
		e.reads |= p.keys.mask
	}
	return e, nil
}

// readPolicy reads every policy file but the tests, in fsys and its folders,
// by path.
func readPolicy(fsys fs.FS) (map[string][]byte, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".rego") && !strings.HasSuffix(path, "_test.rego") {
			names = append(names, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: list files: %v", ErrPolicy, err)
	}
	texts := make(map[string][]byte, len(names))
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", ErrPolicy, name, err)
		}
		texts[name] = src
	}
	if len(texts) == 0 {
		return nil, fmt.Errorf("%w: no .rego files", ErrPolicy)
	}
	return texts, nil
}

// digest is a digest of the set's files, by their digest names and texts,
// in that order: the same rules give the same digest wherever their files
// are.
func (s *policySet) digest() string {
	type file struct{ name, text string }
	files := make([]file, 0, len(s.texts))
	for name, src := range s.texts {
		files = append(files, file{cmp.Or(s.digestNames[name], name), string(src)})
	}
	slices.SortFunc(files, func(a, b file) int { return cmp.Or(strings.Compare(a.name, b.name), strings.Compare(a.text, b.text)) })
	hash := sha256.New()
	for _, f := range files {
		fmt.Fprintf(hash, "%s\x00%d\x00", f.name, len(f.text))
		hash.Write([]byte(f.text))
	}
	return "sha256:" + hex.EncodeToString(hash.Sum(nil))
}

// capabilities is the one capabilities value every parse, compile and
// query uses: left unset, OPA builds and sorts a fresh copy of the builtin
// list for each file and query.
var capabilities = ast.CapabilitiesForThisVersion(ast.CapabilitiesRegoVersion(ast.RegoV1))

// compile parses and compiles the policy, strictly, as `opa check --strict`
// does.
func compile(texts map[string][]byte, edit func(map[string]*ast.Module) error) (*ast.Compiler, *ast.AnnotationSet, error) {
	modules, err := parse(texts)
	if err != nil {
		return nil, nil, err
	}
	if err := edit(modules); err != nil {
		return nil, nil, err
	}
	annotations, errs := ast.BuildAnnotationSet(slices.Collect(maps.Values(modules)))
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%w: %v", ErrPolicy, errs)
	}
	compiler := ast.NewCompiler().WithStrict(true).WithCapabilities(capabilities)
	if compiler.Compile(modules); compiler.Failed() {
		return nil, nil, fmt.Errorf("%w: %v", ErrPolicy, compiler.Errors)
	}
	return compiler, annotations, nil
}

// parse parses the files, on as many CPUs as there are (parsing, METADATA
// included, is about a third of loading the rules), and reports the first
// file in name order that does not parse.
func parse(texts map[string][]byte) (map[string]*ast.Module, error) {
	names := slices.Sorted(maps.Keys(texts))
	mods := make([]*ast.Module, len(names))
	errs := make([]error, len(names))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(names)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(names); i = int(next.Add(1) - 1) {
				mods[i], errs[i] = ast.ParseModuleWithOpts(names[i], string(texts[names[i]]), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1, Capabilities: capabilities})
			}
		})
	}
	wg.Wait()
	modules := make(map[string]*ast.Module, len(names))
	for i, name := range names {
		if errs[i] != nil {
			return nil, fmt.Errorf("%w: %v", ErrPolicy, errs[i])
		}
		modules[name] = mods[i]
	}
	return modules, nil
}

// policyQuery is a query on the compiled rules, parsed with the capabilities
// they were compiled with.
func policyQuery(compiler *ast.Compiler, query string, opts ...func(*rego.Rego)) (*rego.Rego, error) {
	body, err := ast.ParseBodyWithOpts(query, ast.ParserOptions{Capabilities: capabilities, RegoVersion: ast.RegoV1, SkipRules: true})
	if err != nil {
		return nil, fmt.Errorf("%w: parse %s: %v", ErrPolicy, query, err)
	}
	return rego.New(append([]func(*rego.Rego){rego.ParsedQuery(body), rego.Compiler(compiler)}, opts...)...), nil
}

// prepare prepares query on the compiled rules for evaluation.
func prepare(ctx context.Context, compiler *ast.Compiler, query string, opts ...func(*rego.Rego)) (rego.PreparedEvalQuery, error) {
	r, err := policyQuery(compiler, query, opts...)
	if err != nil {
		return rego.PreparedEvalQuery{}, err
	}
	prepared, err := r.PrepareForEval(ctx)
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("%w: prepare %s: %v", ErrPolicy, query, err)
	}
	return prepared, nil
}

// evalOnce evaluates a document that does not depend on the input, at load.
func evalOnce(ctx context.Context, compiler *ast.Compiler, query string) (any, error) {
	r, err := policyQuery(compiler, query, rego.Input(map[string]any{}))
	if err != nil {
		return nil, err
	}
	rs, err := r.Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrPolicy, query, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%w: %s is undefined", ErrPolicy, query)
	}
	return rs[0].Expressions[0].Value, nil
}

// checkModel refuses a policy whose placements break what the decision
// model relies on (advise.model.problems).
func checkModel(ctx context.Context, compiler *ast.Compiler) error {
	v, err := evalOnce(ctx, compiler, "data.advise.model.problems")
	if err != nil {
		return err
	}
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	msgs := make([]string, len(list))
	for i, m := range list {
		msgs[i] = fmt.Sprint(m)
	}
	slices.Sort(msgs)
	return fmt.Errorf("%w: the decision model does not hold: %s", ErrPolicy, strings.Join(msgs, "; "))
}

// sourceID is what a source's id may be (openapi.yaml's Source.file).
var sourceID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// readSources reads the sources catalog, refusing an organisation's source
// whose id is a built-in one's or that lacks a title or a language.
func readSources(ctx context.Context, compiler *ast.Compiler, set *policySet) ([]Source, error) {
	if len(set.org.Sources) > 0 {
		v, err := evalOnce(ctx, compiler, "data.advise.sources.builtin")
		if err != nil {
			return nil, err
		}
		builtin, _ := v.(map[string]any)
		for _, id := range slices.Sorted(maps.Keys(set.org.Sources)) {
			s := set.org.Sources[id]
			switch {
			case builtin[id] != nil:
				return nil, fmt.Errorf("%w: %s: data.advise.org.sources[%q]: a built-in source has that id", ErrPolicy, set.orgFrom, id)
			case !sourceID.MatchString(id):
				return nil, fmt.Errorf("%w: %s: data.advise.org.sources[%q]: an id is 1 to 128 letters, digits, dots, dashes and underscores, starting with a letter or digit", ErrPolicy, set.orgFrom, id)
			case strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Language) == "":
				return nil, fmt.Errorf("%w: %s: data.advise.org.sources[%q] needs a title and a language", ErrPolicy, set.orgFrom, id)
			}
		}
	}
	v, err := evalOnce(ctx, compiler, "data.advise.sources.catalog")
	if err != nil {
		return nil, err
	}
	catalog, ok := v.(map[string]any)
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
		s.URL, _ = entry["url"].(string)
		sources = append(sources, s)
	}
	slices.SortFunc(sources, func(a, b Source) int { return strings.Compare(a.File, b.File) })
	return sources, nil
}

// Rules lists every public rule, sorted by id.
func (e *Engine) Rules() []Rule { return e.rules }

// Placements lists the placements the rules weigh, sorted by id.
func (e *Engine) Placements() []Placement { return e.placements }

// Sources lists the sources catalog, sorted by file name.
func (e *Engine) Sources() []Source { return e.sources }

// Info identifies the rule set.
func (e *Engine) Info() api.PolicyInfo { return e.info }

// Revision is the revision the organisation's bundles give in their
// manifests, comma-separated, or "" when none does.
func (e *Engine) Revision() string { return e.revision }

// Lang selects the language of titles and summaries.
type Lang string

// The languages titles and summaries are written in.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

// title is the rule's title in lang.
func (r *Rule) title(lang Lang) string {
	if lang == Chinese && r.titleZH != "" {
		return r.titleZH
	}
	return r.Title
}

// summary is the rule's summary in lang: the description, or its Chinese
// text when asked for and written.
func (r *Rule) summary(lang Lang) string {
	if lang == Chinese && r.summaryZH != "" {
		return r.summaryZH
	}
	return r.Description
}

// TitleIn is the rule's title in lang, for pages that list the rules.
func (r *Rule) TitleIn(lang Lang) string { return r.title(lang) }

// SummaryIn is the rule's summary in lang.
func (r *Rule) SummaryIn(lang Lang) string { return r.summary(lang) }

func (r *Rule) weight() float64 {
	if r.Weight == nil {
		return 0
	}
	return *r.Weight
}

// TitleIn is the placement's title in lang.
func (p *Placement) TitleIn(lang Lang) string { return p.title(lang) }

func (p *Placement) title(lang Lang) string {
	if lang == Chinese && p.titleZH != "" {
		return p.titleZH
	}
	return p.Title
}
