package policy

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/loader"

	"github.com/placement-advisor/advise/api"
)

// Options says which rules an engine loads beside the decision model.
type Options struct {
	// Paths are an organisation's policies, each a directory of .rego,
	// .json and .yaml files or a bundle tarball (.tar.gz from opa build).
	Paths []string
	// NoBuiltinRules leaves out the built-in factor packages, keeping the
	// decision model, the placements and the sources catalog.
	NoBuiltinRules bool
	// Bundles are policies already read, such as those a bundle server
	// sent, by where they came from; they load after Paths, in that order.
	Bundles map[string]*bundle.Bundle
}

// Origins names where the rules of an engine of o come from, in load
// order: builtin (unless NoBuiltinRules) and the paths; Bundles, whose
// origins the caller names, are left out.
func (o Options) Origins() []string {
	var out []string
	if !o.NoBuiltinRules {
		out = append(out, OriginBuiltin)
	}
	return append(out, o.Paths...)
}

// ErrNotLoaded marks a request made before any policy is active: a service
// waiting for its first bundle.
var ErrNotLoaded = errors.New("no policy is active yet")

// Origin of the built-in rules, as Rule.Origin names it.
const OriginBuiltin = "builtin"

// orgRoot is the only package an organisation's rules may be in (or below),
// and orgData the data document its overrides and sources are read from.
var (
	orgRoot = factorsRoot
	orgData = ast.MustParseRef("data.advise.org")
)

// orgDocument is data.advise.org, what an organisation's data may say.
type orgDocument struct {
	// Sources adds entries to the sources catalog, by id.
	Sources map[string]orgSource `json:"sources"`
	// Weights sets the weight of a rule, by id.
	Weights map[string]any `json:"weights"`
	// Disabled switches rules off, by id.
	Disabled []string `json:"disabled"`
	// Parameters overrides the decision's parameters
	// (advise.decision.default_parameters), by name.
	Parameters map[string]any `json:"parameters"`
}

type orgSource struct {
	Title    string `json:"title"`
	Site     string `json:"site,omitempty"`
	Language string `json:"language"`
	URL      string `json:"url,omitempty"`
}

// policySet is the text of a rule set before it is compiled: the files by
// name, where each came from, and the organisation's data.
type policySet struct {
	texts   map[string][]byte
	origins map[string]string
	// digestNames is the name a file has in the digest where it is not
	// its name: an organisation's file by its path inside its policy.
	digestNames map[string]string
	org         orgDocument
	orgFrom     string
	revision    string
}

// Load compiles and prepares the built-in rules (or, with NoBuiltinRules,
// only the decision model) and the organisation's policies of opts. It fails
// with ErrPolicy, naming the file, the rule and what is wrong, when a policy
// does not load or breaks what NewFromFS checks, when an organisation's rule
// is outside data.advise.factors, when its data is anything but
// data.advise.org, or when an override names no rule or parameter.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	set, err := readEmbedded()
	if err != nil {
		return nil, err
	}
	if opts.NoBuiltinRules {
		for name := range set.texts {
			if strings.HasPrefix(name, "factors/") {
				delete(set.texts, name)
				delete(set.origins, name)
			}
		}
	}
	var data map[string]any
	var revisions, dataFrom []string
	bundles := make([]*bundle.Bundle, 0, len(opts.Paths)+len(opts.Bundles))
	origins := slices.Clone(opts.Paths)
	for _, path := range opts.Paths {
		b, err := readBundle(path)
		if err != nil {
			return nil, err
		}
		bundles = append(bundles, b)
	}
	for _, origin := range slices.Sorted(maps.Keys(opts.Bundles)) {
		bundles = append(bundles, opts.Bundles[origin])
		origins = append(origins, origin)
	}
	for i, b := range bundles {
		path := origins[i]
		for _, mf := range b.Modules {
			// Errors name a file by where it is (for a tarball, inside
			// it); the digest by its place in its policy, so the same
			// policy mounted elsewhere has the same digest.
			name := cmp.Or(mf.URL, mf.Path)
			if strings.HasSuffix(name, "_test.rego") {
				continue
			}
			set.digestNames[name] = "org:" + cmp.Or(mf.RelativePath, mf.Path)
			if _, dup := set.texts[name]; dup {
				return nil, fmt.Errorf("%w: %s: a file of that name is already loaded (from %s)", ErrPolicy, name, set.origins[name])
			}
			if mf.Parsed == nil {
				return nil, fmt.Errorf("%w: %s: not parsed", ErrPolicy, name)
			}
			if pkg := mf.Parsed.Package.Path; !pkg.HasPrefix(orgRoot) || len(pkg) == len(orgRoot) {
				return nil, fmt.Errorf("%w: %s: package %s is outside %s; an organisation's rules are factor packages, %s.<name>", ErrPolicy, name, strings.TrimPrefix(pkg.String(), "data."), strings.TrimPrefix(orgRoot.String(), "data."), strings.TrimPrefix(orgRoot.String(), "data."))
			}
			set.texts[name] = mf.Raw
			set.origins[name] = path
		}
		if len(b.Data) > 0 {
			var err error
			if data, err = mergeData(data, b.Data, path); err != nil {
				return nil, err
			}
			dataFrom = append(dataFrom, path)
		}
		if b.Manifest.Revision != "" {
			revisions = append(revisions, b.Manifest.Revision)
		}
	}
	set.revision = strings.Join(revisions, ",")
	set.orgFrom = strings.Join(dataFrom, ", ")
	if data != nil {
		if err := set.readOrgData(data); err != nil {
			return nil, err
		}
	}
	return build(ctx, set)
}

// BuiltinInfo identifies the rules built into the binary, what New's engine
// reports as its Info, without compiling them.
func BuiltinInfo() (api.PolicyInfo, error) {
	set, err := readEmbedded()
	if err != nil {
		return api.PolicyInfo{}, err
	}
	return api.PolicyInfo{Version: Version, Digest: set.digest()}, nil
}

// readEmbedded reads the rules built into the binary.
func readEmbedded() (*policySet, error) {
	sub, err := fs.Sub(embedded, "rego")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	return readFS(sub, OriginBuiltin)
}

// readBundle reads one policy path, a directory or a tarball, with OPA's
// loader, which also parses its Rego and reports where a file does not.
func readBundle(path string) (*bundle.Bundle, error) {
	path, err := resolvePolicyPath(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	b, err := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		WithCapabilities(capabilities).
		WithSkipBundleVerification(true).
		AsBundle(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	return b, nil
}

// resolvePolicyPath says where the files of a policy path are. OPA's loader
// reads regular files only and does not follow a symlinked path, so a path
// that is a symlink is read where it points. A Kubernetes ConfigMap or
// Secret volume is a symlink per key into a hidden timestamped directory,
// which the kubelet swaps atomically by repointing the symlink ..data: read
// as it is, the loader would skip the keys and load the hidden copy under
// a package of its own. Its files are read where ..data points.
func resolvePolicyPath(path string) (string, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	if current, err := filepath.EvalSymlinks(filepath.Join(resolved, kubernetesVolumeData)); err == nil {
		return current, nil
	}
	return resolved, nil
}

// kubernetesVolumeData is the symlink by which the kubelet points a
// ConfigMap or Secret volume at its current contents.
const kubernetesVolumeData = "..data"

// mergeData adds doc, the data of the policy at path, to data, refusing a
// key two policies both set.
func mergeData(data, doc map[string]any, path string) (map[string]any, error) {
	if data == nil {
		data = map[string]any{}
	}
	var merge func(dst, src map[string]any, at string) error
	merge = func(dst, src map[string]any, at string) error {
		for k, v := range src {
			here := at + "." + k
			old, ok := dst[k]
			if !ok {
				dst[k] = v
				continue
			}
			a, aok := old.(map[string]any)
			b, bok := v.(map[string]any)
			if !aok || !bok {
				return fmt.Errorf("%w: %s: data%s is also set by another policy", ErrPolicy, path, here)
			}
			if err := merge(a, b, here); err != nil {
				return err
			}
		}
		return nil
	}
	return data, merge(data, doc, "")
}

// readOrgData checks that data holds nothing but data.advise.org and reads
// it, strictly: an unknown key is refused, not ignored.
func (s *policySet) readOrgData(data map[string]any) error {
	for k, v := range data {
		advise, ok := v.(map[string]any)
		if k != "advise" || !ok {
			return fmt.Errorf("%w: %s: data.%s: an organisation's data is data.advise.org only", ErrPolicy, s.orgFrom, k)
		}
		for k := range advise {
			if k != "org" {
				return fmt.Errorf("%w: %s: data.advise.%s: an organisation's data is data.advise.org only", ErrPolicy, s.orgFrom, k)
			}
		}
	}
	org := data["advise"].(map[string]any)["org"]
	raw, err := json.Marshal(org)
	if err != nil {
		return fmt.Errorf("%w: %s: data.advise.org: %v", ErrPolicy, s.orgFrom, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&s.org); err != nil {
		return fmt.Errorf("%w: %s: data.advise.org: %v (it holds sources, weights, disabled and parameters)", ErrPolicy, s.orgFrom, err)
	}
	// The decision and the catalog read the parameters and the sources
	// as Rego, from a module made of the data: the one rule set is all
	// there is to evaluate.
	var b strings.Builder
	b.WriteString("package advise.org\n\n")
	for _, doc := range []struct {
		name string
		v    any
	}{{"sources", orEmpty(s.org.Sources)}, {"parameters", orEmpty(s.org.Parameters)}} {
		value, err := ast.InterfaceToValue(doc.v)
		if err != nil {
			return fmt.Errorf("%w: %s: data.advise.org.%s: %v", ErrPolicy, s.orgFrom, doc.name, err)
		}
		fmt.Fprintf(&b, "%s := %s\n\n", doc.name, value)
	}
	s.texts[orgModule] = []byte(b.String())
	s.origins[orgModule] = s.orgFrom
	return nil
}

// orgModule names the module made of data.advise.org.
const orgModule = "data.advise.org"

// readFS reads the policy files of fsys, all from origin.
func readFS(fsys fs.FS, origin string) (*policySet, error) {
	texts, err := readPolicy(fsys)
	if err != nil {
		return nil, err
	}
	set := &policySet{texts: texts, origins: make(map[string]string, len(texts)), digestNames: map[string]string{}}
	for name := range texts {
		set.origins[name] = origin
	}
	return set, nil
}

// applyOverrides sets the weights and drops the disabled rules of the
// organisation's data on the parsed modules, before their annotations are
// read: what a rule gives through rego.metadata.rule() and what the rule
// listing shows are then the overridden values, with no second copy.
func (s *policySet) applyOverrides(modules map[string]*ast.Module) error {
	found := map[string]bool{}
	disabled := map[string]bool{}
	for _, id := range s.org.Disabled {
		disabled[id] = true
	}
	// The parser gives each rule copies of its module's annotations;
	// both are edited, the module's for the annotation set and the rule's
	// for rego.metadata.rule().
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		m := modules[name]
		var dropped []*ast.Location
		m.Rules = slices.DeleteFunc(m.Rules, func(r *ast.Rule) bool {
			for _, a := range r.Annotations {
				if id, _ := a.Custom["id"].(string); disabled[id] {
					found[id] = true
					dropped = append(dropped, a.Location)
					return true
				}
			}
			return false
		})
		m.Annotations = slices.DeleteFunc(m.Annotations, func(a *ast.Annotations) bool {
			return slices.ContainsFunc(dropped, a.Location.Equal)
		})
		annotations := slices.Clone(m.Annotations)
		for _, r := range m.Rules {
			annotations = append(annotations, r.Annotations...)
		}
		for _, a := range annotations {
			id, _ := a.Custom["id"].(string)
			w, ok := s.org.Weights[id]
			if a.Scope != "rule" || !ok {
				continue
			}
			found[id] = true
			f, err := toFloat(w)
			if err != nil || f < 0 {
				return fmt.Errorf("%w: %s: data.advise.org.weights[%q] is %v, not a number of 0 or more", ErrPolicy, s.orgFrom, id, w)
			}
			if _, has := a.Custom["weight"]; !has {
				return fmt.Errorf("%w: %s: data.advise.org.weights[%q]: the rule (%s) has no weight to override", ErrPolicy, s.orgFrom, id, a.Location)
			}
			a.Custom["weight"] = f
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.org.Weights)) {
		if !found[id] {
			return fmt.Errorf("%w: %s: data.advise.org.weights names %q, which is no rule's id", ErrPolicy, s.orgFrom, id)
		}
	}
	for _, id := range s.org.Disabled {
		if !found[id] {
			return fmt.Errorf("%w: %s: data.advise.org.disabled names %q, which is no rule's id", ErrPolicy, s.orgFrom, id)
		}
	}
	return nil
}

// checkParameters refuses an organisation's parameter that the decision
// does not have, or whose value is of another JSON type than its default.
func checkParameters(ctx context.Context, compiler *ast.Compiler, set *policySet) error {
	if len(set.org.Parameters) == 0 {
		return nil
	}
	v, err := evalOnce(ctx, compiler, "data.advise.decision.default_parameters")
	if err != nil {
		return err
	}
	defaults, _ := v.(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(set.org.Parameters)) {
		d, ok := defaults[name]
		if !ok {
			return fmt.Errorf("%w: %s: data.advise.org.parameters names %q; the decision's parameters are %s", ErrPolicy, set.orgFrom, name, strings.Join(slices.Sorted(maps.Keys(defaults)), ", "))
		}
		if jsonType(d) != jsonType(set.org.Parameters[name]) {
			return fmt.Errorf("%w: %s: data.advise.org.parameters[%q] is %v, a %s; want a %s", ErrPolicy, set.orgFrom, name, set.org.Parameters[name], jsonType(set.org.Parameters[name]), jsonType(d))
		}
	}
	return nil
}

func jsonType(v any) string {
	switch v.(type) {
	case json.Number, float64, int, int64, uint64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// orEmpty is m, or an empty map for nil: the module made of the data
// defines both of its documents, so that rules reading them see an object.
func orEmpty[V any](m map[string]V) map[string]V {
	if m == nil {
		return map[string]V{}
	}
	return m
}
