package policy_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// explainCorpus is every example workload plus generated ones.
func explainCorpus(t *testing.T) map[string]api.Request {
	t.Helper()
	corpus := map[string]api.Request{}
	for i, req := range exampleRequests(t) {
		corpus["example-"+strconv.Itoa(i)] = req
	}
	for i, req := range generatedRequests(t, 17, 250) {
		corpus["generated-"+strconv.Itoa(i)] = req
	}
	return corpus
}

// adviseChanged applies changes the way a caller would (through JSON, not the
// engine's fast path), validates the result and asks again.
func adviseChanged(t *testing.T, e *policy.Engine, req api.Request, changes ...api.Change) api.Answer {
	t.Helper()
	next, err := req.Apply(changes...)
	if err != nil {
		t.Fatalf("apply %v: %v", changes, err)
	}
	if err := api.NewValidator().Validate(&next); err != nil {
		t.Fatalf("change %v gives an invalid request: %v", changes, err)
	}
	ans, err := e.AdviseOnly(context.Background(), &next, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	return ans
}

// TestWhatIfChangesGiveTheListedRecommendation asks again, the slow way, for
// every what-if listed, and checks the list's shape: at most three choices
// and five in all, choices first, smallest first, a pair only where no single
// choice would do, each marked by what its changes are.
func TestWhatIfChangesGiveTheListedRecommendation(t *testing.T) {
	e := newEngine(t)
	val := api.NewValidator()
	for name, req := range explainCorpus(t) {
		ans, err := e.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ans.WhatIf) > 5 {
			t.Errorf("%s: %d what_if entries, want at most 5", name, len(ans.WhatIf))
		}
		choices := 0
		for i, wi := range ans.WhatIf {
			kind := api.Choice
			for _, c := range wi.Changes {
				j, ok := api.FieldIndex(c.Field)
				if !ok || api.Fields()[j].WhatIf == "" {
					t.Errorf("%s: what_if changes %s, which what-if leaves alone", name, c.Field)
					continue
				}
				if api.Fields()[j].WhatIf == api.Fact {
					kind = api.Fact
				}
			}
			if wi.Kind != kind {
				t.Errorf("%s: what_if %v is marked %s, its changes make it %s", name, wi.Changes, wi.Kind, kind)
			}
			if kind == api.Choice {
				choices++
				if i > 0 && ans.WhatIf[i-1].Kind == api.Fact {
					t.Errorf("%s: a choice after a fact", name)
				}
			}
			if n := len(wi.Changes); n < 1 || n > 2 || (n == 2 && kind == api.Fact) {
				t.Errorf("%s: what_if %v changes %d fields", name, wi.Changes, n)
			}
			if wi.Recommendation == ans.Recommendation {
				t.Errorf("%s: what_if %v keeps the recommendation %s", name, wi.Changes, wi.Recommendation)
			}
			if wi.Summary == "" {
				t.Errorf("%s: what_if %v has no summary", name, wi.Changes)
			}
			got := adviseChanged(t, e, req, wi.Changes...)
			if got.Recommendation != wi.Recommendation || got.HybridPattern != wi.HybridPattern {
				t.Errorf("%s: what_if %v promises %s/%s, asking again gives %s/%s",
					name, wi.Changes, wi.Recommendation, wi.HybridPattern, got.Recommendation, got.HybridPattern)
			}
			if len(wi.Changes) == 2 {
				// Smallest first: neither half of a pair may flip the answer alone.
				for _, c := range wi.Changes {
					next, _ := req.Apply(c)
					if val.Validate(&next) != nil {
						continue
					}
					if alone := adviseChanged(t, e, req, c); alone.Recommendation != ans.Recommendation {
						t.Errorf("%s: pair %v listed, but %v alone already gives %s", name, wi.Changes, c, alone.Recommendation)
					}
				}
			}
		}
		if choices > 3 {
			t.Errorf("%s: %d choices listed, want at most 3", name, choices)
		}
	}
}

// TestAskNextListsTheUnansweredInputsThatMatter asks again for every outcome
// ask_next promises, and checks there are at most five, most decisive first,
// about inputs the caller left out.
func TestAskNextListsTheUnansweredInputsThatMatter(t *testing.T) {
	e := newEngine(t)
	for name, req := range explainCorpus(t) {
		ans, err := e.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain, err := e.AdviseOnly(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.AskNext) > 5 {
			t.Errorf("%s: %d questions", name, len(ans.AskNext))
		}
		for i, q := range ans.AskNext {
			j, _ := api.FieldIndex(q.Field)
			if req.Get(j).Set {
				t.Errorf("%s: ask_next %s, but the caller answered it", name, q.Field)
			}
			if want := ans.Input.Get(j).Any(api.Fields()[j].Kind); !reflect.DeepEqual(q.Assumed, want) {
				t.Errorf("%s: ask_next %s assumed %v, the input holds %v", name, q.Field, q.Assumed, want)
			}
			if q.Question == "" || len(q.Outcomes) == 0 {
				t.Errorf("%s: ask_next %s lacks a question or outcomes", name, q.Field)
			}
			if i > 0 && len(q.Outcomes) > len(ans.AskNext[i-1].Outcomes) {
				t.Errorf("%s: ask_next not ordered most decisive first", name)
			}
			for _, o := range q.Outcomes {
				got := adviseChanged(t, e, req, api.Change{Field: q.Field, Value: o.Value})
				if got.Recommendation != o.Recommendation || got.HybridPattern != o.HybridPattern {
					t.Errorf("%s: answering %s=%v promises %s, asking again gives %s", name, q.Field, o.Value, o.Recommendation, got.Recommendation)
				}
				if o.Recommendation == ans.Recommendation {
					t.Errorf("%s: ask_next outcome %s=%v does not change the recommendation", name, q.Field, o.Value)
				}
			}
		}
		// Explaining does not change the answer itself.
		if ans.Recommendation != plain.Recommendation || ans.Confidence != plain.Confidence ||
			!slices.EqualFunc(ans.Reasons, plain.Reasons, func(a, b api.Reason) bool { return a.Rule == b.Rule }) {
			t.Errorf("%s: explaining changed the answer", name)
		}
		if len(ans.AskNext) == 0 && ans.Band == api.BandInsufficientData {
			t.Errorf("%s: insufficient data with nothing to ask", name)
		}
	}
}

// TestCandidatesApplyAsTheCallerWould holds what-if's fast path (a change
// set in the request and in the resolved workload, without resolving again)
// to the slow one: the change sent through JSON and the result resolved.
// Every value it tries must also be one its field allows, so that only a rule
// relating two fields can make a variation invalid.
func TestCandidatesApplyAsTheCallerWould(t *testing.T) {
	val := api.NewValidator()
	tried := map[string]bool{}
	for name, req := range explainCorpus(t) {
		for _, v := range policy.Variants(req) {
			tried[v.Change.Field] = true
			want, err := req.Apply(v.Change)
			if err != nil {
				t.Fatalf("%s: apply %v: %v", name, v.Change, err)
			}
			if !reflect.DeepEqual(v.Request, want) {
				t.Errorf("%s: %v gives the request %+v, through JSON %+v", name, v.Change, v.Request, want)
			}
			if got, w := mustJSON(t, v.Workload), mustJSON(t, want.Workload()); got != w {
				t.Errorf("%s: %v gives the workload %s, resolving again %s", name, v.Change, got, w)
			}
			if err := val.Validate(&want); err != nil && len(api.Contradictions(&want)) == 0 {
				t.Errorf("%s: %v is not a value its field allows: %v", name, v.Change, err)
			}
			j, _ := api.FieldIndex(v.Change.Field)
			if v.Choice != (api.Fields()[j].WhatIf == api.Choice) {
				t.Errorf("%s: %v is a choice: %v", name, v.Change, v.Choice)
			}
		}
	}
	for _, f := range api.Fields() {
		if (f.WhatIf != "") != tried[f.Name] {
			t.Errorf("%s: what-if tried it %v, its whatif tag is %q", f.Name, tried[f.Name], f.WhatIf)
		}
	}
}
