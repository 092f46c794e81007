package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	opaversion "github.com/open-policy-agent/opa/v1/version"

	"github.com/placement-advisor/advise/internal/version"
	"github.com/placement-advisor/advise/policy"
)

func TestVersion(t *testing.T) {
	builtin := testEngine(t).Info()
	want := version.Get()
	text := "advise " + want.Version + "\nrevision: " + want.Revision + "\ngo: " + runtime.Version() +
		"\nopa: " + opaversion.Version + "\npolicy: " + policy.Version + " " + builtin.Digest + "\n"
	for name, args := range map[string][]string{
		"subcommand":        {"version"},
		"flag":              {"--version"},
		"single-dash flag":  {"-version"},
		"text output":       {"version", "--output", "text"},
		"flag, text output": {"--version", "--output=text"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", args...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != text {
				t.Errorf("stdout =\n%s\nwant\n%s", r.stdout, text)
			}
		})
	}

	r := runCLI(t, "", "version", "--output", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got buildReport
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %s: %v", r.stdout, err)
	}
	if got.Info != want || got.Policy != builtin {
		t.Errorf("json = %+v, want %+v and policy %+v", got, want, builtin)
	}
}

func TestVersionUsageErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"an argument":   {[]string{"version", "workload.json"}, `version takes no arguments, got "workload.json"`},
		"flag and file": {[]string{"--version", "workload.json"}, `version takes no arguments`},
		"bad output":    {[]string{"version", "--output", "yaml"}, `--output must be text or json, not "yaml"`},
		"unknown flag":  {[]string{"version", "--short"}, "flag provided but not defined: -short"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != exitBadInput || !errors.Is(r.err, errUsage) {
				t.Fatalf("exit %d (err %v), want 2 and a usage error", r.code, r.err)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tc.want)
			}
		})
	}
}

// TestVersionFromLdflags builds the binary as a release build does, with
// the version and revision set by -ldflags, and asks it.
func TestVersionFromLdflags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "advise")
	const pkg = "github.com/placement-advisor/advise/internal/version"
	ldflags := "-X " + pkg + ".Version=9.8.7-rc.1 -X " + pkg + ".Revision=0123abc"
	if out, err := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("advise --version: %v", err)
	}
	if want := "advise 9.8.7-rc.1\nrevision: 0123abc\n"; !strings.HasPrefix(string(out), want) {
		t.Errorf("advise --version printed\n%s\nwant it to start\n%s", out, want)
	}
}
