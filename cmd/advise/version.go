package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/version"
	"github.com/placement-advisor/advise/policy"
)

// buildReport is what "advise version" prints: the build, and the policy
// built into it. The same facts label advise_build_info.
type buildReport struct {
	version.Info
	Policy api.PolicyInfo `json:"policy"`
}

// printVersion runs "advise version" and "advise --version".
func printVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("advise version", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	output := fs.String("output", "text", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeString(stdout, mainHelp)
		}
		return usagef("version: %v", err)
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments, got %q", fs.Arg(0))
	}
	builtin, err := policy.BuiltinInfo()
	if err != nil {
		return fmt.Errorf("read the built-in policy: %w", err)
	}
	r := buildReport{Info: version.Get(), Policy: builtin}
	switch *output {
	case "text":
		_, err = fmt.Fprintf(stdout, "advise %s\nrevision: %s\ngo: %s\nopa: %s\npolicy: %s %s\n",
			r.Version, r.Revision, r.GoVersion, r.OPAVersion, r.Policy.Version, r.Policy.Digest)
		return err
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return usagef("version: --output must be text or json, not %q", *output)
}
