package policy_test

import (
	"fmt"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// TestGeneratedRequestsCoverTheContract makes sure the generated corpus the
// property tests rest on is worth testing against: every field but the
// required one is both left out and set, every flag is both true and false,
// every enum value and every example number appears, and every request is
// valid.
func TestGeneratedRequestsCoverTheContract(t *testing.T) {
	val := api.NewValidator()
	seen := map[string]map[string]bool{}
	for _, req := range generatedRequests(t, 20261123, 400) {
		if err := val.Validate(&req); err != nil {
			t.Fatalf("generated request %+v is invalid: %v", req, err)
		}
		for i, f := range api.Fields() {
			if seen[f.Name] == nil {
				seen[f.Name] = map[string]bool{}
			}
			seen[f.Name][fmt.Sprint(req.Get(i).Any(f.Kind))] = true
		}
	}
	for _, f := range api.Fields() {
		var want []string
		switch f.Kind {
		case api.KindBool:
			want = []string{"true", "false"}
		case api.KindEnum:
			want = f.Values
		case api.KindInteger, api.KindNumber:
			for _, x := range f.Examples {
				want = append(want, fmt.Sprint(x))
			}
		}
		if !f.Required {
			want = append(want, "<nil>")
		}
		for _, w := range want {
			if !seen[f.Name][w] {
				t.Errorf("%s: no generated request has %s", f.Name, w)
			}
		}
		if len(seen[f.Name]) < 2 {
			t.Errorf("%s: generated requests only ever have %v", f.Name, seen[f.Name])
		}
	}
}
