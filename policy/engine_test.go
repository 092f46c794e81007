package policy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
	"github.com/placement-advisor/advise/policy"
)

// sourceTitles is the catalog of the five source documents, written out so a
// renamed file or a changed title fails here.
var sourceTitles = map[string]string{
	"000_52410bb239ef2d82.txt": "容器与虚拟机的区别与关系",
	"001_12de2612dfdf4b91.txt": "docker容器与虚拟机有什么区别?",
	"002_687a735013d0ae0c.txt": "虚拟机&容器技术",
	"003_681de61063999d7b.txt": "Docker containers and virtual machines difference",
	"004_c47ec412e6d24774.txt": "容器技术实战学习报告",
}

// sharedDir holds DESIGN.md and sources/, outside the module.
const sharedDir = "../../shared"

var options = []string{api.RecommendVM, api.RecommendContainer, api.RecommendHybrid}

func newEngine(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background())
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	return e
}

// knowledgeMapLine is one line of the knowledge map in DESIGN.md: the rules
// that encode it and the source files the line names (by number).
type knowledgeMapLine struct {
	rules []string
	files []string
}

// knowledgeMap is keyed by the line's number in the DESIGN.md knowledge map.
var knowledgeMap = map[int]knowledgeMapLine{
	1:  {[]string{"platform.guest_os_differs"}, []string{"000", "003", "002"}},
	2:  {[]string{"platform.custom_kernel"}, []string{"000", "003"}},
	3:  {[]string{"isolation.untrusted_tenants"}, []string{"001", "004", "003", "000"}},
	4:  {[]string{"isolation.single_organisation"}, []string{"001"}},
	5:  {[]string{"isolation.requires_root", "isolation.no_root_in_containers"}, []string{"003", "001"}},
	6:  {[]string{"isolation.hardware", "isolation.strict"}, []string{"003", "000"}},
	7:  {[]string{"agility.startup_subsecond", "agility.startup_seconds"}, []string{"000", "001", "002", "003", "004"}},
	8:  {[]string{"agility.high_density"}, []string{"001", "003", "000", "002"}},
	9:  {[]string{"agility.elastic_scaling"}, []string{"001", "000"}},
	10: {[]string{"agility.microservices"}, []string{"000", "001", "002"}},
	11: {[]string{"agility.frequent_releases"}, []string{"002", "003"}},
	12: {[]string{"agility.environment_drift"}, []string{"002"}},
	13: {[]string{"agility.near_native_performance"}, []string{"003", "000"}},
	14: {[]string{"operations.live_migration", "operations.very_high_availability"}, []string{"003"}},
	15: {[]string{"operations.central_management"}, []string{"003"}},
	16: {[]string{"operations.no_orchestrator", "operations.orchestrator_available"}, []string{"002", "000"}},
	17: {[]string{"operations.team_without_container_experience", "operations.container_skills_scarce"}, []string{"002"}},
	18: {[]string{"operations.full_os", "operations.use_os_containers"}, []string{"002"}},
	19: {[]string{"platform.windows_containers_awkward", "platform.windows_container_tooling"}, []string{"002"}},
	20: {[]string{"hybrid.containers_in_vms"}, []string{"000", "001"}},
	21: {[]string{"hybrid.orchestrator_in_vms"}, []string{"000"}},
	22: {[]string{"hybrid.side_by_side"}, []string{"000", "001"}},
	23: {[]string{"isolation.untrusted_code"}, []string{"003"}},
	24: {[]string{"isolation.component_namespaces"}, []string{"001", "000"}},
}

// designMapLine matches "7. Start-up SLA …: containers … — all five." in DESIGN.md.
var designMapLine = regexp.MustCompile(`(?m)^(\d+)\. .* — ([0-9, ]+|all five)\.$`)

// TestKnowledgeMapTableMatchesDesign checks the table above against the
// knowledge map as DESIGN.md states it, so the table cannot drift from it.
func TestKnowledgeMapTableMatchesDesign(t *testing.T) {
	design, err := os.ReadFile(filepath.Join(sharedDir, "DESIGN.md"))
	if err != nil {
		t.Skipf("DESIGN.md not available: %v", err)
	}
	lines := designMapLine.FindAllStringSubmatch(string(design), -1)
	if len(lines) != len(knowledgeMap) {
		t.Fatalf("DESIGN.md knowledge map has %d lines, table has %d", len(lines), len(knowledgeMap))
	}
	for _, m := range lines {
		n, _ := strconv.Atoi(m[1])
		want := []string{"000", "001", "002", "003", "004"}
		if m[2] != "all five" {
			want = strings.Split(m[2], ", ")
		}
		line, ok := knowledgeMap[n]
		if !ok {
			t.Errorf("knowledge map line %d is not in the table", n)
			continue
		}
		if got := slices.Sorted(slices.Values(line.files)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("line %d: table names files %v, DESIGN.md names %v", n, got, want)
		}
	}
}

// TestKnowledgeMapCoverage checks that every line of the knowledge map has
// rules, that together they cite every file the line names, and that every
// rule belongs to some line.
func TestKnowledgeMapCoverage(t *testing.T) {
	e := newEngine(t)
	rules := map[string]policy.Rule{}
	for _, r := range e.Rules() {
		rules[r.ID] = r
	}
	onMap := map[string]bool{}
	for n, line := range knowledgeMap {
		if len(line.rules) == 0 {
			t.Errorf("line %d: no rules", n)
		}
		cited := map[string]bool{}
		for _, id := range line.rules {
			onMap[id] = true
			r, ok := rules[id]
			if !ok {
				t.Errorf("line %d: rule %s is not in Rules()", n, id)
				continue
			}
			for _, c := range r.Citations {
				cited[c.Source[:3]] = true
			}
		}
		for _, f := range line.files {
			if !cited[f] {
				t.Errorf("line %d: none of %v cites %s", n, line.rules, f)
			}
		}
		if n >= 20 && n <= 22 {
			for _, id := range line.rules {
				if !strings.HasPrefix(id, "hybrid.") {
					t.Errorf("line %d is a hybrid pattern, rule %s is not", n, id)
				}
			}
		}
	}
	for id := range rules {
		if !onMap[id] {
			t.Errorf("rule %s is on no line of the knowledge map", id)
		}
	}
}

// TestRulesAreComplete checks every rule's annotation: the fields its kind
// needs, and citations that name a catalog file with its catalog title.
func TestRulesAreComplete(t *testing.T) {
	e := newEngine(t)
	if len(e.Rules()) < len(knowledgeMap) {
		t.Fatalf("%d rules, want at least %d", len(e.Rules()), len(knowledgeMap))
	}
	for _, r := range e.Rules() {
		if r.Title == "" || r.Description == "" {
			t.Errorf("%s: missing title or description", r.ID)
		}
		if !strings.HasPrefix(r.ID, strings.TrimPrefix(r.Package, "advise.factors.")+".") &&
			!strings.HasPrefix(r.ID, strings.TrimPrefix(r.Package, "advise.")+".") {
			t.Errorf("%s: id does not start with its package %s", r.ID, r.Package)
		}
		switch r.Kind {
		case "reason":
			if !slices.Contains(options, r.Favors) {
				t.Errorf("%s: favors %q, want one of %v", r.ID, r.Favors, options)
			}
			if r.Weight == nil || *r.Weight < 0 {
				t.Errorf("%s: reason needs a non-negative weight", r.ID)
			}
		case "constraint":
			if r.Excludes != api.RecommendVM && r.Excludes != api.RecommendContainer {
				t.Errorf("%s: excludes %q, want vm or container", r.ID, r.Excludes)
			}
			if !slices.Contains(options, r.Favors) || r.Favors == r.Excludes {
				t.Errorf("%s: constraint favors %q", r.ID, r.Favors)
			}
			if r.Weight == nil || *r.Weight <= 0 {
				t.Errorf("%s: constraint needs a positive weight", r.ID)
			}
		case "warning":
			if len(r.AppliesTo) == 0 {
				t.Errorf("%s: warning applies to nothing", r.ID)
			}
			for _, o := range r.AppliesTo {
				if !slices.Contains(options, o) {
					t.Errorf("%s: applies_to %q, want one of %v", r.ID, o, options)
				}
			}
		default:
			t.Errorf("%s: kind %q, want reason, constraint or warning", r.ID, r.Kind)
		}
		if len(r.Citations) == 0 {
			t.Errorf("%s: no citations", r.ID)
		}
		for _, c := range r.Citations {
			title, ok := sourceTitles[c.Source]
			if !ok {
				t.Errorf("%s: cites %q, which is not one of the five sources", r.ID, c.Source)
				continue
			}
			if c.Title != title {
				t.Errorf("%s: cites %s with title %q, catalog says %q", r.ID, c.Source, c.Title, title)
			}
			if strings.TrimSpace(c.Locator) == "" {
				t.Errorf("%s: citation of %s has no locator", r.ID, c.Source)
			}
		}
	}
}

// locatorParts splits a locator into the passages it names: a heading and the
// words under it are joined by " — ", alternatives by "；".
var locatorParts = regexp.MustCompile(` — |；`)

func withoutSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// TestLocatorsAreInTheirSources checks that a reviewer can find every cited
// passage: each part of each locator occurs in the cited file, ignoring
// whitespace.
func TestLocatorsAreInTheirSources(t *testing.T) {
	dir := filepath.Join(sharedDir, "sources")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("sources not available: %v", err)
	}
	texts := map[string]string{}
	for file := range sourceTitles {
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatalf("read source: %v", err)
		}
		texts[file] = withoutSpace(string(src))
	}
	for _, r := range newEngine(t).Rules() {
		for _, c := range r.Citations {
			text, ok := texts[c.Source]
			if !ok {
				t.Errorf("%s: unknown source %q", r.ID, c.Source)
				continue
			}
			for _, part := range locatorParts.Split(c.Locator, -1) {
				if part = withoutSpace(part); part == "" || !strings.Contains(text, part) {
					t.Errorf("%s: locator %q: %q is not in %s", r.ID, c.Locator, part, c.Source)
				}
			}
		}
	}
}

// TestEveryRuleHasAChineseSummary reads summary_zh straight from the
// annotations and checks it against the Rules() listing and the answers.
func TestEveryRuleHasAChineseSummary(t *testing.T) {
	summaries := map[string]string{}
	for name, src := range regoFiles(t) {
		mod, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		for _, a := range mod.Annotations {
			id, _ := a.Custom["id"].(string)
			if id == "" {
				continue
			}
			zh, _ := a.Custom["summary_zh"].(string)
			if !strings.ContainsFunc(zh, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: summary_zh %q is not Chinese text", id, zh)
			}
			summaries[id] = zh
		}
	}
	e := newEngine(t)
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
		if _, ok := summaries[r.ID]; !ok {
			t.Errorf("%s: no summary_zh annotation", r.ID)
		}
	}
	if got := slices.Sorted(func(yield func(string) bool) {
		for id := range summaries {
			if !yield(id) {
				return
			}
		}
	}); !slices.Equal(got, ids) {
		t.Errorf("annotated ids %v, Rules() %v", got, ids)
	}

	// A workload that fires a broad set of rules reads summary_zh in Chinese.
	req := parse(t, `{"multi_tenant":true,"requires_root":true,"startup_sla_ms":500,
		"density":"high","team_container_experience":"none","isolation":"hardware"}`)
	ans, err := e.AdviseOnly(context.Background(), &req, policy.Chinese)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ans.Reasons {
		if r.Summary != summaries[r.Rule] {
			t.Errorf("%s: Chinese answer says %q, annotation %q", r.Rule, r.Summary, summaries[r.Rule])
		}
	}
	for _, c := range ans.Constraints {
		if c.Summary != summaries[c.Rule] {
			t.Errorf("%s: Chinese answer says %q, annotation %q", c.Rule, c.Summary, summaries[c.Rule])
		}
	}
	for _, w := range ans.Warnings {
		if w.Summary != summaries[w.Rule] {
			t.Errorf("%s: Chinese answer says %q, annotation %q", w.Rule, w.Summary, summaries[w.Rule])
		}
	}
	if len(ans.Reasons) == 0 || len(ans.Constraints) == 0 || len(ans.Warnings) == 0 {
		t.Errorf("want reasons, constraints and warnings, got %d, %d, %d", len(ans.Reasons), len(ans.Constraints), len(ans.Warnings))
	}
}

// parse decodes and validates a request body the way the service does.
func parse(t *testing.T, body string) api.Request {
	t.Helper()
	req, err := api.NewValidator().Parse([]byte(body))
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	return req
}

// TestBoundariesThroughTheEngine checks the numeric thresholds end to end, from
// JSON through the engine's Rego input to the rule, so an integer or float
// conversion on the way cannot move a boundary.
func TestBoundariesThroughTheEngine(t *testing.T) {
	e := newEngine(t)
	cases := map[string]struct {
		body  string
		rule  string
		fires bool
	}{
		"startup 1 ms is sub-second":        {`{"multi_tenant":false,"startup_sla_ms":1}`, "agility.startup_subsecond", true},
		"startup 1000 ms is sub-second":     {`{"multi_tenant":false,"startup_sla_ms":1000}`, "agility.startup_subsecond", true},
		"startup 1001 ms is not sub-second": {`{"multi_tenant":false,"startup_sla_ms":1001}`, "agility.startup_subsecond", false},
		"startup 1000 ms is not seconds":    {`{"multi_tenant":false,"startup_sla_ms":1000}`, "agility.startup_seconds", false},
		"startup 1001 ms is seconds":        {`{"multi_tenant":false,"startup_sla_ms":1001}`, "agility.startup_seconds", true},
		"startup 59999 ms is seconds":       {`{"multi_tenant":false,"startup_sla_ms":59999}`, "agility.startup_seconds", true},
		"startup 60000 ms is not seconds":   {`{"multi_tenant":false,"startup_sla_ms":60000}`, "agility.startup_seconds", false},
		"availability 99.99 is very high":   {`{"multi_tenant":false,"availability_target":99.99}`, "operations.very_high_availability", true},
		"availability 99.9999 is very high": {`{"multi_tenant":false,"availability_target":99.9999}`, "operations.very_high_availability", true},
		"availability 99.98 is not":         {`{"multi_tenant":false,"availability_target":99.98}`, "operations.very_high_availability", false},
		"availability 99.989999 is not":     {`{"multi_tenant":false,"availability_target":99.989999}`, "operations.very_high_availability", false},
		"20 instances need an orchestrator": {`{"multi_tenant":false,"instances":20,"startup_sla_ms":500}`, "operations.no_orchestrator", true},
		"19 instances do not":               {`{"multi_tenant":false,"instances":19,"startup_sla_ms":500}`, "operations.no_orchestrator", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := parse(t, tc.body)
			ans, err := e.AdviseOnly(context.Background(), &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			var fired []string
			for _, r := range ans.Reasons {
				fired = append(fired, r.Rule)
			}
			for _, w := range ans.Warnings {
				fired = append(fired, w.Rule)
			}
			if slices.Contains(fired, tc.rule) != tc.fires {
				t.Errorf("%s fired = %v, want %v (fired: %v)", tc.rule, !tc.fires, tc.fires, fired)
			}
		})
	}
}

func TestNewFromFSRejectsBrokenPolicies(t *testing.T) {
	ctx := context.Background()
	catalog := []byte("package advise.sources\n\ncatalog := {}\n")
	cases := map[string]fstest.MapFS{
		"no files":      {},
		"only tests":    {"x_test.rego": {Data: []byte("package x_test\n\ntest_ok if true\n")}},
		"other files":   {"README.md": {Data: []byte("# rules\n")}},
		"syntax error":  {"broken.rego": {Data: []byte("package advise.decision\n\nanswer := {\n")}},
		"v0 syntax":     {"old.rego": {Data: []byte("package advise.decision\n\nanswer[x] { x := 1 }\n")}},
		"undefined ref": {"sources.rego": {Data: catalog}, "decision.rego": {Data: []byte("package advise.decision\n\nanswer := no_such_function(input)\n")}},
		"unsafe var":    {"sources.rego": {Data: catalog}, "decision.rego": {Data: []byte("package advise.decision\n\nanswer := x if x > 1\n")}},
		"unused import": {"sources.rego": {Data: catalog}, "decision.rego": {Data: []byte("package advise.decision\n\nimport data.advise.sources\n\nanswer := 1\n")}},
		"no catalog":    {"decision.rego": {Data: []byte("package advise.decision\n\nanswer := {}\n")}},
	}
	for name, fsys := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := policy.NewFromFS(ctx, fsys)
			if !errors.Is(err, policy.ErrPolicy) {
				t.Fatalf("err = %v, want ErrPolicy", err)
			}
			if e != nil {
				t.Error("got an engine along with the error")
			}
		})
	}
}

func TestNewFromFSMatchesTheEmbeddedRules(t *testing.T) {
	ctx := context.Background()
	embedded := newEngine(t)
	fromDir, err := policy.NewFromFS(ctx, os.DirFS("."))
	if err != nil {
		t.Fatalf("NewFromFS(.): %v", err)
	}
	if fromDir.Info() != embedded.Info() {
		t.Errorf("policy from the directory %+v, embedded %+v", fromDir.Info(), embedded.Info())
	}

	// The digest pins the rule text: one changed byte changes it, tests do not.
	files := fstest.MapFS{}
	for name, src := range regoFiles(t) {
		files[name] = &fstest.MapFile{Data: []byte(src)}
	}
	same, err := policy.NewFromFS(ctx, files)
	if err != nil {
		t.Fatal(err)
	}
	files["decision.rego"] = &fstest.MapFile{Data: append(files["decision.rego"].Data, "\n# changed\n"...)}
	files["extra_test.rego"] = &fstest.MapFile{Data: []byte("package extra_test\n\ntest_x if true\n")}
	changed, err := policy.NewFromFS(ctx, files)
	if err != nil {
		t.Fatal(err)
	}
	if same.Info().Digest != embedded.Info().Digest {
		t.Errorf("same rules, digest %s, embedded %s", same.Info().Digest, embedded.Info().Digest)
	}
	if changed.Info().Digest == embedded.Info().Digest {
		t.Error("changed rule text kept the digest")
	}
}

func TestAdviseHonoursACancelledContext(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := parse(t, `{"multi_tenant":true}`)
	if _, err := e.Advise(ctx, &req, policy.English); !errors.Is(err, context.Canceled) {
		t.Errorf("Advise: err = %v, want context.Canceled", err)
	}
	if _, err := e.AdviseOnly(ctx, &req, policy.English); !errors.Is(err, context.Canceled) {
		t.Errorf("AdviseOnly: err = %v, want context.Canceled", err)
	}
}

func TestInfoAndSources(t *testing.T) {
	a, b := newEngine(t), newEngine(t)
	info := a.Info()
	if !strings.HasPrefix(info.Digest, "sha256:") || len(info.Digest) != len("sha256:")+64 {
		t.Errorf("digest %q, want sha256: and 64 hex digits", info.Digest)
	}
	if info.Version != policy.Version || info.Version == "" {
		t.Errorf("version %q, want %q", info.Version, policy.Version)
	}
	if b.Info() != info {
		t.Errorf("two engines disagree: %+v and %+v", info, b.Info())
	}
	got := map[string]string{}
	for _, s := range a.Sources() {
		got[s.File] = s.Title
		if s.Site == "" || (s.Language != "zh" && s.Language != "en") {
			t.Errorf("%s: site %q, language %q", s.File, s.Site, s.Language)
		}
	}
	if len(got) != len(sourceTitles) || len(a.Sources()) != len(sourceTitles) {
		t.Fatalf("Sources() has %d files, want %d", len(a.Sources()), len(sourceTitles))
	}
	for file, title := range sourceTitles {
		if got[file] != title {
			t.Errorf("%s: title %q, want %q", file, got[file], title)
		}
	}
	if !slices.IsSortedFunc(a.Sources(), func(x, y policy.Source) int { return strings.Compare(x.File, y.File) }) {
		t.Error("Sources() not sorted by file")
	}
	if !slices.IsSortedFunc(a.Rules(), func(x, y policy.Rule) int { return strings.Compare(x.ID, y.ID) }) {
		t.Error("Rules() not sorted by id")
	}
}

// generatedRequests are valid requests from the shared deterministic generator.
func generatedRequests(t *testing.T, n int) []api.Request {
	t.Helper()
	return workloadgen.New(20261123).Requests(n)
}
