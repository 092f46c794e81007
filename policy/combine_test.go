package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
	"github.com/placement-advisor/advise/policy"
)

// regoEngine is the engine on the embedded rules with one comment added to
// decision.rego: the same rules, so the same answers, but the combination is
// no longer the text the Go form was written from, and it runs in Rego.
func regoEngine(t *testing.T, edit func(decision string) string) *policy.Engine {
	t.Helper()
	e := editedEngine(t, "decision.rego", edit)
	if e.CombinesInGo() {
		t.Fatal("an edited decision.rego still combines in Go")
	}
	return e
}

// editedEngine is the engine on the embedded rules with the file named name
// passed through edit.
func editedEngine(t *testing.T, name string, edit func(src string) string) *policy.Engine {
	t.Helper()
	files := fstest.MapFS{}
	for file, src := range regoFiles(t) {
		if file == name {
			src = edit(src)
		}
		files[file] = &fstest.MapFile{Data: []byte(src)}
	}
	e, err := policy.NewFromFS(context.Background(), files)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestCombinerPinnedToTheEmbeddedPolicy(t *testing.T) {
	if newEngine(t).CombinesInGo() {
		return
	}
	sources := map[string][]byte{}
	for name, src := range regoFiles(t) {
		sources[name] = []byte(src)
	}
	t.Fatalf("decision.rego, findings.rego or hybrid.rego changed, so the engine combines fired rules in Rego (correct, about 30 times slower).\n"+
		"Bring policy/combine.go in line with the new text, check TestCombinerAgreesWithRego passes, then pin it:\n"+
		"const combinationDigest = %q (now %q)", policy.CombinationDigest(sources), policy.PinnedCombinationDigest)
}

// thresholdEdges moves the numbers the rules compare with constants to each
// side of every constant, and unsets them.
func thresholdEdges(base api.Request) []api.Request {
	var out []api.Request
	for _, sla := range []int64{1, 999, 1000, 1001, 59999, 60000, 60001} {
		r := base
		r.StartupSLAMs = &sla
		out = append(out, r)
	}
	for _, a := range []float64{90, 99.98, 99.989999, 99.99, 99.990001, 99.9999} {
		r := base
		r.AvailabilityTarget = &a
		out = append(out, r)
	}
	for _, n := range []int64{2, 19, 20, 21} {
		r := base
		r.Instances = &n
		out = append(out, r)
	}
	r := base
	r.StartupSLAMs, r.AvailabilityTarget, r.Instances = nil, nil, nil
	return append(out, r)
}

// TestCombinerAgreesWithRego holds the Go form of the combination, and the
// factor tables keyed by where numbers fall among the rules' constants, to
// the answers the policy gives when all of it is evaluated in Rego: the
// examples, a generated mix, and numbers either side of every constant,
// what-if and ask-next included, in both languages.
func TestCombinerAgreesWithRego(t *testing.T) {
	fast := newEngine(t)
	if !fast.CombinesInGo() {
		t.Skip("the embedded policy combines in Rego; TestCombinerPinnedToTheEmbeddedPolicy says why")
	}
	slow := regoEngine(t, func(src string) string { return src + "\n# the same rules\n" })
	val := api.NewValidator()

	_, reqs := exampleRequests(t)
	n := 150
	if testing.Short() {
		n = 20
	}
	generated := workloadgen.New(11).Requests(n)
	reqs = append(reqs, generated...)
	for _, base := range generated[:6] {
		reqs = append(reqs, thresholdEdges(base)...)
	}

	ctx := context.Background()
	for i, req := range reqs {
		if val.Validate(&req) != nil {
			continue // an edge value the base's other fields contradict
		}
		for _, lang := range []policy.Lang{policy.English, policy.Chinese} {
			if lang == policy.Chinese && i%5 != 0 {
				continue
			}
			got, err := fast.Advise(ctx, &req, lang)
			if err != nil {
				t.Fatalf("workload %d: Go form: %v", i, err)
			}
			want, err := slow.Advise(ctx, &req, lang)
			if err != nil {
				t.Fatalf("workload %d: Rego: %v", i, err)
			}
			got.Policy, want.Policy = api.PolicyInfo{}, api.PolicyInfo{}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if string(g) != string(w) {
				t.Fatalf("workload %d (%s) differs:\nGo form: %s\nRego:    %s", i, lang, g, w)
			}
		}
	}
}

// TestRuleAuthorsCanStillChangeHowReasonsCombine: a changed decision.rego is
// obeyed at once, in Rego, without touching Go.
func TestRuleAuthorsCanStillChangeHowReasonsCombine(t *testing.T) {
	changed := regoEngine(t, func(src string) string {
		out := strings.Replace(src, "evidence_prior := 30", "evidence_prior := 300", 1)
		if out == src {
			t.Fatal("decision.rego no longer sets evidence_prior := 30; update this test")
		}
		return out
	})
	req := parse(t, `{"multi_tenant":false,"startup_sla_ms":500,"density":"high","scaling":"elastic"}`)
	ctx := context.Background()
	before, err := newEngine(t).AdviseOnly(ctx, &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	after, err := changed.AdviseOnly(ctx, &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	if before.Recommendation != after.Recommendation || after.Confidence >= before.Confidence {
		t.Errorf("with ten times the evidence prior, confidence %v → %v (%s → %s); want the same option, less sure",
			before.Confidence, after.Confidence, before.Recommendation, after.Recommendation)
	}
}

// TestFractionalWeightsCombineInRego: with the combination files untouched
// the engine starts without decision.rego, which only the Rego form reads;
// when the Go form then declines (it adds whole numbers), the engine must
// compile decision.rego after all and answer in Rego, fraction included.
func TestFractionalWeightsCombineInRego(t *testing.T) {
	e := editedEngine(t, "isolation.rego", func(src string) string {
		edited := strings.Replace(src, "#   id: isolation.untrusted_tenants\n#   kind: reason\n#   favors: vm\n#   weight: 40\n",
			"#   id: isolation.untrusted_tenants\n#   kind: reason\n#   favors: vm\n#   weight: 40.5\n", 1)
		if edited == src {
			t.Fatal("isolation.untrusted_tenants no longer weighs 40; update this test")
		}
		return edited
	})
	if e.CombinesInGo() {
		t.Fatal("a fractional weight combines in Go")
	}
	req := parse(t, `{"multi_tenant":true,"tenants_trusted":false}`)
	ctx := context.Background()
	want, err := newEngine(t).AdviseOnly(ctx, &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.AdviseOnly(ctx, &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	if got.Scores.VM != want.Scores.VM+0.5 || got.Scores.Container != want.Scores.Container {
		t.Errorf("scores %+v, want %+v with half a point more for VMs", got.Scores, want.Scores)
	}
}

// TestFactorTablesKeyNumbersByTheRulesConstants: a factor package is evaluated
// once per distinct value of what it reads, and a number the rules only
// compare with constants counts by where it falls among them, so tables stay
// small however many different numbers callers send.
func TestFactorTablesKeyNumbersByTheRulesConstants(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	advise := func(body string) {
		t.Helper()
		req := parse(t, body)
		if _, err := e.AdviseOnly(ctx, &req, policy.English); err != nil {
			t.Fatal(err)
		}
	}
	advise(`{"multi_tenant":false,"startup_sla_ms":2000,"availability_target":99.5,"instances":3}`)
	first := e.TableSizes()
	for _, body := range []string{
		`{"multi_tenant":false,"startup_sla_ms":2001,"availability_target":99.5,"instances":3}`,
		`{"multi_tenant":false,"startup_sla_ms":59999,"availability_target":91,"instances":19}`,
		`{"multi_tenant":false,"startup_sla_ms":1001,"availability_target":99.98,"instances":1}`,
	} {
		advise(body)
	}
	if got := e.TableSizes(); !maps.Equal(got, first) {
		t.Errorf("numbers between the same constants grew the tables: %v → %v", first, got)
	}
	advise(`{"multi_tenant":false,"startup_sla_ms":1000,"availability_target":99.5,"instances":3}`)
	if got := e.TableSizes(); got["data.advise.factors.agility"] != first["data.advise.factors.agility"]+1 {
		t.Errorf("a start-up SLA on a constant did not get its own key: %v → %v", first, got)
	}
}

// TestFactorTableKeysKeepStringsApart checks the keys of a string field,
// which are codes in a packed integer while the field has seen few strings,
// and the length and text after that: equal strings share a key and
// different ones never do, coded or not, however a string mimics a code.
func TestFactorTableKeysKeepStringsApart(t *testing.T) {
	var names []string
	for i := range 100 { // more than a field codes
		names = append(names, fmt.Sprintf("workload-%d", i))
	}
	names = append(names, "", "=", "=\x00", "=\x01", "F=\x01", "\x00=\x01", "\"", "\"\x01a", "t", "-", "#1", "workload-0", "=\x00")
	keys := policy.NameKeys(names)
	byKey := map[string]string{}
	for i, key := range keys {
		if other, ok := byKey[key]; ok && other != names[i] {
			t.Errorf("names %q and %q share the key %q", other, names[i], key)
		}
		byKey[key] = names[i]
	}
	if want := len(names) - 2; len(byKey) != want { // two names are repeated
		t.Errorf("%d distinct keys for %d distinct names", len(byKey), want)
	}
}

// TestDecideReadsOnlyTheTopology checks the fields decideReads lists: a
// variation that finds what its request found skips deciding unless it
// changes one of them, so a field decide reads must be listed. The check
// is also that each listed field does change some verdict, so the list is
// not simply every field.
func TestDecideReadsOnlyTheTopology(t *testing.T) {
	e := explainEngine(t)
	listed := policy.DecideReads()
	seen := map[string]bool{}
	for name, req := range explainCorpus(t) {
		fields, err := e.FieldsDecideReads(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, f := range fields {
			seen[f] = true
			if !slices.Contains(listed, f) {
				t.Errorf("%s: changing %s alone changes decide's verdict, but decideReads does not list it", name, f)
			}
		}
	}
	for _, f := range listed {
		if !seen[f] {
			t.Errorf("decideReads lists %s, but changing it alone never changed a verdict", f)
		}
	}
}
