package policy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// presentedQuery is how the rules present what fired, in Rego: advise.lib's
// builders over the decision's reasons, constraints and warnings.
const presentedQuery = `x := {
	"reasons": data.advise.lib.present(data.advise.decision.reasons),
	"constraints": data.advise.lib.present(data.advise.decision.constraints),
	"warnings": data.advise.lib.present(data.advise.decision.warnings),
}`

// presented is one rule as advise.lib presents it.
type presented struct {
	Rule      string         `json:"rule"`
	Title     string         `json:"title"`
	Favors    string         `json:"favors"`
	Excludes  string         `json:"excludes"`
	Weight    float64        `json:"weight"`
	Summary   string         `json:"summary"`
	SummaryZH string         `json:"summary_zh"`
	Citations []api.Citation `json:"citations"`
}

// TestEnginePresentsRulesAsTheLibraryDoes holds the split between Rego and Go
// to account: the decision names the fired rules by id and the engine presents
// them from the compiled annotations, in Go, for speed. For the examples' and
// a few hundred generated inputs, in both languages, every reason, constraint
// and warning of the engine's answer must equal what advise.lib builds from
// the same annotation, and every rule must have been compared at least once.
func TestEnginePresentsRulesAsTheLibraryDoes(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t)
	var modules []func(*rego.Rego)
	for name, src := range regoFiles(t) {
		modules = append(modules, rego.Module(name, src))
	}
	query, err := rego.New(append(modules, rego.Query(presentedQuery))...).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}

	compared := map[string]bool{}
	reqs := generatedRequests(t, generatedCount)
	examples, err := filepath.Glob(filepath.Join("..", "examples", "*.json"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, f := range examples {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, parse(t, string(body)))
	}
	for i := range reqs {
		req := &reqs[i]
		w, _ := req.Resolve()
		raw, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		input, err := ast.ValueFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := query.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil || len(rs) != 1 {
			t.Fatalf("evaluate the presentation: %v", err)
		}
		var want map[string][]presented
		raw, err = json.Marshal(rs[0].Bindings["x"])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []policy.Lang{policy.English, policy.Chinese} {
			ans, err := e.AdviseOnly(ctx, req, lang)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]presented{}
			for _, r := range ans.Reasons {
				got["reasons"] = append(got["reasons"], presented{Rule: r.Rule, Title: r.Title, Favors: r.Favors, Weight: r.Weight, Summary: r.Summary, Citations: r.Citations})
			}
			for _, c := range ans.Constraints {
				got["constraints"] = append(got["constraints"], presented{Rule: c.Rule, Title: c.Title, Favors: c.Favors, Excludes: c.Excludes, Weight: c.Weight, Summary: c.Summary, Citations: c.Citations})
			}
			for _, w := range ans.Warnings {
				got["warnings"] = append(got["warnings"], presented{Rule: w.Rule, Title: w.Title, Summary: w.Summary, Citations: w.Citations})
			}
			for kind, list := range want {
				wantByID := map[string]presented{}
				for _, p := range list {
					summary := p.Summary
					if lang == policy.Chinese {
						summary = p.SummaryZH
					}
					p.Summary, p.SummaryZH = summary, ""
					if kind == "warnings" {
						p.Favors, p.Weight = "", 0 // a warning shows neither
					}
					wantByID[p.Rule] = p
				}
				if len(got[kind]) != len(wantByID) {
					t.Errorf("input %d (%s): %s: engine has %d, the library %d", i, lang, kind, len(got[kind]), len(wantByID))
				}
				for _, g := range got[kind] {
					if !reflect.DeepEqual(g, wantByID[g.Rule]) {
						t.Errorf("input %d (%s): %s %s:\nengine  %+v\nlibrary %+v", i, lang, kind, g.Rule, g, wantByID[g.Rule])
					}
					compared[g.Rule] = true
				}
			}
		}
	}
	for _, r := range e.Rules() {
		if !compared[r.ID] {
			t.Errorf("rule %s never fired in the inputs, so its presentation was not compared", r.ID)
		}
	}
}
