package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The engine remembers what the rules give for the input values they read
// (see tables.go), which is only right when that is all they depend on. A
// policy that calls a builtin giving another result at another time or
// place, or reading the world outside the input, is refused at load.

// uncacheable reports whether a builtin's result can change without the
// input changing: OPA's non-deterministic builtins, anything of time, rand
// and net, http.send and opa.runtime.
func uncacheable(name string) bool {
	if b, ok := ast.BuiltinMap[name]; ok && b.Nondeterministic {
		return true
	}
	for _, prefix := range []string{"time.", "rand.", "net."} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return slices.Contains([]string{"http.send", "opa.runtime"}, name)
}

// checkBuiltins refuses a policy any rule of which calls an uncacheable
// builtin, naming the first such call of each offending rule.
func checkBuiltins(compiler *ast.Compiler) error {
	var found []string
	for _, mod := range compiler.Modules {
		ast.WalkRules(mod, func(r *ast.Rule) bool {
			calls := map[string]bool{}
			ast.NewGenericVisitor(func(x any) bool {
				switch x := x.(type) {
				case *ast.Expr:
					if x.IsCall() {
						calls[x.Operator().String()] = true
					}
				case ast.Call:
					calls[x[0].String()] = true
				}
				return false
			}).Walk(r)
			for _, op := range slices.Sorted(maps.Keys(calls)) {
				if uncacheable(op) {
					found = append(found, fmt.Sprintf("%s: %s calls %s", r.Location, r.Head.Ref(), op))
				}
			}
			return false
		})
	}
	if len(found) == 0 {
		return nil
	}
	slices.Sort(found)
	return fmt.Errorf("%w: %s; the engine remembers what the rules give for the input values they read, so they may call no builtin whose result changes with time, chance or the world outside the input",
		ErrPolicy, strings.Join(found, "; "))
}
