package policy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/placement-advisor/advise/policy"
)

// TestLoadRejectsBrokenOrgPolicies loads each broken organisation's policy
// of testdata/org beside the built-in rules and checks that loading fails
// with ErrPolicy, saying which file, which rule and what is wrong.
func TestLoadRejectsBrokenOrgPolicies(t *testing.T) {
	cases := map[string][]string{
		"parse_error":                  {"parse_error/acme.rego:5", "rego_parse_error"},
		"no_citation":                  {"acme.uncited", "no_citation/acme.rego", "cites nothing"},
		"unknown_source":               {"acme.badcite", "unknown_source/acme.rego", `cites "acme-std", which is not in the sources catalog`},
		"duplicate_id":                 {"agility.high_density", "duplicate_id/acme.rego", "factors/agility.rego", "also the id"},
		"weight_not_a_number":          {"acme.heavy", "weight_not_a_number/acme.rego", "weight heavy is not a number"},
		"nondeterministic":             {"nondeterministic/acme.rego", "calls time.now_ns"},
		"outside_namespace":            {"outside_namespace/acme.rego", "package acme.rules is outside advise.factors"},
		"override_unknown_id":          {"override_unknown_id", "data.advise.org.weights names \"acme.nosuchrule\", which is no rule's id"},
		"disable_unknown_id":           {"disable_unknown_id", "data.advise.org.disabled names \"acme.nosuchrule\", which is no rule's id"},
		"override_weight_not_a_number": {"override_weight_not_a_number", `data.advise.org.weights["agility.high_density"] is lots, not a number`},
		"unknown_parameter":            {"unknown_parameter", `parameters names "prior"`, "evidence_prior, firm_from, tie_order"},
		"parameter_of_another_type":    {"parameter_of_another_type", `parameters["evidence_prior"] is 10, a string; want a number`},
		"data_outside_org":             {"data_outside_org", "data.acme: an organisation's data is data.advise.org only"},
		"unknown_org_key":              {"unknown_org_key", `unknown field "weight"`},
		"source_shadows_builtin":       {"source_shadows_builtin", "a built-in source has that id"},
		"tie_order_against_the_scale":  {"tie_order puts container before vm"},
		"bad_source_id":                {"bad_source_id", `sources["acme std/7"]: an id is 1 to 128 letters`},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := policy.Load(context.Background(), policy.Options{Paths: []string{filepath.Join("testdata", "org", name)}})
			if !errors.Is(err, policy.ErrPolicy) {
				t.Fatalf("err = %v, want ErrPolicy", err)
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

// TestLoadAddsAnOrgRule checks that an organisation's rule shows in the rule
// listing with its origin and its own source, and fires in an answer.
func TestLoadAddsAnOrgRule(t *testing.T) {
	dir := filepath.Join("testdata", "org", "good")
	e, err := policy.Load(context.Background(), policy.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var rule *policy.Rule
	for i, r := range e.Rules() {
		if r.ID == "acme.ok" {
			rule = &e.Rules()[i]
		}
	}
	if rule == nil {
		t.Fatal("acme.ok is not in the rule listing")
	}
	if rule.Origin != dir || rule.Package != "advise.factors.acme" || rule.Favors != "vm" || len(rule.Citations) != 1 || rule.Citations[0].Title != "ACME standard" {
		t.Errorf("acme.ok = %+v", *rule)
	}
	if e.Info().Digest == newEngine(t).Info().Digest {
		t.Error("the digest does not change with an organisation's rule")
	}
	req := parse(t, `{"multi_tenant":false,"availability_target":99.9}`)
	a, err := e.Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	fired := false
	for _, r := range a.Reasons {
		if r.Rule == "acme.ok" {
			fired = true
		}
	}
	if !fired {
		t.Errorf("acme.ok does not fire: %+v", a.Reasons)
	}
}

// TestLoadOverrides checks the data overrides: a weight by id, a rule
// switched off, and a decision parameter, each changing what the engine
// lists and answers.
func TestLoadOverrides(t *testing.T) {
	e, err := policy.Load(context.Background(), policy.Options{Paths: []string{filepath.Join("testdata", "org", "overrides")}})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]policy.Rule{}
	for _, r := range e.Rules() {
		rules[r.ID] = r
	}
	if w := rules["operations.central_management"].Weight; w == nil || *w != 40 {
		t.Errorf("operations.central_management weight = %v, want 40", w)
	}
	if _, ok := rules["agility.frequent_releases"]; ok {
		t.Error("agility.frequent_releases is listed though switched off")
	}
	req := parse(t, `{"multi_tenant":false,"release_frequency":"daily","central_management":true}`)
	a, err := e.Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	base, err := newEngine(t).Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, r := range a.Reasons {
		got[r.Rule] = r.Weight
	}
	if _, ok := got["agility.frequent_releases"]; ok {
		t.Errorf("a switched-off rule fires: %+v", a.Reasons)
	}
	if got["operations.central_management"] != 40 {
		t.Errorf("reasons = %+v, want operations.central_management weighing 40", a.Reasons)
	}
	// With no prior doubt the same one-sided evidence is surer.
	if a.Confidence <= base.Confidence {
		t.Errorf("confidence %v with evidence_prior 0, %v without; want it higher", a.Confidence, base.Confidence)
	}
}

// TestLoadWithoutBuiltinRules checks that --no-builtin-rules keeps the
// decision model and the organisation's rules only.
func TestLoadWithoutBuiltinRules(t *testing.T) {
	e, err := policy.Load(context.Background(), policy.Options{Paths: []string{filepath.Join("testdata", "org", "good")}, NoBuiltinRules: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Rules() {
		if r.Kind != "statement" && r.Origin == policy.OriginBuiltin {
			t.Errorf("built-in factor rule %s is loaded", r.ID)
		}
	}
	req := parse(t, `{"multi_tenant":true,"availability_target":99.9}`)
	a, err := e.Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Reasons) != 1 || a.Reasons[0].Rule != "acme.ok" || a.Recommendation != "vm" {
		t.Errorf("answer = %s with reasons %+v; want vm for acme.ok alone", a.Recommendation, a.Reasons)
	}
}

// TestLoadABundleTarball loads the worked example as opa build makes it, a
// tarball, and finds the same organisation's rules and sources as from its
// directory.
func TestLoadABundleTarball(t *testing.T) {
	dir := "../examples/org-policy"
	b, err := loader.NewFileLoader().WithRegoVersion(ast.RegoV1).AsBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	b.Manifest.Revision = "acme-7"
	tarball := filepath.Join(t.TempDir(), "org.tar.gz")
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(*b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tarball, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	fromDir, err := policy.Load(context.Background(), policy.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	fromTarball, err := policy.Load(context.Background(), policy.Options{Paths: []string{tarball}})
	if err != nil {
		t.Fatal(err)
	}
	if fromTarball.Revision() != "acme-7" {
		t.Errorf("revision = %q, want the manifest's acme-7", fromTarball.Revision())
	}
	ids := func(e *policy.Engine) []string {
		var out []string
		for _, r := range e.Rules() {
			if r.Origin != policy.OriginBuiltin {
				w := 0.0
				if r.Weight != nil {
					w = *r.Weight
				}
				out = append(out, fmt.Sprintf("%s %v %v", r.ID, w, r.Citations))
			}
		}
		return out
	}
	if a, b := ids(fromDir), ids(fromTarball); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("rules from the directory %v, from the tarball %v", a, b)
	}
	if !slices.Equal(fromDir.Sources(), fromTarball.Sources()) {
		t.Errorf("sources differ: %v against %v", fromDir.Sources(), fromTarball.Sources())
	}
}

// TestTheDigestIsTheRules: the same policy read from two places has one
// digest, and a changed rule another.
func TestTheDigestIsTheRules(t *testing.T) {
	copyOf := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.CopyFS(copyOf, os.DirFS("../examples/org-policy")); err != nil {
		t.Fatal(err)
	}
	a, err := policy.Load(context.Background(), orgPolicy)
	if err != nil {
		t.Fatal(err)
	}
	b, err := policy.Load(context.Background(), policy.Options{Paths: []string{copyOf}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Info().Digest != b.Info().Digest {
		t.Errorf("the same policy in two places: %s and %s", a.Info().Digest, b.Info().Digest)
	}
	rule := filepath.Join(copyOf, "acme.rego")
	src, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rule, []byte(strings.Replace(string(src), "weight: 15", "weight: 16", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := policy.Load(context.Background(), policy.Options{Paths: []string{copyOf}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Info().Digest == a.Info().Digest {
		t.Error("a changed weight keeps the digest")
	}
}

// TestLoadThroughSymlinks loads the worked organisation's policy from the
// places a deployment puts it: a symlink to its directory, and a Kubernetes
// ConfigMap volume, laid out as the kubelet lays one out (a symlink per key
// into a hidden timestamped directory that ..data points to). Each has the
// digest and the rules of the directory itself; a ConfigMap swapped to new
// contents loads those.
func TestLoadThroughSymlinks(t *testing.T) {
	const dir = "../examples/org-policy"
	want, err := policy.Load(context.Background(), policy.Options{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"acme.rego", "data.yaml"}
	cases := map[string]func(t *testing.T) string{
		"symlink to the directory": func(t *testing.T) string {
			link := filepath.Join(t.TempDir(), "policy")
			abs, err := filepath.Abs(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(abs, link); err != nil {
				t.Fatal(err)
			}
			return link
		},
		"configmap volume": func(t *testing.T) string {
			volume := t.TempDir()
			writeConfigMapVolume(t, volume, "..2026_12_02_03_00_00.000000001", dir, keys)
			return volume
		},
	}
	for name, place := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := policy.Load(context.Background(), policy.Options{Paths: []string{place(t)}})
			if err != nil {
				t.Fatal(err)
			}
			if e.Info().Digest != want.Info().Digest {
				t.Errorf("digest %s, want the directory's %s", e.Info().Digest, want.Info().Digest)
			}
			if got, want := orgRuleIDs(e), orgRuleIDs(want); !slices.Equal(got, want) || len(got) == 0 {
				t.Errorf("organisation's rules %v, want %v", got, want)
			}
		})
	}

	t.Run("configmap volume swapped", func(t *testing.T) {
		volume := t.TempDir()
		writeConfigMapVolume(t, volume, "..2026_12_02_03_00_00.000000001", dir, keys)
		changed := filepath.Join(t.TempDir(), "changed")
		if err := os.CopyFS(changed, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
		rule := filepath.Join(changed, "acme.rego")
		src, err := os.ReadFile(rule)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(rule, []byte(strings.Replace(string(src), "weight: 15", "weight: 16", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		writeConfigMapVolume(t, volume, "..2026_12_02_03_01_00.000000002", changed, keys)
		e, err := policy.Load(context.Background(), policy.Options{Paths: []string{volume}})
		if err != nil {
			t.Fatal(err)
		}
		edited, err := policy.Load(context.Background(), policy.Options{Paths: []string{changed}})
		if err != nil {
			t.Fatal(err)
		}
		if e.Info().Digest != edited.Info().Digest || e.Info().Digest == want.Info().Digest {
			t.Errorf("digest %s after the swap, want the new contents' %s", e.Info().Digest, edited.Info().Digest)
		}
	})
}

// writeConfigMapVolume lays out keys of the policy directory src in volume
// as the kubelet writes a ConfigMap volume: the files in a hidden directory
// named stamp, ..data a symlink to it (replaced atomically, as the kubelet
// does on an update), and a symlink per key through ..data.
func writeConfigMapVolume(t *testing.T, volume, stamp, src string, keys []string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(volume, stamp), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		body, err := os.ReadFile(filepath.Join(src, key))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(volume, stamp, key), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(volume, "..data_tmp")
	if err := os.Symlink(stamp, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(volume, "..data")); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		link := filepath.Join(volume, key)
		if _, err := os.Lstat(link); err == nil {
			continue
		}
		if err := os.Symlink(filepath.Join("..data", key), link); err != nil {
			t.Fatal(err)
		}
	}
}

// orgRuleIDs lists the ids of the rules an organisation's policy added.
func orgRuleIDs(e *policy.Engine) []string {
	var ids []string
	for _, r := range e.Rules() {
		if r.Origin != policy.OriginBuiltin {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
