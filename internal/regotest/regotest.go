// Package regotest runs a folder's Rego tests with OPA's tester, strictly, as
// `go tool opa test` and `opa check --strict` do, so `go test ./...` covers
// every _test.rego of the project.
package regotest

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
)

// Load reads the .rego files of dirs and, with data, their .json and .yaml
// files as data, the way `opa test` reads them.
func Load(dirs []string, data bool) (map[string]*ast.Module, storage.Store, error) {
	skip := func(_ string, info fs.FileInfo, _ int) bool {
		if info.IsDir() {
			return false
		}
		switch filepath.Ext(info.Name()) {
		case ".rego":
			return false
		case ".json", ".yaml", ".yml":
			return !data
		}
		return true
	}
	modules, store, err := tester.LoadWithRegoVersion(dirs, skip, ast.RegoV1)
	if err != nil {
		return nil, nil, fmt.Errorf("load rego files: %w", err)
	}
	return modules, store, nil
}

// Run runs every test in modules with a strict compiler and describes each
// test that did not pass; a skipped (todo_) test counts as not passing.
func Run(ctx context.Context, modules map[string]*ast.Module, store storage.Store) (int, []string, error) {
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
