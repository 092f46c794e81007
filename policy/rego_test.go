package policy_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestRegoTests runs the _test.rego files beside the rules, so `go test ./...`
// covers them as `go tool opa test policy/` does.
func TestRegoTests(t *testing.T) {
	// The .rego files of the rego folder and below, tests included.
	onlyRego := func(_ string, info fs.FileInfo, _ int) bool {
		return !info.IsDir() && filepath.Ext(info.Name()) != ".rego"
	}
	modules, store, err := tester.LoadWithRegoVersion([]string{"rego"}, onlyRego, ast.RegoV1)
	if err != nil {
		t.Fatalf("load rego files: %v", err)
	}
	if !slices.ContainsFunc(slices.Collect(maps.Keys(modules)), func(name string) bool { return strings.HasSuffix(name, "_test.rego") }) {
		t.Fatal("no _test.rego files found")
	}
	passed, failures, err := runRegoTests(context.Background(), modules, store)
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
	passed, failures, err := runRegoTests(context.Background(), map[string]*ast.Module{"harness_test.rego": mod}, inmem.New())
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

// runRegoTests runs every test in modules with a strict compiler, as
// `opa check --strict` checks, and describes each test that did not pass.
func runRegoTests(ctx context.Context, modules map[string]*ast.Module, store storage.Store) (int, []string, error) {
	compiler := ast.NewCompiler().WithStrict(true).WithDefaultRegoVersion(ast.RegoV1)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(modules).
		RaiseBuiltinErrors(true).
		RunTests(ctx, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("compile rego tests: %w", err)
	}
	var passed int
	var failures []string
	for res := range ch {
		name := res.Package + "." + res.Name
		switch {
		case res.Error != nil:
			failures = append(failures, fmt.Sprintf("%s: error: %v", name, res.Error))
		case res.Skip:
			failures = append(failures, name+": skipped; todo_ tests are not allowed")
		case res.Fail:
			failures = append(failures, fmt.Sprintf("%s: FAIL at %s", name, res.Location))
		default:
			passed++
		}
	}
	slices.Sort(failures)
	return passed, failures, nil
}
