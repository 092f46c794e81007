package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
	"github.com/placement-advisor/advise/policy"
)

const orgPolicy = "../../examples/org-policy"

// exampleFiles are the example workloads, in the order a shell expands
// ../../examples/*.json.
func exampleFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("../../examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example workloads: %v", err)
	}
	slices.Sort(files)
	return files
}

func diffArgs(t testing.TB, flags ...string) []string {
	return append(append([]string{"diff"}, flags...), exampleFiles(t)...)
}

// decodeDiff reads a diff's JSON strictly: a field that is not in the
// documented object fails.
func decodeDiff(t *testing.T, out string) diffReport {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var rep diffReport
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("not a diff report: %v\n%s", err, out)
	}
	return rep
}

// checkDiffConsistent checks what the help promises of every diff: the
// counts add up, the transitions count the changes, the changes are in
// input order and each one did change.
func checkDiffConsistent(t *testing.T, rep diffReport) {
	t.Helper()
	s := rep.Summary
	if s.Changed+s.Unchanged != s.Workloads {
		t.Errorf("changed %d + unchanged %d != workloads %d", s.Changed, s.Unchanged, s.Workloads)
	}
	if s.ConfidenceOnly > s.Unchanged {
		t.Errorf("confidence_only %d > unchanged %d", s.ConfidenceOnly, s.Unchanged)
	}
	if s.Changed != len(rep.Changes) || s.Invalid != len(rep.Invalid) {
		t.Errorf("summary says %d changed and %d invalid; the lists hold %d and %d", s.Changed, s.Invalid, len(rep.Changes), len(rep.Invalid))
	}
	sum := 0
	want := map[diffTransition]int{}
	for _, tr := range s.Transitions {
		sum += tr.Count
		want[diffTransition{From: tr.From, To: tr.To}] = tr.Count
	}
	if sum != s.Changed {
		t.Errorf("transitions sum to %d, changed is %d", sum, s.Changed)
	}
	got := map[diffTransition]int{}
	last := -1
	for _, c := range rep.Changes {
		got[diffTransition{From: verdictKey(c.From), To: verdictKey(c.To)}]++
		if c.Index <= last {
			t.Errorf("change #%d after #%d: not in input order", c.Index, last)
		}
		last = c.Index
		if c.From.Recommendation == c.To.Recommendation && c.From.HybridPattern == c.To.HybridPattern && c.From.Band == c.To.Band &&
			len(c.ReasonsAdded)+len(c.ReasonsRemoved)+len(c.WeightsChanged) == 0 {
			t.Errorf("change #%d changes nothing: %+v", c.Index, c)
		}
	}
	for k, n := range got {
		if want[k] != n {
			t.Errorf("transition %s → %s counts %d, the changes %d", k.From, k.To, want[k], n)
		}
	}
}

func TestDiffOrgPolicyGolden(t *testing.T) {
	tests := map[string]struct {
		flags  []string
		golden string
	}{
		"text":     {nil, "org-policy.golden"},
		"text zh":  {[]string{"--lang", "zh"}, "org-policy.zh.golden"},
		"markdown": {[]string{"--output", "markdown"}, "org-policy.md.golden"},
		"json":     {[]string{"--output", "json"}, "org-policy.json.golden"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", diffArgs(t, append([]string{"--policy", orgPolicy}, tc.flags...)...)...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			checkGolden(t, filepath.Join("diff", tc.golden), r.stdout)
		})
	}
}

// TestDiffJSONGoldenConsistent decodes the checked-in JSON golden, so a
// golden updated by -update is held to the documented object too.
func TestDiffJSONGoldenConsistent(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "diff", "org-policy.json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	rep := decodeDiff(t, string(b))
	checkDiffConsistent(t, rep)
	if rep.Summary.Workloads != len(exampleFiles(t)) || rep.Summary.Changed == 0 {
		t.Errorf("summary %+v, want every example evaluated and some changed", rep.Summary)
	}
	if rep.Base.Origin != "builtin" || rep.New.Origin != "builtin, "+orgPolicy {
		t.Errorf("origins %q and %q", rep.Base.Origin, rep.New.Origin)
	}
}

// TestDiffReports runs policies with known effects over the examples and
// checks the report, beyond its consistency, for that effect.
func TestDiffReports(t *testing.T) {
	tests := map[string]struct {
		flags []string
		check func(t *testing.T, rep diffReport)
	}{
		"the example org policy": {
			flags: []string{"--policy", orgPolicy},
			check: func(t *testing.T, rep diffReport) {
				added, reweighed := 0, 0
				for _, c := range rep.Changes {
					for _, r := range c.ReasonsAdded {
						if r.Rule != "acme.availability_tier" || r.Weight != 15 || r.Favors != "vm" {
							t.Errorf("#%d: added %+v, want only acme.availability_tier (vm, 15)", c.Index, r)
						}
						added++
					}
					for _, w := range c.WeightsChanged {
						if w.Rule != "operations.central_management" || w.From != 15 || w.To != 25 {
							t.Errorf("#%d: reweighed %+v, want operations.central_management 15 → 25", c.Index, w)
						}
						reweighed++
					}
					if len(c.ReasonsRemoved) > 0 {
						t.Errorf("#%d: removed %+v; the policy removes nothing", c.Index, c.ReasonsRemoved)
					}
				}
				if added == 0 || reweighed == 0 {
					t.Errorf("%d reasons added, %d reweighed; want some of each", added, reweighed)
				}
			},
		},
		"a parameter only": {
			flags: []string{"--policy", "testdata/diff/prior"},
			check: func(t *testing.T, rep diffReport) {
				if rep.Summary.ConfidenceOnly == 0 {
					t.Errorf("summary %+v: a new evidence prior moves confidences, want some counted", rep.Summary)
				}
				for _, c := range rep.Changes {
					if c.From.Band == c.To.Band || verdictKey(c.From) != verdictKey(c.To) || len(c.ReasonsAdded)+len(c.ReasonsRemoved)+len(c.WeightsChanged) > 0 {
						t.Errorf("#%d: %+v; a prior changes bands, not reasons or recommendations", c.Index, c)
					}
				}
			},
		},
		"no built-in rules": {
			flags: []string{"--no-builtin-rules", "--policy", "../../policy/testdata/org/good"},
			check: func(t *testing.T, rep diffReport) {
				if rep.New.Origin != "../../policy/testdata/org/good" {
					t.Errorf("new origin %q, want the policy alone", rep.New.Origin)
				}
				if rep.Summary.Changed != rep.Summary.Workloads {
					t.Errorf("summary %+v; every example loses its built-in reasons", rep.Summary)
				}
				for _, c := range rep.Changes {
					if len(c.ReasonsRemoved) == 0 {
						t.Errorf("#%d removes no reason", c.Index)
					}
					for _, r := range c.ReasonsAdded {
						if r.Rule != "acme.ok" {
							t.Errorf("#%d adds %s; only the policy's acme.ok can fire", c.Index, r.Rule)
						}
					}
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", diffArgs(t, append([]string{"--output", "json"}, tc.flags...)...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", r.code, r.stderr)
			}
			rep := decodeDiff(t, r.stdout)
			checkDiffConsistent(t, rep)
			if rep.Base.Digest == rep.New.Digest || !digestPattern.MatchString(rep.Base.Digest) || !digestPattern.MatchString(rep.New.Digest) {
				t.Errorf("digests %q and %q, want two different sha256 digests", rep.Base.Digest, rep.New.Digest)
			}
			tc.check(t, rep)
		})
	}
}

func TestDiffNoBuiltinRulesText(t *testing.T) {
	r := runCLI(t, "", "diff", "--no-builtin-rules", "--policy", "../../policy/testdata/org/good", "testdata/vm.json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"New policy: ../../policy/testdata/org/good · sha256:",
		"#0 legacy-erp (testdata/vm.json)",
		"   + acme.ok (vm, 10) Test rule\n",
		"   - platform.guest_os_differs (vm, 100) Guest OS differs from the host OS\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestDiffFailOnChange(t *testing.T) {
	tests := map[string]struct {
		flags  []string
		code   int
		stdout string
		stderr string
	}{
		"changes": {
			flags:  []string{"--policy", orgPolicy},
			code:   exitOK,
			stdout: "Changed workloads",
		},
		"changes, --fail-on-change": {
			flags:  []string{"--policy", orgPolicy, "--fail-on-change"},
			code:   exitChanged,
			stdout: "Changed workloads",
			stderr: "advise: the new policy changes the advice for 8 of 13 workloads\n",
		},
		"a policy against itself": {
			flags:  []string{"--base", orgPolicy, "--policy", orgPolicy},
			code:   exitOK,
			stdout: "No workload's advice changed.",
		},
		"a policy against itself, --fail-on-change": {
			flags:  []string{"--base", orgPolicy, "--policy", orgPolicy, "--fail-on-change"},
			code:   exitOK,
			stdout: "Summary: workloads 13 · changed 0 · unchanged 13 (0 in confidence only) · invalid 0\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", diffArgs(t, tc.flags...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if tc.code == exitChanged && !errors.Is(r.err, errAdviceChanged) {
				t.Errorf("err = %v, want errAdviceChanged", r.err)
			}
			if !strings.Contains(r.stdout, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, r.stdout)
			}
			if r.stderr != tc.stderr {
				t.Errorf("stderr = %q, want %q", r.stderr, tc.stderr)
			}
		})
	}
}

func TestDiffBrokenPolicy(t *testing.T) {
	tests := map[string]struct {
		flags []string
		want  []string
	}{
		"new, parse error": {
			flags: []string{"--policy", "../../policy/testdata/org/parse_error"},
			want:  []string{"advise: new policy: ", "parse_error/acme.rego:5", "rego_parse_error"},
		},
		"new, unknown source": {
			flags: []string{"--policy", "../../policy/testdata/org/unknown_source"},
			want:  []string{"advise: new policy: ", "acme.badcite", "unknown_source/acme.rego", `cites "acme-std", which is not in the sources catalog`},
		},
		"new, the second of two": {
			flags: []string{"--policy", orgPolicy, "--policy", "../../policy/testdata/org/duplicate_id"},
			want:  []string{"advise: new policy: ", "duplicate_id/acme.rego", "agility.high_density"},
		},
		"base, unknown source": {
			flags: []string{"--base", "../../policy/testdata/org/unknown_source", "--policy", orgPolicy},
			want:  []string{"advise: base policy: ", "unknown_source/acme.rego", `cites "acme-std"`},
		},
		"new, an override of a left-out rule": {
			flags: []string{"--no-builtin-rules", "--policy", orgPolicy},
			want:  []string{"advise: new policy: ", `data.advise.org.weights names "operations.central_management", which is no rule's id`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", append(append([]string{"diff"}, tc.flags...), "testdata/vm.json")...)
			if r.code != exitFailure || !errors.Is(r.err, policy.ErrPolicy) {
				t.Fatalf("exit %d (err %v), want 1 for ErrPolicy", r.code, r.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing printed", r.stdout)
			}
		})
	}
}

func TestDiffUsageErrors(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"no policy":          {[]string{"testdata/vm.json"}, "diff needs at least one --policy"},
		"empty policy":       {[]string{"--policy", "", "testdata/vm.json"}, "--policy needs a directory or a bundle"},
		"missing policy":     {[]string{"--policy", "testdata/no-such-policy", "testdata/vm.json"}, "--policy must be a policy directory or bundle: stat testdata/no-such-policy: no such file or directory"},
		"no file":            {[]string{"--policy", orgPolicy}, "no workload file given"},
		"bad output":         {[]string{"--policy", orgPolicy, "--output", "yaml", "testdata/vm.json"}, `--output must be one of text, markdown, json, not "yaml"`},
		"bad lang":           {[]string{"--policy", orgPolicy, "--lang", "fr", "testdata/vm.json"}, `--lang must be en or zh, not "fr"`},
		"bad base path":      {[]string{"--base", "testdata/no-such-policy", "--policy", orgPolicy, "testdata/vm.json"}, "--base must be builtin or a policy directory or bundle: stat testdata/no-such-policy: no such file or directory"},
		"empty base":         {[]string{"--base", "", "--policy", orgPolicy, "testdata/vm.json"}, "--base must be builtin or a policy directory or bundle"},
		"unknown flag":       {[]string{"--policy", orgPolicy, "--expect", "vm", "testdata/vm.json"}, "flag provided but not defined: -expect"},
		"flag without value": {[]string{"--policy", orgPolicy, "testdata/vm.json", "--base"}, "flag needs an argument: -base"},
		"stdin twice":        {[]string{"--policy", orgPolicy, "-", "-"}, "standard input (-) can be read only once"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", append([]string{"diff"}, tc.args...)...)
			if r.code != exitBadInput || !errors.Is(r.err, errUsage) {
				t.Fatalf("exit %d (err %v), want 2 for a usage error", r.code, r.err)
			}
			if !strings.HasPrefix(r.stderr, "advise: ") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to start with advise: and contain %q", r.stderr, tc.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want empty", r.stdout)
			}
		})
	}
}

func TestDiffInvalidWorkload(t *testing.T) {
	const invalid = "#1 typo (testdata/portfolio_bad_item.json[1]): density: must be one of: low, medium, high"
	tests := map[string]struct {
		flags  []string
		stdout []string
	}{
		"text":                  {nil, []string{"Invalid workloads, not compared:\n  " + invalid + "\n", "#2 legacy-erp (testdata/vm.json)", "invalid 1"}},
		"markdown":              {[]string{"--output", "markdown"}, []string{"## Invalid workloads, not compared\n\n- " + invalid + "\n", "| 2 | legacy-erp |"}},
		"json":                  {[]string{"--output", "json"}, []string{`"invalid": 1`}},
		"bad input wins over 4": {[]string{"--fail-on-change"}, []string{invalid}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			args := append(append([]string{"diff", "--policy", orgPolicy}, tc.flags...), "testdata/portfolio_bad_item.json", "testdata/vm.json")
			r := runCLI(t, "", args...)
			if r.code != exitBadInput || !errors.Is(r.err, errBadInput) {
				t.Fatalf("exit %d (err %v), want 2", r.code, r.err)
			}
			for _, want := range tc.stdout {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
				}
			}
			if want := "advise: 1 of 3 workloads are not valid:\n  item 1 (testdata/portfolio_bad_item.json[1]): density: must be one of: low, medium, high\n"; r.stderr != want {
				t.Errorf("stderr = %q, want %q", r.stderr, want)
			}
		})
	}
	r := runCLI(t, "", "diff", "--policy", orgPolicy, "--output", "json", "testdata/portfolio_bad_item.json", "testdata/vm.json")
	rep := decodeDiff(t, r.stdout)
	checkDiffConsistent(t, rep)
	if rep.Summary.Workloads != 2 || len(rep.Invalid) != 1 {
		t.Fatalf("summary %+v, invalid %+v; want the two valid workloads compared and the third reported", rep.Summary, rep.Invalid)
	}
	if inv := rep.Invalid[0]; inv.Index != 1 || inv.Name != "typo" || inv.Source != "testdata/portfolio_bad_item.json[1]" || len(inv.Errors) != 1 || inv.Errors[0].Field != "density" {
		t.Errorf("invalid = %+v, want item 1, typo, failing on density", inv)
	}
}

func TestDiffInputs(t *testing.T) {
	tests := map[string]struct {
		args    []string
		stdin   string
		sources []string // of the changed workloads
	}{
		"one file":              {args: []string{"testdata/vm.json"}, sources: []string{"testdata/vm.json"}},
		"a JSON array on stdin": {args: []string{"-"}, stdin: `[{"name":"a","multi_tenant":false},{"name":"b","multi_tenant":true,"availability_target":99.9}]`, sources: []string{"stdin[1]"}},
		"a YAML list on stdin":  {args: []string{"-"}, stdin: "- name: a\n  multi_tenant: false\n  availability_target: 99.99\n- name: b\n  multi_tenant: true\n", sources: []string{"stdin[0]"}},
		"files and a stream":    {args: []string{"testdata/portfolio.yaml", "testdata/vm.json"}, sources: []string{"testdata/vm.json"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, append([]string{"diff", "--policy", orgPolicy, "--output", "json"}, tc.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			rep := decodeDiff(t, r.stdout)
			checkDiffConsistent(t, rep)
			var got []string
			for _, c := range rep.Changes {
				got = append(got, c.Source)
			}
			if !slices.Equal(got, tc.sources) {
				t.Errorf("changed %q, want %q", got, tc.sources)
			}
		})
	}
}

func TestDiffHelp(t *testing.T) {
	tests := map[string][]string{
		"help diff":        {"help", "diff"},
		"diff --help":      {"diff", "--help"},
		"diff -h":          {"diff", "-h"},
		"help after flags": {"diff", "--policy", orgPolicy, "--help"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", args...)
			if r.code != exitOK || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if r.stdout != diffHelp {
				t.Errorf("stdout is not diffHelp:\n%s", r.stdout)
			}
		})
	}
	top := runCLI(t, "", "--help")
	for _, want := range []string{"advise diff [flags] FILE...", "'advise help diff'", "4  advise diff --fail-on-change"} {
		if !strings.Contains(top.stdout, want) {
			t.Errorf("the main help does not mention %q", want)
		}
	}
}

// TestDiffHelpDocumentsJSON holds the help's description of the JSON object
// to diffReport: every field name it encodes is in the help.
func TestDiffHelpDocumentsJSON(t *testing.T) {
	r := runCLI(t, "", "diff", "--policy", orgPolicy, "--output", "json", "testdata/portfolio_bad_item.json", "testdata/vm.json")
	var doc any
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, v := range x {
				keys[k] = true
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(doc)
	for k := range keys {
		if !strings.Contains(diffHelp, `"`+k+`"`) {
			t.Errorf("the help does not document %q", k)
		}
	}
}

func TestCompareAnswers(t *testing.T) {
	base := api.Answer{
		Recommendation: api.RecommendHybrid, HybridPattern: api.PatternContainersInVMs, Band: api.BandFirm, Confidence: 0.8,
		Reasons: []api.Reason{{Rule: "a", Weight: 10, Favors: "vm"}, {Rule: "b", Weight: 20, Favors: "container"}},
	}
	tests := map[string]struct {
		edit    func(a *api.Answer)
		changed bool
		want    string // the transition and the reasons, as reasonLines prints them
	}{
		"identical":         {edit: func(a *api.Answer) {}, want: "hybrid/containers_in_vms → hybrid/containers_in_vms"},
		"confidence only":   {edit: func(a *api.Answer) { a.Confidence = 0.9 }, want: "hybrid/containers_in_vms → hybrid/containers_in_vms"},
		"band":              {edit: func(a *api.Answer) { a.Band = api.BandLeaning }, changed: true, want: "hybrid/containers_in_vms → hybrid/containers_in_vms"},
		"pattern":           {edit: func(a *api.Answer) { a.HybridPattern = api.PatternSideBySide }, changed: true, want: "hybrid/containers_in_vms → hybrid/side_by_side"},
		"recommendation":    {edit: func(a *api.Answer) { a.Recommendation, a.HybridPattern = api.RecommendVM, "" }, changed: true, want: "hybrid/containers_in_vms → vm"},
		"reason order only": {edit: func(a *api.Answer) { slices.Reverse(a.Reasons) }, want: "hybrid/containers_in_vms → hybrid/containers_in_vms"},
		"reasons": {
			edit: func(a *api.Answer) {
				a.Reasons = []api.Reason{{Rule: "c", Weight: 5, Favors: "vm", Title: "C"}, {Rule: "b", Weight: 30, Favors: "container", Title: "B"}}
			},
			changed: true,
			want:    "hybrid/containers_in_vms → hybrid/containers_in_vms\n+ c (vm, 5) C\n- a (vm, 10) \n~ b (container, 20 → 30) B",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			next := base
			next.Reasons = slices.Clone(base.Reasons)
			tc.edit(&next)
			c, changed := compareAnswers(&base, &next)
			if changed != tc.changed {
				t.Errorf("changed = %v, want %v", changed, tc.changed)
			}
			got := strings.Join(append([]string{verdictKey(c.From) + " → " + verdictKey(c.To)}, reasonLines(c, "")...), "\n")
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// BenchmarkDiff times "advise diff" of the example org policy against the
// built-in rules over 10,000 generated workloads: loading both engines,
// evaluating every workload under each, comparing and writing the text
// report. The workloads are generated and encoded outside the timer.
func BenchmarkDiff(b *testing.B) {
	const n = 10_000
	gen := workloadgen.New(1)
	inputs := make([]workloadInput, n)
	for i := range inputs {
		// A generated Request is pointers to strings, bools and numbers: it
		// always marshals.
		body, _ := json.Marshal(gen.Request())
		inputs[i] = workloadInput{source: fmt.Sprintf("generated[%d]", i), body: body}
	}
	opts := diffOptions{lang: policy.English, next: policy.Options{Paths: []string{orgPolicy}}}
	ctx := context.Background()
	var rep diffReport
	for b.Loop() {
		base, next, err := loadDiffEngines(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		if rep, err = diffWorkloads(ctx, base, next, inputs, opts.lang); err != nil {
			b.Fatal(err)
		}
		if err := diffText(io.Discard, rep, "en"); err != nil {
			b.Fatal(err)
		}
	}
	if rep.Summary.Workloads != n {
		b.Fatalf("%d workloads evaluated, want %d: %+v", rep.Summary.Workloads, n, rep.Invalid)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "workloads/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*b.N), "ns/workload")
	b.ReportMetric(float64(rep.Summary.Changed), "changed")
}
