package main

import (
	"flag"
	"strings"

	"github.com/placement-advisor/advise/policy"
)

// addPolicyFlags registers --policy (repeatable) and --no-builtin-rules on
// fs, filling opts: the rules an engine loads beside the decision model.
func addPolicyFlags(fs *flag.FlagSet, opts *policy.Options) {
	fs.Func("policy", "", func(path string) error {
		if strings.TrimSpace(path) == "" {
			return usagef("--policy needs a directory or a bundle (.tar.gz)")
		}
		opts.Paths = append(opts.Paths, path)
		return nil
	})
	fs.BoolVar(&opts.NoBuiltinRules, "no-builtin-rules", false, "")
}

// policyLabel says which rules an engine of opts holds, for error messages.
func policyLabel(opts policy.Options) string {
	switch {
	case len(opts.Paths) == 0:
		return "embedded policy"
	case opts.NoBuiltinRules:
		return "policy " + strings.Join(opts.Paths, ", ")
	}
	return "embedded policy with " + strings.Join(opts.Paths, ", ")
}
