package policy_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

const generatedCount = 400

// TestGeneratedRequestsCoverTheContract makes sure the generated corpus is worth
// testing against: every optional field is both left out and set, every flag is
// both true and false, and every enum value of every field appears.
func TestGeneratedRequestsCoverTheContract(t *testing.T) {
	seen := map[string]map[string]bool{}
	typ := reflect.TypeFor[api.Request]()
	for _, req := range generatedRequests(t, generatedCount) {
		v := reflect.ValueOf(req)
		for i := range typ.NumField() {
			name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if seen[name] == nil {
				seen[name] = map[string]bool{}
			}
			p := v.Field(i)
			if p.IsNil() {
				seen[name]["<unset>"] = true
				continue
			}
			seen[name][fmt.Sprint(p.Elem().Interface())] = true
		}
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		var want []string
		switch f.Type.Elem().Kind() {
		case reflect.Bool:
			want = []string{"true", "false"}
		case reflect.String:
			if _, values, ok := strings.Cut(f.Tag.Get("validate"), "oneof="); ok {
				want = strings.Fields(values)
			}
		}
		if name != "multi_tenant" {
			want = append(want, "<unset>")
		}
		for _, w := range want {
			if !seen[name][w] {
				t.Errorf("%s: no generated request has %s", name, w)
			}
		}
		if len(seen[name]) < 2 {
			t.Errorf("%s: generated requests only ever have %v", name, seen[name])
		}
	}
}

// TestGeneratedRequests checks the properties every answer must have, on a
// deterministic corpus of valid requests.
func TestGeneratedRequests(t *testing.T) {
	t.Parallel()
	e := newEngine(t)
	val := api.NewValidator()
	rules := map[string]policy.Rule{}
	for _, r := range e.Rules() {
		rules[r.ID] = r
	}
	reqs := generatedRequests(t, generatedCount)
	answers := make([]string, len(reqs))
	// The engine is safe for concurrent use; chunks run in parallel.
	const chunk = 50
	t.Run("chunks", func(t *testing.T) {
		for from := 0; from < len(reqs); from += chunk {
			t.Run(fmt.Sprintf("%d-%d", from, from+chunk-1), func(t *testing.T) {
				t.Parallel()
				for i := from; i < min(from+chunk, len(reqs)); i++ {
					answers[i] = checkGenerated(t, e, val, rules, fmt.Sprintf("request %d", i), reqs[i])
				}
			})
		}
	})
	recommended := map[string]int{}
	for _, a := range answers {
		recommended[a]++
	}
	for _, want := range []string{"vm/", "container/", "hybrid/containers_in_vms", "hybrid/orchestrator_in_vms", "hybrid/side_by_side"} {
		if recommended[want] == 0 {
			t.Errorf("no generated request is answered %s; answers: %v", want, recommended)
		}
	}
}

// checkGenerated checks one request's answers and returns its
// recommendation/pattern.
func checkGenerated(t *testing.T, e *policy.Engine, val *api.Validator, rules map[string]policy.Rule, name string, req api.Request) string {
	t.Helper()
	ctx := context.Background()
	patterns := []string{api.PatternContainersInVMs, api.PatternOrchestratorInVMs, api.PatternSideBySide}
	if err := val.Validate(&req); err != nil {
		t.Fatalf("%s is invalid: %v", name, err)
	}
	en, err := e.Advise(ctx, &req, policy.English)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}

	if !slices.Contains(options, en.Recommendation) {
		t.Errorf("%s: recommendation %q", name, en.Recommendation)
	}
	// The server writes answers with AppendJSON; it must write what
	// encoding/json would, for every answer the rules give.
	if got, err := en.AppendJSON(nil); err != nil {
		t.Errorf("%s: AppendJSON: %v", name, err)
	} else if want, _ := json.Marshal(&en); !bytes.Equal(got, want) {
		t.Errorf("%s: AppendJSON wrote\n%s\njson.Marshal\n%s", name, got, want)
	}
	if (en.Recommendation == api.RecommendHybrid) != (en.HybridPattern != "") {
		t.Errorf("%s: recommendation %q with hybrid_pattern %q", name, en.Recommendation, en.HybridPattern)
	}
	if en.HybridPattern != "" && !slices.Contains(patterns, en.HybridPattern) {
		t.Errorf("%s: hybrid_pattern %q", name, en.HybridPattern)
	}
	if en.Confidence < 0.5 || en.Confidence > 1 {
		t.Errorf("%s: confidence %v outside [0.5, 1]", name, en.Confidence)
	}

	for _, r := range en.Reasons {
		checkCitations(t, name, r.Rule, r.Citations)
		if rules[r.Rule].Kind != "reason" || rules[r.Rule].Favors != r.Favors {
			t.Errorf("%s: reason %s does not match its rule %+v", name, r.Rule, rules[r.Rule])
		}
	}
	for _, c := range en.Constraints {
		checkCitations(t, name, c.Rule, c.Citations)
		if c.Excludes == en.Recommendation {
			t.Errorf("%s: recommends %s, which constraint %s excludes", name, en.Recommendation, c.Rule)
		}
		if rules[c.Rule].Kind != "constraint" || rules[c.Rule].Excludes != c.Excludes {
			t.Errorf("%s: constraint %s does not match its rule", name, c.Rule)
		}
	}
	for _, w := range en.Warnings {
		checkCitations(t, name, w.Rule, w.Citations)
		if rule := rules[w.Rule]; rule.Kind != "warning" || !slices.Contains(rule.AppliesTo, en.Recommendation) {
			t.Errorf("%s: warning %s shown on a %s answer, applies to %v", name, w.Rule, en.Recommendation, rule.AppliesTo)
		}
	}
	byWeight := func(aw, bw float64, ar, br string) int {
		return cmp.Or(cmp.Compare(bw, aw), strings.Compare(ar, br))
	}
	if !slices.IsSortedFunc(en.Reasons, func(a, b api.Reason) int { return byWeight(a.Weight, b.Weight, a.Rule, b.Rule) }) {
		t.Errorf("%s: reasons not sorted by weight, then rule: %v", name, ruleIDs(en.Reasons))
	}
	if !slices.IsSortedFunc(en.Constraints, func(a, b api.Constraint) int { return byWeight(a.Weight, b.Weight, a.Rule, b.Rule) }) {
		t.Errorf("%s: constraints not sorted by weight, then rule", name)
	}

	// Scores are the weights of what fired, per option.
	var vm, container float64
	for _, r := range en.Reasons {
		vm, container = addWeight(vm, container, r.Favors, r.Weight)
	}
	for _, c := range en.Constraints {
		vm, container = addWeight(vm, container, c.Favors, c.Weight)
	}
	if en.Scores.VM != vm || en.Scores.Container != container {
		t.Errorf("%s: scores %+v, reasons and constraints add up to vm %v, container %v", name, en.Scores, vm, container)
	}
	if (en.Scores.Hybrid > 0) != (en.Recommendation == api.RecommendHybrid) {
		t.Errorf("%s: hybrid score %v on a %s answer", name, en.Scores.Hybrid, en.Recommendation)
	}

	// The policy's own confidence: a constraint that decides is at least 0.9.
	plain, err := e.AdviseOnly(ctx, &req, policy.English)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(plain.Constraints) > 0 && plain.Recommendation != api.RecommendHybrid && plain.Confidence < 0.9 {
		t.Errorf("%s: constraint decided %s with confidence %v", name, plain.Recommendation, plain.Confidence)
	}
	if plain.Recommendation != en.Recommendation || plain.Confidence < en.Confidence {
		t.Errorf("%s: explaining changed the answer: %s %v, then %s %v", name, plain.Recommendation, plain.Confidence, en.Recommendation, en.Confidence)
	}

	zh, err := e.Advise(ctx, &req, policy.Chinese)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	compareLanguages(t, name, en, zh)
	return en.Recommendation + "/" + en.HybridPattern
}

func addWeight(vm, container float64, favors string, weight float64) (float64, float64) {
	switch favors {
	case api.RecommendVM:
		vm += weight
	case api.RecommendContainer:
		container += weight
	}
	return vm, container
}

func checkCitations(t *testing.T, name, rule string, cites []api.Citation) {
	t.Helper()
	if len(cites) == 0 {
		t.Errorf("%s: %s has no citations", name, rule)
	}
	for _, c := range cites {
		title, ok := sourceTitles[c.Source]
		if !ok || c.Title != title || c.Locator == "" {
			t.Errorf("%s: %s cites %+v", name, rule, c)
		}
	}
}

func ruleIDs(rs []api.Reason) []string {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.Rule
	}
	return ids
}

// compareLanguages checks that the English and Chinese answers are the same
// answer: only summaries, questions and what-if sentences differ.
func compareLanguages(t *testing.T, name string, en, zh api.Answer) {
	t.Helper()
	if en.Recommendation != zh.Recommendation || en.HybridPattern != zh.HybridPattern ||
		en.Confidence != zh.Confidence || en.Scores != zh.Scores {
		t.Errorf("%s: English %s/%s %v %+v, Chinese %s/%s %v %+v", name,
			en.Recommendation, en.HybridPattern, en.Confidence, en.Scores,
			zh.Recommendation, zh.HybridPattern, zh.Confidence, zh.Scores)
	}
	if len(en.Reasons) != len(zh.Reasons) || len(en.Constraints) != len(zh.Constraints) || len(en.Warnings) != len(zh.Warnings) {
		t.Fatalf("%s: English and Chinese answers list different findings", name)
	}
	sameBeyondSummary(t, name, "reason", en.Reasons, zh.Reasons, func(r *api.Reason) (string, *string) { return r.Rule, &r.Summary })
	sameBeyondSummary(t, name, "constraint", en.Constraints, zh.Constraints, func(c *api.Constraint) (string, *string) { return c.Rule, &c.Summary })
	sameBeyondSummary(t, name, "warning", en.Warnings, zh.Warnings, func(w *api.Warning) (string, *string) { return w.Rule, &w.Summary })
	if len(en.WhatIf) != len(zh.WhatIf) || len(en.AskNext) != len(zh.AskNext) {
		t.Fatalf("%s: English and Chinese answers explain differently", name)
	}
	for i := range en.WhatIf {
		a, b := en.WhatIf[i], zh.WhatIf[i]
		a.Summary, b.Summary = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: what_if %d differs beyond its summary: %+v vs %+v", name, i, a, b)
		}
	}
	for i := range en.AskNext {
		a, b := en.AskNext[i], zh.AskNext[i]
		a.Question, b.Question = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: ask_next %d differs beyond its question: %+v vs %+v", name, i, a, b)
		}
	}
	if !reflect.DeepEqual(en.Input, zh.Input) || !slices.Equal(en.Defaulted, zh.Defaulted) || en.Policy != zh.Policy {
		t.Errorf("%s: input, defaulted or policy differ between languages", name)
	}
}

// sameBeyondSummary checks that the English and Chinese lists of one kind of
// finding hold the same findings in the same order, each with a summary of
// its own language and nothing else different. The lists have equal lengths.
func sameBeyondSummary[T any](t *testing.T, name, kind string, en, zh []T, parts func(*T) (rule string, summary *string)) {
	t.Helper()
	for i := range en {
		a, b := en[i], zh[i]
		rule, sa := parts(&a)
		_, sb := parts(&b)
		if *sa == *sb {
			t.Errorf("%s: %s has the same summary in both languages", name, rule)
		}
		*sa, *sb = "", ""
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %s %d differs beyond its summary: %+v vs %+v", name, kind, i, a, b)
		}
	}
}
