package policy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// The scale the recommendation moves along.
var level = map[string]int{api.RecommendVM: 0, api.RecommendHybrid: 1, api.RecommendContainer: 2}

// monotonePairs is how many (workload, added demand) pairs
// TestAddingADemandNeverMovesTheAnswerAway checks at least, each way.
const monotonePairs = 10000

// TestAddingADemandNeverMovesTheAnswerAway checks, over generated workloads
// and every one-field change of each, that adding a demand on one side of
// the scale never moves the answer towards the other end, nor raises the
// confidence of an answer at that other end. A change adds VM-side demands
// when every need or preference it fires pulls towards VMs and every one it
// stops pulls towards containers, and the other way round; a change to a
// field the placements read themselves (which placements apply) is neither.
func TestAddingADemandNeverMovesTheAnswerAway(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	val := api.NewValidator()
	favors := map[string]string{}
	for _, r := range e.Rules() {
		if r.Kind == "need" || r.Kind == "preference" {
			favors[r.ID] = r.Favors
		}
	}
	neutral := map[string]bool{"mixed_components": true}
	checked := map[string]int{}
	for i, req := range generatedRequests(t, 20261201, 1000) {
		before, err := e.VerdictOf(ctx, &req, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range policy.Variants(req) {
			if neutral[v.Change.Field] || val.Validate(&v.Request) != nil {
				continue
			}
			after, err := e.VerdictOf(ctx, &v.Request, false)
			if err != nil {
				t.Fatal(err)
			}
			side := addedSide(before.Fired, after.Fired, favors)
			if side == "" {
				continue
			}
			if before.Recommendation == after.Recommendation && before.Recommendation != api.RecommendHybrid {
				// Only then do the confidences count.
				for _, x := range []struct {
					v   *policy.Verdict
					req *api.Request
				}{{&before, &req}, {&after, &v.Request}} {
					if *x.v, err = e.VerdictOf(ctx, x.req, true); err != nil {
						t.Fatal(err)
					}
				}
			}
			checked[side]++
			from, to := level[before.Recommendation], level[after.Recommendation]
			name := fmt.Sprintf("request %d (%s) with %s=%v", i, mustJSON(t, req), v.Change.Field, v.Change.Value)
			switch side {
			case api.RecommendVM:
				if to > from {
					t.Errorf("%s adds VM-side demands and moves %s to %s", name, before.Recommendation, after.Recommendation)
				}
				if to == level[api.RecommendContainer] && from == to && after.Confidence > before.Confidence {
					t.Errorf("%s adds VM-side demands and raises a container answer's confidence from %v to %v", name, before.Confidence, after.Confidence)
				}
			case api.RecommendContainer:
				if to < from {
					t.Errorf("%s adds container-side demands and moves %s to %s", name, before.Recommendation, after.Recommendation)
				}
				if to == level[api.RecommendVM] && from == to && after.Confidence > before.Confidence {
					t.Errorf("%s adds container-side demands and raises a VM answer's confidence from %v to %v", name, before.Confidence, after.Confidence)
				}
			}
		}
	}
	for _, side := range []string{api.RecommendVM, api.RecommendContainer} {
		if checked[side] < monotonePairs {
			t.Errorf("checked %d pairs adding %s-side demands, want at least %d", checked[side], side, monotonePairs)
		}
	}
	t.Logf("pairs checked: %v", checked)
}

// addedSide is the side every demand the change adds pulls towards, and every
// one it drops pulls away from: vm, container, or empty when the change adds
// or drops demands on both sides, or none at all.
func addedSide(before, after []string, favors map[string]string) string {
	sides := map[string]bool{}
	for _, id := range after {
		if !slices.Contains(before, id) {
			sides[favors[id]] = true
		}
	}
	for _, id := range before {
		if !slices.Contains(after, id) {
			sides[opposite(favors[id])] = true
		}
	}
	if len(sides) != 1 {
		return ""
	}
	for side := range sides {
		return side
	}
	return ""
}

func opposite(side string) string {
	if side == api.RecommendVM {
		return api.RecommendContainer
	}
	return api.RecommendVM
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAnswersHoldTogether checks, over the examples and generated workloads,
// in both languages, that nothing the recommended placement misses goes
// unsaid and that no two parts of an answer contradict each other.
func TestAnswersHoldTogether(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx := context.Background()
	rules := map[string]policy.Rule{}
	for _, r := range e.Rules() {
		rules[r.ID] = r
	}
	reqs := append(exampleRequests(t), generatedRequests(t, 7, 600)...)
	seen := map[string]bool{}
	for i, req := range reqs {
		for _, lang := range []policy.Lang{policy.English, policy.Chinese} {
			ans, err := e.Advise(ctx, &req, lang)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("request %d %s (%s)", i, lang, mustJSON(t, req))
			seen[ans.Recommendation+"/"+ans.HybridPattern] = true
			for _, problem := range answerProblems(e, rules, req, ans) {
				t.Errorf("%s: %s", name, problem)
			}
		}
	}
	for _, want := range []string{"vm/", "container/", "hybrid/containers_in_vms", "hybrid/orchestrator_in_vms", "hybrid/side_by_side"} {
		if !seen[want] {
			t.Errorf("no workload is answered %s; answers: %v", want, seen)
		}
	}
}

// TestVariedAnswersHoldTogether checks the answers to at least
// monotonePairs (workload, one-field change) pairs, the changes what-if
// tries, as TestAnswersHoldTogether checks whole answers: nothing the
// recommended placement misses goes unsaid, no two parts contradict each
// other. The answers are without what_if and ask_next, which
// TestAnswersHoldTogether covers.
func TestVariedAnswersHoldTogether(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx := context.Background()
	val := api.NewValidator()
	rules := map[string]policy.Rule{}
	for _, r := range e.Rules() {
		rules[r.ID] = r
	}
	checked := 0
	for i, req := range generatedRequests(t, 20261202, 400) {
		for _, v := range policy.Variants(req) {
			if val.Validate(&v.Request) != nil {
				continue
			}
			ans, err := e.AdviseOnly(ctx, &v.Request, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			for _, problem := range answerProblems(e, rules, v.Request, ans) {
				t.Errorf("request %d (%s) with %s=%v: %s", i, mustJSON(t, req), v.Change.Field, v.Change.Value, problem)
			}
		}
	}
	if checked < monotonePairs {
		t.Errorf("checked %d pairs, want at least %d", checked, monotonePairs)
	}
	t.Logf("pairs checked: %d", checked)
}

// answerProblems lists what is wrong with one answer.
func answerProblems(e *policy.Engine, rules map[string]policy.Rule, req api.Request, ans api.Answer) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	w := ans.Input
	var placement *api.Placement
	for i := range ans.Placements {
		p := &ans.Placements[i]
		if p.Recommendation == ans.Recommendation && p.HybridPattern == ans.HybridPattern &&
			(ans.Recommendation != api.RecommendContainer || (p.Placement == "os_container") == (ans.ContainerForm == "os")) {
			placement = p
		}
	}
	if placement == nil {
		return []string{"the recommended placement is not among the placements"}
	}
	// The recommendation is the best of the placements allowed.
	if !placement.Allowed {
		bad("recommends %s, which misses %v", placement.Placement, placement.Misses)
	}
	for _, p := range ans.Placements {
		if p.Allowed && p.Score > placement.Score {
			bad("recommends %s (%v) over %s, allowed and scoring %v", placement.Placement, placement.Score, p.Placement, p.Score)
		}
	}
	// Nothing unmet is left unsaid, and nothing met is said unmet.
	unmet := map[string]api.Unmet{}
	for _, u := range ans.Unmet {
		unmet[u.Rule] = u
		if len(u.Citations) == 0 || u.Why == "" || u.Because == "" {
			bad("unmet %s has no why or no citation", u.Rule)
		}
	}
	for _, r := range ans.Reasons {
		d := e.Degree(placement.Placement, rules[r.Rule].Capability)
		u, listed := unmet[r.Rule]
		switch {
		case d < 1 && !listed:
			bad("%s serves %s to degree %v, and unmet does not say so", placement.Placement, r.Rule, d)
		case d == 1 && listed:
			bad("unmet lists %s, which %s serves in full", r.Rule, placement.Placement)
		case listed && (u.Met == api.MetPartly) != (d > 0):
			bad("unmet says %s is %s, degree %v", r.Rule, u.Met, d)
		}
		if r.Favors != rules[r.Rule].Favors || r.Kind != rules[r.Rule].Kind {
			bad("reason %s says %s/%s, its rule %s/%s", r.Rule, r.Kind, r.Favors, rules[r.Rule].Kind, rules[r.Rule].Favors)
		}
	}
	for id := range unmet {
		if !slices.ContainsFunc(ans.Reasons, func(r api.Reason) bool { return r.Rule == id }) {
			bad("unmet lists %s, which did not fire", id)
		}
	}
	// Every reason, constraint, unmet demand, warning and layout part cites.
	for _, r := range ans.Reasons {
		if len(r.Citations) == 0 {
			bad("reason %s cites nothing", r.Rule)
		}
	}
	for _, c := range ans.Constraints {
		if len(c.Citations) == 0 || len(c.Excludes) == 0 {
			bad("constraint %s cites or excludes nothing", c.Rule)
		}
		if slices.Contains(c.Excludes, placement.Placement) {
			bad("recommends %s, which constraint %s rules out", placement.Placement, c.Rule)
		}
	}
	for _, wn := range ans.Warnings {
		if len(wn.Citations) == 0 {
			bad("warning %s cites nothing", wn.Rule)
		}
		if to := rules[wn.Rule].AppliesTo; !slices.Contains(to, ans.Recommendation) && !slices.Contains(to, placement.Placement) {
			bad("warning %s shown on %s, applies to %v", wn.Rule, placement.Placement, to)
		}
	}
	// A hybrid says how to split; nothing else does.
	if (ans.Layout != nil) != (ans.Recommendation == api.RecommendHybrid) {
		bad("layout %v on a %s answer", ans.Layout != nil, ans.Recommendation)
	}
	if l := ans.Layout; l != nil {
		untrusted := *w.MultiTenant && !*w.TenantsTrusted
		if (l.Grouping.Rule == "layout.per_tenant") != untrusted {
			bad("grouping %s for a workload whose tenants trust each other: %v", l.Grouping.Rule, !untrusted)
		}
		for _, part := range append(slices.Clone(l.VMLayer), l.ContainerLayer...) {
			if len(part.Citations) == 0 || len(part.Serves) == 0 {
				bad("layout part %s cites or serves nothing", part.Rule)
			}
			for _, id := range part.Serves {
				if u, ok := unmet[id]; ok && u.Met == api.MetNo {
					bad("layout says %s serves %s, unmet says it is not met", part.Rule, id)
				}
			}
		}
		if len(l.Grouping.Citations) == 0 || len(l.GuestOS.Citations) == 0 || l.GuestOS.PerGuestMB <= 0 {
			bad("layout grouping or guest OS cites nothing")
		}
		if (l.GuestOS.Guests == nil) != (l.GuestOS.TotalMB == nil) {
			bad("guest OS count without a total, or the other way round")
		}
	}
	// What the answer runs and what it tells to run agree.
	fired := map[string]bool{}
	for _, wn := range ans.Warnings {
		fired[wn.Rule] = true
	}
	if ans.ContainerForm == "os" && fired["operations.no_orchestrator"] {
		bad("runs OS containers and tells to plan for Kubernetes")
	}
	if ans.ContainerForm == "application" && fired["operations.os_container_templates"] {
		bad("runs application containers and tells to build OS containers")
	}
	if (ans.ContainerForm != "") == (ans.Recommendation == api.RecommendVM) {
		bad("container form %q on a %s answer", ans.ContainerForm, ans.Recommendation)
	}
	if *w.RequiresRoot {
		for _, wn := range ans.Warnings {
			if strings.Contains(strings.ToLower(wn.Summary), "do not run") {
				bad("the workload needs root and warning %s tells not to run as root", wn.Rule)
			}
		}
	}
	// What would change the answer changes it, choices first, and what to
	// ask is something the caller did not say.
	for j, wi := range ans.WhatIf {
		if wi.Recommendation == ans.Recommendation {
			bad("what_if %v keeps the recommendation", wi.Changes)
		}
		if j > 0 && wi.Kind == api.Choice && ans.WhatIf[j-1].Kind == api.Fact {
			bad("what_if lists a fact before a choice")
		}
	}
	if len(ans.AskNext) > 5 {
		bad("%d questions in ask_next", len(ans.AskNext))
	}
	for _, q := range ans.AskNext {
		i, _ := api.FieldIndex(q.Field)
		if req.Get(i).Set {
			bad("asks about %s, which the caller gave", q.Field)
		}
	}
	if ans.Confidence < 0.5 || ans.Confidence > 1 {
		bad("confidence %v", ans.Confidence)
	}
	return out
}

// exampleFiles are the example workloads' files, in name order.
func exampleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v", err)
	}
	slices.Sort(files)
	return files
}

// exampleRequests are the example workloads, parsed and validated, in file
// name order.
func exampleRequests(t testing.TB) []api.Request {
	t.Helper()
	var out []api.Request
	for _, f := range exampleFiles(t) {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parse(t, string(body)))
	}
	return out
}

// TestTheEngineAnswersAsTheRegoAlone holds the engine, which evaluates each
// factor package on its own, adds their contributions up and remembers what
// it can, to the policy evaluated whole by OPA, for every example and
// generated workload.
func TestTheEngineAnswersAsTheRegoAlone(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	ctx := context.Background()
	prepared, err := rego.New(rego.Query("data.advise.decision.answer"), rego.Load([]string{"rego"}, func(abs string, info os.FileInfo, _ int) bool {
		return !info.IsDir() && strings.HasSuffix(abs, "_test.rego")
	})).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, req := range append(exampleRequests(t), generatedRequests(t, 3, 150)...) {
		ans, err := e.AdviseOnly(ctx, &req, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		var input any
		if err := json.Unmarshal([]byte(mustJSON(t, ans.Input)), &input); err != nil {
			t.Fatal(err)
		}
		rs, err := prepared.Eval(ctx, rego.EvalInput(input))
		if err != nil || len(rs) != 1 {
			t.Fatalf("request %d: %v", i, err)
		}
		doc := rs[0].Expressions[0].Value.(map[string]any)
		got := summarise(ans)
		want := map[string]any{
			"placement":  doc["placement"],
			"confidence": doc["confidence"],
			"scores":     doc["scores"],
			"constraints": func() any {
				out := map[string]any{}
				for k, v := range doc["constraints"].(map[string]any) {
					out[k] = v
				}
				return out
			}(),
			"unmet":    doc["unmet"],
			"warnings": doc["warnings"],
			"layout":   doc["layout"],
		}
		if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
			t.Errorf("request %d (%s):\nengine %s\nrego   %s", i, mustJSON(t, req), a, b)
		}
	}
}

// summarise puts an answer in the shape of advise.decision.answer, but for
// the band: the rules alone cannot tell which inputs the caller left out.
func summarise(ans api.Answer) map[string]any {
	var placement string
	scores := map[string]any{}
	for _, p := range ans.Placements {
		scores[p.Placement] = num(p.Score)
		if p.Recommendation == ans.Recommendation && p.HybridPattern == ans.HybridPattern &&
			(ans.Recommendation != api.RecommendContainer || (p.Placement == "os_container") == (ans.ContainerForm == "os")) {
			placement = p.Placement
		}
	}
	constraints := map[string]any{}
	for _, c := range ans.Constraints {
		constraints[c.Rule] = c.Excludes
	}
	unmet := map[string]any{}
	for _, u := range ans.Unmet {
		degree := 0.0
		if u.Met == api.MetPartly {
			degree = 0.5
		}
		unmet[u.Rule] = map[string]any{"degree": num(degree), "because": u.Because}
	}
	warnings := []string{}
	for _, w := range ans.Warnings {
		warnings = append(warnings, w.Rule)
	}
	slices.Sort(warnings)
	var layout any
	if l := ans.Layout; l != nil {
		layers := func(parts []api.LayerPart) map[string]any {
			out := map[string]any{}
			for _, p := range parts {
				for _, id := range p.Serves {
					out[id] = p.Rule
				}
			}
			return out
		}
		guest := map[string]any{"per_guest_mb": num(l.GuestOS.PerGuestMB), "because": l.GuestOS.Rule}
		if l.GuestOS.Guests != nil {
			guest["guests"] = num(float64(*l.GuestOS.Guests))
			guest["basis"] = l.GuestOS.Basis
			guest["total_mb"] = num(*l.GuestOS.TotalMB)
		}
		layout = map[string]any{"grouping": l.Grouping.Rule, "vm_layer": layers(l.VMLayer), "container_layer": layers(l.ContainerLayer), "guest_os": guest}
	}
	return map[string]any{
		"placement": placement, "confidence": num(ans.Confidence),
		"scores": scores, "constraints": constraints, "unmet": unmet, "warnings": warnings, "layout": layout,
	}
}

// num writes a number as Rego's JSON writes it.
func num(x float64) json.Number { return json.Number(strconv.FormatFloat(x, 'f', -1, 64)) }
