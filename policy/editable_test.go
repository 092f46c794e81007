package policy_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// editedEngine loads a copy of the shipped policy with one text of one file
// replaced.
func editedEngine(t *testing.T, file, old, new string) *policy.Engine {
	t.Helper()
	files := policyFiles(t)
	src := string(files[file].Data)
	if !strings.Contains(src, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	files[file] = &fstest.MapFile{Data: []byte(strings.Replace(src, old, new, 1))}
	e, err := policy.NewFromFS(context.Background(), files)
	if err != nil {
		t.Fatalf("the edited policy does not load: %v", err)
	}
	return e
}

// TestRuleAuthorsChangeTheDecisionInRegoAlone edits a copy of the policy, no
// Go changed, and checks that the answer follows the edit: a weight, the tie
// order, the confidence formula, what a placement serves. Each edited engine
// answers a repeated request from its tables, without evaluating the rules
// again: at the speed of the shipped policy.
func TestRuleAuthorsChangeTheDecisionInRegoAlone(t *testing.T) {
	ctx := context.Background()
	shipped := newEngine(t)
	cases := map[string]struct {
		file, old, new string
		body           string
		check          func(t *testing.T, before, after api.Answer)
	}{
		"a weight": {
			file: "factors/operations.rego", old: "weight: 15\n#   title_zh: 要求成熟的集中管理", new: "weight: 150\n#   title_zh: 要求成熟的集中管理",
			body: `{"multi_tenant":false,"central_management":true,"architecture":"microservices","scaling":"elastic","orchestrator":"kubernetes"}`,
			check: func(t *testing.T, before, after api.Answer) {
				if before.Recommendation != api.RecommendContainer || after.Recommendation != api.RecommendVM {
					t.Errorf("central management weighing 150: %s, then %s; want container, then vm", before.Recommendation, after.Recommendation)
				}
			},
		},
		"the tie order": {
			file: "decision.rego", old: `"containers_in_vms", "orchestrator_in_vms"`, new: `"orchestrator_in_vms", "containers_in_vms"`,
			body: `{"multi_tenant":true,"isolation":"hardware","density":"high","architecture":"microservices"}`,
			check: func(t *testing.T, before, after api.Answer) {
				if before.HybridPattern != api.PatternContainersInVMs || after.HybridPattern != api.PatternOrchestratorInVMs {
					t.Errorf("a tie between hybrids: %s, then %s", before.HybridPattern, after.HybridPattern)
				}
			},
		},
		"the confidence formula": {
			file: "decision.rego", old: `"evidence_prior": 30,`, new: `"evidence_prior": 0,`,
			body: `{"multi_tenant":false}`,
			check: func(t *testing.T, before, after api.Answer) {
				if before.Confidence != 0.63 || after.Confidence != 1 {
					t.Errorf("with no prior doubt, one-sided evidence: confidence %v, then %v; want 0.63, then 1", before.Confidence, after.Confidence)
				}
			},
		},
		"what a placement serves": {
			file: "placements/containers_in_vms.rego", old: "id: containers_in_vms.vms_migrate\n#   kind: statement\n#   degree: 1", new: "id: containers_in_vms.vms_migrate\n#   kind: statement\n#   degree: 0",
			body: `{"multi_tenant":false,"live_migration":true,"startup_sla_ms":500}`,
			check: func(t *testing.T, before, after api.Answer) {
				if before.Recommendation != api.RecommendHybrid || len(before.Unmet) != 1 {
					t.Fatalf("before the edit: %s with unmet %+v", before.Recommendation, before.Unmet)
				}
				// No placement meets both needs now: the answer says which it misses.
				var missed []string
				for _, u := range after.Unmet {
					if u.Kind == api.KindNeed {
						missed = append(missed, u.Rule)
					}
				}
				if len(missed) != 1 || after.Confidence != 0.5 {
					t.Errorf("after the edit: %s, confidence %v, needs unmet %v", after.Recommendation, after.Confidence, missed)
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := parse(t, tc.body)
			edited := editedEngine(t, tc.file, tc.old, tc.new)
			before, err := shipped.Advise(ctx, &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			after, err := edited.Advise(ctx, &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, before, after)
			if before.Policy.Digest == after.Policy.Digest {
				t.Error("the edit kept the policy digest")
			}
			n := edited.Evaluations()
			again, err := edited.Advise(ctx, &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			if d := edited.Evaluations() - n; d != 0 || mustJSON(t, again) != mustJSON(t, after) {
				t.Errorf("asking the edited policy again evaluated the rules %d times", d)
			}
		})
	}
}
