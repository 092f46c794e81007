package policy_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/placement-advisor/advise/internal/regotest"
)

// TestRegoTests runs the _test.rego files beside the rules, so `go test ./...`
// covers them as `go tool opa test policy/` does.
func TestRegoTests(t *testing.T) {
	// The .rego files of the rego folder and below, tests included.
	modules, store, err := regotest.Load([]string{"rego"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(slices.Collect(maps.Keys(modules)), func(name string) bool { return strings.HasSuffix(name, "_test.rego") }) {
		t.Fatal("no _test.rego files found")
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
	t.Logf("%d rego tests passed", passed)
}

// TestRegoTestRunnerReportsFailures keeps the harness honest: a failing, an
// erroring and a skipped Rego test each show up by name.
func TestRegoTestRunnerReportsFailures(t *testing.T) {
	src := `package harness_test

test_passes if true

test_fails if 1 == 2

test_errors if 1 / 0

todo_test_later if true
`
	mod, err := ast.ParseModuleWithOpts("harness_test.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	passed, failures, err := regotest.Run(context.Background(), map[string]*ast.Module{"harness_test.rego": mod}, inmem.New())
	if err != nil {
		t.Fatal(err)
	}
	if passed != 1 || len(failures) != 3 {
		t.Fatalf("passed %d, failures %q; want 1 and 3", passed, failures)
	}
	for _, name := range []string{"test_fails", "test_errors", "todo_test_later"} {
		if !slices.ContainsFunc(failures, func(f string) bool { return strings.Contains(f, "harness_test."+name+":") }) {
			t.Errorf("%s not reported in %q", name, failures)
		}
	}
}
