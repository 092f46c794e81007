package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// TestOrgPolicyThroughTheFlag runs the worked organisation's policy over the
// examples with --policy, as the README does: its rule fires, with its own
// citation, exactly where the availability target is 99.9 % or more, and its
// weight override shows in the answers.
func TestOrgPolicyThroughTheFlag(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	r := runCLI(t, "", append([]string{"--policy", "../../examples/org-policy", "--output", "json"}, files...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var pf api.Portfolio
	if err := json.Unmarshal([]byte(r.stdout), &pf); err != nil {
		t.Fatal(err)
	}
	fired := 0
	for _, item := range pf.Items {
		a := item.Answer
		i := slices.IndexFunc(a.Reasons, func(r api.Reason) bool { return r.Rule == "acme.availability_tier" })
		high := a.Input.AvailabilityTarget != nil && *a.Input.AvailabilityTarget >= 99.9
		if (i >= 0) != high {
			t.Errorf("%s: acme.availability_tier fired %v at availability %v", item.Name, i >= 0, a.Input.AvailabilityTarget)
			continue
		}
		if i < 0 {
			continue
		}
		fired++
		want := []api.Citation{{Source: "acme-arc-9", Title: "ACME Architecture Standard ARC-9: Availability tiers", Locator: "2. Where silver and gold services run"}}
		if got := a.Reasons[i].Citations; !slices.Equal(got, want) {
			t.Errorf("%s: citations %+v, want %+v", item.Name, got, want)
		}
		for _, r := range a.Reasons {
			if r.Rule == "operations.central_management" && r.Weight != 25 {
				t.Errorf("%s: central management weighs %v, want the override's 25", item.Name, r.Weight)
			}
		}
	}
	if fired == 0 {
		t.Error("the organisation's rule fired for no example")
	}
}

// TestPolicyFlagErrors: the policy flags are usage errors where they cannot
// apply, and a broken policy is exit 1 naming the file.
func TestPolicyFlagErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		code int
		want string
	}{
		"no builtin without policy": {[]string{"--no-builtin-rules", "../../examples/minimal-internal-tool.json"}, 2, "--no-builtin-rules needs at least one --policy"},
		"policy with server":        {[]string{"--policy", "../../examples/org-policy", "--server", "http://127.0.0.1:1", "../../examples/minimal-internal-tool.json"}, 2, "--server uses the service's"},
		"missing policy":            {[]string{"--policy", "no/such/dir", "../../examples/minimal-internal-tool.json"}, 1, "no/such/dir"},
		"broken policy":             {[]string{"--policy", "../../policy/testdata/org/unknown_source", "../../examples/minimal-internal-tool.json"}, 1, "unknown_source/acme.rego"},
		"serve broken policy":       {[]string{"serve", "--addr", "127.0.0.1:0", "--policy", "../../policy/testdata/org/parse_error"}, 1, "parse_error/acme.rego:5"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", c.args...)
			if r.code != c.code || r.err == nil || !strings.Contains(r.err.Error(), c.want) {
				t.Errorf("exit %d, err %v; want exit %d saying %q", r.code, r.err, c.code, c.want)
			}
		})
	}
}

// TestOrgPolicyPortfolioText: a text portfolio under an organisation's
// policy ends with the organisation's rules that fired, for which workloads
// and on what authority; without --policy there is no such section.
func TestOrgPolicyPortfolioText(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	want := "\nOrganisation's rules that fired:\n" +
		"- acme.availability_tier (preference, vm, 15) ACME silver or gold availability tier — workloads 0, 2, 3, 5, 6, 7, 10\n" +
		"    cites: ACME Architecture Standard ARC-9: Availability tiers (acme-arc-9) — 2. Where silver and gold services run\n"
	r := runCLI(t, "", append([]string{"--policy", "../../examples/org-policy"}, files...)...)
	if r.code != 0 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("exit %d; output ends\n%s\nwant it to end\n%s", r.code, r.stdout[max(0, len(r.stdout)-400):], want)
	}
	r = runCLI(t, "", "--policy", "../../policy/testdata/org/good", "../../examples/minimal-internal-tool.json", "../../examples/desktop-full-os.json")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "Organisation's rules that fired:\nnone\n") {
		t.Errorf("exit %d; output %s", r.code, r.stdout)
	}
	r = runCLI(t, "", files...)
	if strings.Contains(r.stdout, "Organisation's rules") {
		t.Error("a portfolio without --policy lists organisation's rules")
	}
}
