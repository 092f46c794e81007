package policy_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

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

// sourcesEnv names the directory that holds the source documents, which live
// outside the repository; .ci/run sets it.
const sourcesEnv = "ADVISE_SOURCES_DIR"

var options = []string{api.RecommendVM, api.RecommendContainer, api.RecommendHybrid}

func newEngine(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background())
	if err != nil {
		t.Fatalf("policy.New: %v", err)
	}
	return e
}

// policyFiles reads the rule files (not the tests) of the policy's folder.
func policyFiles(t testing.TB) fstest.MapFS {
	t.Helper()
	files := fstest.MapFS{}
	err := filepath.WalkDir("rego", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") || strings.HasSuffix(path, "_test.rego") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(path, "rego/")] = &fstest.MapFile{Data: src}
		return nil
	})
	if err != nil || len(files) == 0 {
		t.Fatalf("read the policy: %v", err)
	}
	return files
}

// mapRow matches a row of the table in docs/knowledge-map.md: line, guidance,
// rules, cites, not cited.
var mapRow = regexp.MustCompile(`(?m)^\| (\d+) \| [^|]+ \| ([^|]+) \| ([0-9, ]+) \|[^|]*\|$`)

// TestKnowledgeMap holds docs/knowledge-map.md to the rules: every rule it
// names exists, every rule is on some line, and each line's cites column is
// the documents its rules cite.
func TestKnowledgeMap(t *testing.T) {
	doc, err := os.ReadFile("../docs/knowledge-map.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := mapRow.FindAllStringSubmatch(string(doc), -1)
	if len(rows) < 24 {
		t.Fatalf("the knowledge map has %d lines, want the 24 of the guidance at least", len(rows))
	}
	rules := map[string]policy.Rule{}
	for _, r := range newEngine(t).Rules() {
		rules[r.ID] = r
	}
	onMap := map[string]bool{}
	for _, row := range rows {
		line := row[1]
		cited := map[string]bool{}
		for _, id := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(row[2], -1) {
			onMap[id[1]] = true
			r, ok := rules[id[1]]
			if !ok {
				t.Errorf("line %s: rule %s does not exist", line, id[1])
				continue
			}
			for _, c := range r.Citations {
				cited[c.Source[:3]] = true
			}
		}
		want := strings.Split(row[3], ", ")
		if got := slices.Sorted(func(yield func(string) bool) {
			for f := range cited {
				if !yield(f) {
					return
				}
			}
		}); !slices.Equal(got, want) {
			t.Errorf("line %s: the cites column says %v, its rules cite %v", line, want, got)
		}
	}
	for id := range rules {
		if !onMap[id] {
			t.Errorf("rule %s is on no line of the knowledge map", id)
		}
	}
}

// TestRulesAreComplete checks every rule's annotation: its id starts with its
// package's last name, it has English and Chinese text, what its kind needs,
// and citations that name a catalog file with its catalog title.
func TestRulesAreComplete(t *testing.T) {
	e := newEngine(t)
	kinds := map[string]int{}
	for _, r := range e.Rules() {
		kinds[r.Kind]++
		pkg := r.Package[strings.LastIndex(r.Package, ".")+1:]
		if !strings.HasPrefix(r.ID, pkg+".") {
			t.Errorf("%s: id does not start with its package %s", r.ID, r.Package)
		}
		if r.Title == "" || r.Description == "" {
			t.Errorf("%s: missing title or description", r.ID)
		}
		switch r.Kind {
		case "need", "preference":
			if !slices.Contains(options, r.Favors) || r.Capability == "" || r.Weight == nil || *r.Weight <= 0 {
				t.Errorf("%s: favors %q, capability %q, weight %v", r.ID, r.Favors, r.Capability, r.Weight)
			}
		case "warning":
			if len(r.AppliesTo) == 0 {
				t.Errorf("%s: warning applies to nothing", r.ID)
			}
		case "statement":
			if strings.HasPrefix(r.Package, "advise.placements.") && len(r.Serves) == 0 {
				t.Errorf("%s: a placement statement that serves no capability", r.ID)
			}
		default:
			t.Errorf("%s: kind %q", r.ID, r.Kind)
		}
		if len(r.Citations) == 0 {
			t.Errorf("%s: no citations", r.ID)
		}
		for _, c := range r.Citations {
			if title, ok := sourceTitles[c.Source]; !ok || c.Title != title || strings.TrimSpace(c.Locator) == "" {
				t.Errorf("%s: citation %+v does not match the catalog", r.ID, c)
			}
		}
	}
	for _, kind := range []string{"need", "preference", "warning", "statement"} {
		if kinds[kind] == 0 {
			t.Errorf("no rule of kind %s", kind)
		}
	}
	names := map[string]bool{}
	for _, p := range e.Placements() {
		names[p.ID] = true
		if p.Title == "" || p.Description == "" || !slices.Contains(options, p.Recommendation) {
			t.Errorf("placement %+v is incomplete", p)
		}
		if (p.Recommendation == api.RecommendHybrid) != (p.HybridPattern != "") {
			t.Errorf("placement %s: recommendation %s with pattern %q", p.ID, p.Recommendation, p.HybridPattern)
		}
	}
	for _, want := range []string{"vm", "container", "os_container", "containers_in_vms", "orchestrator_in_vms", "side_by_side"} {
		if !names[want] {
			t.Errorf("no placement %s", want)
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
// whitespace. The documents are outside the repository, in the directory
// ADVISE_SOURCES_DIR names.
func TestLocatorsAreInTheirSources(t *testing.T) {
	dir := os.Getenv(sourcesEnv)
	if dir == "" {
		t.Skipf("%s is not set, so the locators are not checked against the source documents; .ci/run sets it", sourcesEnv)
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
			for _, part := range locatorParts.Split(c.Locator, -1) {
				if part = withoutSpace(part); part == "" || !strings.Contains(texts[c.Source], part) {
					t.Errorf("%s: locator %q: %q is not in %s", r.ID, c.Locator, part, c.Source)
				}
			}
		}
	}
}

// TestChineseTitlesAndSummaries checks that every rule and placement has a
// Chinese title and summary, and that a Chinese answer shows them.
func TestChineseTitlesAndSummaries(t *testing.T) {
	e := newEngine(t)
	han := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	}
	ctx := context.Background()
	req := parse(t, `{"multi_tenant":true,"tenants":40,"requires_root":true,"startup_sla_ms":500,
		"density":"high","team_container_experience":"none","isolation":"hardware","performance_sensitive":true}`)
	en, err := e.Advise(ctx, &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	zh, err := e.Advise(ctx, &req, policy.Chinese)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range zh.Reasons {
		texts = append(texts, r.Title, r.Summary)
	}
	for _, c := range zh.Constraints {
		texts = append(texts, c.Title, c.Summary)
	}
	for _, u := range zh.Unmet {
		texts = append(texts, u.Title, u.Why)
	}
	for _, w := range zh.Warnings {
		texts = append(texts, w.Title, w.Summary)
	}
	for _, p := range zh.Placements {
		texts = append(texts, p.Title)
	}
	for _, q := range zh.AskNext {
		texts = append(texts, q.Question)
	}
	if zh.Layout == nil || len(zh.Unmet) == 0 || len(zh.Warnings) == 0 || len(zh.Constraints) == 0 {
		t.Fatalf("want a hybrid with constraints, unmet demands and warnings: %+v", zh)
	}
	texts = append(texts, zh.Layout.Grouping.Title, zh.Layout.Grouping.Summary, zh.Layout.GuestOS.Title, zh.Layout.GuestOS.Summary)
	for _, part := range append(zh.Layout.VMLayer, zh.Layout.ContainerLayer...) {
		texts = append(texts, part.Title, part.Summary)
	}
	for _, s := range texts {
		if !han(s) {
			t.Errorf("the Chinese answer shows %q", s)
		}
	}
	if en.Reasons[0].Title == zh.Reasons[0].Title {
		t.Errorf("English and Chinese answers share the title %q", en.Reasons[0].Title)
	}
}

// parse decodes and validates a request body the way the service does.
func parse(t testing.TB, body string) api.Request {
	t.Helper()
	req, err := api.NewValidator().Parse([]byte(body))
	if err != nil {
		t.Fatalf("parse %s: %v", body, err)
	}
	return req
}

// TestBoundariesThroughTheEngine checks the numeric thresholds end to end, from
// JSON through the engine's Rego input and its tables to the rule, so an
// integer or float conversion on the way, or a key that merges two classes,
// cannot move a boundary.
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
			// Twice: the second answer comes from the tables.
			for range 2 {
				ans, err := e.AdviseOnly(context.Background(), &req, policy.English)
				if err != nil {
					t.Fatal(err)
				}
				fired := map[string]bool{}
				for _, r := range ans.Reasons {
					fired[r.Rule] = true
				}
				for _, w := range ans.Warnings {
					fired[w.Rule] = true
				}
				if fired[tc.rule] != tc.fires {
					t.Errorf("%s fired = %v, want %v (fired: %v)", tc.rule, !tc.fires, tc.fires, fired)
				}
			}
		})
	}
}

// TestNewFromFSRejectsBrokenPolicies loads a table of broken policies, each a
// copy of the shipped one with one thing wrong, and checks each is refused
// with ErrPolicy and a message that says what is wrong.
func TestNewFromFSRejectsBrokenPolicies(t *testing.T) {
	ctx := context.Background()
	shipped := policyFiles(t)
	edit := func(file, old, new string) fstest.MapFS {
		files := fstest.MapFS{}
		for name, f := range shipped {
			files[name] = &fstest.MapFile{Data: f.Data}
		}
		src := string(files[file].Data)
		if !strings.Contains(src, old) {
			t.Fatalf("%s does not contain %q", file, old)
		}
		files[file] = &fstest.MapFile{Data: []byte(strings.Replace(src, old, new, 1))}
		return files
	}
	add := func(file, src string) fstest.MapFS {
		files := edit("lib.rego", "package advise.lib", "package advise.lib")
		files[file] = &fstest.MapFile{Data: []byte(src)}
		return files
	}
	const orgRule = `# METADATA
# title: Org rule
# description: An organisation's own rule.
# custom:
#   id: org.rule
#   kind: need
#   capability: own_kernel
#   weight: 10
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
`
	cases := map[string]struct {
		fsys fs.FS
		want string
	}{
		"no files":     {fstest.MapFS{}, "no .rego files"},
		"only tests":   {fstest.MapFS{"x_test.rego": {Data: []byte("package x_test\n\ntest_ok if true\n")}}, "no .rego files"},
		"syntax error": {add("broken.rego", "package advise.factors.broken\n\nneeds := {\n"), "broken.rego"},
		"v0 syntax":    {add("old.rego", "package advise.factors.old\n\nneeds[x] { x := 1 }\n"), "old.rego"},
		"a non-deterministic builtin": {add("org.rego", "package advise.factors.org\n\n"+orgRule+"needs[n.custom.id] := n if {\n\ttime.now_ns() > 0\n\tn := rego.metadata.rule()\n}\n"),
			"calls time.now_ns"},
		"I/O": {add("org.rego", "package advise.factors.org\n\n"+orgRule+"needs[n.custom.id] := n if {\n\thttp.send({\"method\": \"get\", \"url\": \"http://x\"}).status_code == 200\n\tn := rego.metadata.rule()\n}\n"),
			"calls http.send"},
		"a rule without citations": {edit("factors/platform.rego", `#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
preferences`, "preferences"), "platform.windows_containers_awkward"},
		"a citation of an unknown source": {edit("factors/agility.rego", "source: 002_687a735013d0ae0c.txt\n#       locator: 容器的优点 — 3. 版本控制", "source: 999_unknown.txt\n#       locator: 容器的优点 — 3. 版本控制"),
			"999_unknown.txt"},
		"a duplicate rule id": {edit("factors/agility.rego", "id: agility.microservices", "id: agility.high_density"), "agility.high_density"},
		"a weight that is not a number": {edit("factors/agility.rego", "weight: 20\n#   title_zh: 微服务", "weight: heavy\n#   title_zh: 微服务"),
			"weight heavy"},
		"a need of the wrong kind": {edit("factors/agility.rego", "id: agility.startup_seconds\n#   kind: need", "id: agility.startup_seconds\n#   kind: preference"),
			"agility.startup_seconds"},
		"a decision that reads the workload": {edit("decision.rego", "choose(f) := [p | some p in field; f.totals.scores[p] == best][0] if {\n", "choose(f) := [p | some p in field; f.totals.scores[p] == best][0] if {\n\tinput.density != \"high\"\n"),
			"advise.decision's functions read input (density)"},
		"no decide function":               {edit("decision.rego", "decide(f) := object.union_n", "decided(f) := object.union_n"), "undefined function decide"},
		"a warning for no such placement":  {edit("factors/operations.rego", "applies_to: [container, containers_in_vms, side_by_side]", "applies_to: [container, containers_in_vm]"), "containers_in_vm"},
		"a capability no placement states": {edit("factors/agility.rego", "capability: elastic", "capability: teleportation"), "teleportation"},
		"placements that break monotony": {edit("placements/container.rego", "id: container.fast_start\n#   kind: statement\n#   degree: 1", "id: container.fast_start\n#   kind: statement\n#   degree: 0.5"),
			"not served monotonically"},
		"a tie order against the scale": {edit("decision.rego", `"tie_order": ["vm", "containers_in_vms"`, `"tie_order": ["containers_in_vms", "vm"`), "tie_order puts containers_in_vms before vm"},
		"no catalog":                    {edit("sources.rego", "catalog := object.union", "catalogue := object.union"), "sources.catalog"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := policy.NewFromFS(ctx, tc.fsys)
			if !errors.Is(err, policy.ErrPolicy) {
				t.Fatalf("err = %v, want ErrPolicy", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
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
	fromDir, err := policy.NewFromFS(ctx, os.DirFS("rego"))
	if err != nil {
		t.Fatalf("NewFromFS(rego): %v", err)
	}
	if fromDir.Info() != embedded.Info() {
		t.Errorf("policy from the directory %+v, embedded %+v", fromDir.Info(), embedded.Info())
	}
	// The digest pins the rule text: one changed byte changes it, tests do not.
	files := policyFiles(t)
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

// TestARuleGivesItsAnnotation checks that a fired rule whose value is not
// its annotation (here a weight that follows the input) is refused when it
// fires, not cached: findings and decisions are remembered by the rules
// fired, which would answer one input from another's.
func TestARuleGivesItsAnnotation(t *testing.T) {
	files := policyFiles(t)
	src := string(files["factors/agility.rego"].Data)
	old := "preferences[p.custom.id] := p if {\n\tinput.density == \"high\"\n\tp := rego.metadata.rule()\n}"
	if !strings.Contains(src, old) {
		t.Fatalf("agility.rego lacks %q", old)
	}
	src = strings.Replace(src, old, "preferences[p.custom.id] := object.union(p, {\"custom\": object.union(p.custom, {\"weight\": count(input.name)})}) if {\n\tinput.density == \"high\"\n\tp := rego.metadata.rule()\n}", 1)
	files["factors/agility.rego"] = &fstest.MapFile{Data: []byte(src)}
	e, err := policy.NewFromFS(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	req := parse(t, `{"multi_tenant":false,"density":"high","name":"abc"}`)
	_, err = e.Advise(context.Background(), &req, policy.English)
	if !errors.Is(err, policy.ErrEvaluation) || !strings.Contains(err.Error(), "agility.high_density") || !strings.Contains(err.Error(), "custom.weight is 3") {
		t.Errorf("err = %v, want ErrEvaluation naming agility.high_density and its weight", err)
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
	if builtin, err := policy.BuiltinInfo(); err != nil || builtin != info {
		t.Errorf("BuiltinInfo() = %+v, %v; want the engine's %+v", builtin, err, info)
	}
	got := map[string]string{}
	for _, s := range a.Sources() {
		got[s.File] = s.Title
		if s.Site == "" || (s.Language != "zh" && s.Language != "en") {
			t.Errorf("%s: site %q, language %q", s.File, s.Site, s.Language)
		}
		if (s.URL != "") != (s.File == "001_12de2612dfdf4b91.txt") {
			t.Errorf("%s: URL %q; only 001 names its public origin", s.File, s.URL)
		}
	}
	if len(got) != len(sourceTitles) {
		t.Fatalf("Sources() has %d files, want %d", len(got), len(sourceTitles))
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

// TestSourceFilesExist checks that every catalog entry is a document the
// sources directory holds, where ADVISE_SOURCES_DIR names it.
func TestSourceFilesExist(t *testing.T) {
	dir := os.Getenv(sourcesEnv)
	if dir == "" {
		t.Skipf("%s is not set, so the catalog is not checked against the source documents; .ci/run sets it", sourcesEnv)
	}
	for _, s := range newEngine(t).Sources() {
		if _, err := os.Stat(filepath.Join(dir, s.File)); err != nil {
			t.Errorf("source %s: %v", s.File, err)
		}
	}
}

// generatedRequests are valid requests from the shared deterministic generator.
func generatedRequests(t testing.TB, seed uint64, n int) []api.Request {
	t.Helper()
	return workloadgen.New(seed).Requests(n)
}
