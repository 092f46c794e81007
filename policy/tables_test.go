package policy_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/placement-advisor/advise/policy"
)

// TestFactorTablesKeyNumbersByTheRulesConstants checks that numbers the rules
// only compare with constants are keyed by where they fall among them:
// numbers between the same constants share a key, one on a constant does not.
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

// TestTableKeysKeepStringsApart checks the keys of a string field, which are
// codes in a packed integer while the field has seen few strings, and the
// length and text after that: equal strings share a key and different ones
// never do, coded or not, however a string mimics a code.
func TestTableKeysKeepStringsApart(t *testing.T) {
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

// TestTheDecisionIsKeyedByWhatItReads checks the fields the decision's own
// rules read, found by walking the compiled rules: which placements apply
// and what form their containers take. A variation that finds what its
// request found skips deciding unless it changes one of them.
func TestTheDecisionIsKeyedByWhatItReads(t *testing.T) {
	if got := newEngine(t).DecisionFields(); !slices.Equal(got, []string{"full_os", "mixed_components"}) {
		t.Errorf("the decision reads %v", got)
	}
}
