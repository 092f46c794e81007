package examples_test

import (
	"context"
	"testing"

	"github.com/placement-advisor/advise/internal/regotest"
)

// TestOrgPolicyRegoTests runs the worked organisation's policy's own Rego
// tests with its data, as `go tool opa test examples/org-policy` does.
func TestOrgPolicyRegoTests(t *testing.T) {
	modules, store, err := regotest.Load([]string{"org-policy"}, true)
	if err != nil {
		t.Fatal(err)
	}
	passed, failures, err := regotest.Run(context.Background(), modules, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if passed == 0 {
		t.Error("no rego test ran")
	}
}
