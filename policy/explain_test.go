package policy_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
	"github.com/placement-advisor/advise/policy"
)

// exampleRequests are the example workloads, parsed and validated, in file
// name order, with their file names.
func exampleRequests(t *testing.T) ([]string, []api.Request) {
	t.Helper()
	val := api.NewValidator()
	files, err := filepath.Glob("../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("examples: %v", err)
	}
	var reqs []api.Request
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		req, err := val.Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		reqs = append(reqs, req)
	}
	return files, reqs
}

// explainCorpus is every example workload plus generated ones.
func explainCorpus(t *testing.T) map[string]api.Request {
	t.Helper()
	val := api.NewValidator()
	corpus := map[string]api.Request{}
	files, reqs := exampleRequests(t)
	for i, f := range files {
		corpus[filepath.Base(f)] = reqs[i]
	}
	for i, req := range workloadgen.New(7).Requests(300) {
		if err := val.Validate(&req); err != nil {
			t.Fatalf("generated %d is invalid: %v", i, err)
		}
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

func TestWhatIfChangesGiveTheListedRecommendation(t *testing.T) {
	e := explainEngine(t)
	val := api.NewValidator()
	for name, req := range explainCorpus(t) {
		ans, err := e.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ans.WhatIf) > 3 {
			t.Errorf("%s: %d what_if entries, want at most 3", name, len(ans.WhatIf))
		}
		sizes := map[int]bool{}
		for _, wi := range ans.WhatIf {
			sizes[len(wi.Changes)] = true
			if n := len(wi.Changes); n < 1 || n > 2 {
				t.Errorf("%s: what_if changes %d fields, want 1 or 2", name, n)
			}
			for _, c := range wi.Changes {
				if c.Field == "name" || c.Field == "instances" {
					t.Errorf("%s: what_if changes %s, which is not a realistic design change", name, c.Field)
				}
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
		if sizes[1] && sizes[2] {
			t.Errorf("%s: mixes one- and two-field what_if entries", name)
		}
	}
}

func TestAskNextListsDefaultsThatMatter(t *testing.T) {
	e := explainEngine(t)
	for name, req := range explainCorpus(t) {
		ans, err := e.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plain, err := e.AdviseOnly(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		unanswered := slices.Clone(ans.Defaulted)
		if ans.Input.StartupSLAMs == nil {
			unanswered = append(unanswered, "startup_sla_ms")
		}
		if ans.Input.AvailabilityTarget == nil {
			unanswered = append(unanswered, "availability_target")
		}
		for i, q := range ans.AskNext {
			if !slices.Contains(unanswered, q.Field) {
				t.Errorf("%s: ask_next %s, but the caller answered it", name, q.Field)
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
		want := math.Max(0.5, math.Round(plain.Confidence*math.Pow(0.97, float64(len(ans.AskNext)))*100)/100)
		if len(ans.AskNext) == 0 {
			want = plain.Confidence
		}
		if ans.Confidence != want {
			t.Errorf("%s: confidence %v with %d decisive defaults, want %v (policy said %v)", name, ans.Confidence, len(ans.AskNext), want, plain.Confidence)
		}
		if ans.Recommendation != plain.Recommendation || !slices.EqualFunc(ans.Reasons, plain.Reasons, func(a, b api.Reason) bool { return a.Rule == b.Rule }) {
			t.Errorf("%s: explaining changed the answer itself", name)
		}
	}
}

func explainEngine(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestCandidatesApplyAsTheCallerWould holds what-if's fast path (a change
// applied to the request's pointers and to the resolved workload, without
// resolving again) to the slow one: the change sent through JSON and the
// result resolved. Every value it tries must also be one its field allows,
// so that only a rule relating two fields can make a variation invalid.
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
			if w, _ := want.Resolve(); !reflect.DeepEqual(v.Workload, w) {
				t.Errorf("%s: %v gives the workload %+v, resolving again %+v", name, v.Change, v.Workload, w)
			}
			if err := val.Validate(&want); err != nil && len(api.Contradictions(&want)) == 0 {
				t.Errorf("%s: %v is not a value its field allows: %v", name, v.Change, err)
			}
		}
	}
	// Every field but the name and the instance count.
	if len(tried) != 21 {
		t.Errorf("what-if tried %d fields, want 21: %v", len(tried), tried)
	}
}
