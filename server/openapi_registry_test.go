package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/placement-advisor/advise/api"
)

// TestOpenAPIMatchesTheRegistry holds the Request, Workload and FieldName
// schemas of openapi.yaml to the contract's one registry, api.Fields: the
// same fields, types, enums, bounds and defaults, and one allOf entry of
// the schema Request links as its x-cross-field-rules per cross-field rule.
// The document is written by hand for people; this test is what keeps it
// from drifting.
func TestOpenAPIMatchesTheRegistry(t *testing.T) {
	doc, _ := loadSpec(t)
	schema := func(name string) *openapi3.Schema {
		ref, ok := doc.Components.Schemas[name]
		if !ok || ref.Value == nil {
			t.Fatalf("openapi.yaml has no schema %s", name)
		}
		return ref.Value
	}
	fields := api.Fields()
	var names, required, resolved []string
	for _, f := range fields {
		names = append(names, f.Name)
		if f.Required {
			required = append(required, f.Name)
		}
		if f.Required || f.Default != nil {
			resolved = append(resolved, f.Name)
		}
	}

	request, workload := schema("Request"), schema("Workload")
	for name, s := range map[string]*openapi3.Schema{"Request": request, "Workload": workload} {
		if got := sortedKeys(s.Properties); !slices.Equal(got, sorted(names)) {
			t.Errorf("%s properties = %v, the registry has %v", name, got, sorted(names))
		}
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s must forbid additional properties", name)
		}
	}
	if !slices.Equal(sorted(request.Required), sorted(required)) {
		t.Errorf("Request requires %v, the registry %v", request.Required, required)
	}
	if !slices.Equal(sorted(workload.Required), sorted(resolved)) {
		t.Errorf("Workload requires %v, want every field with a default and every required one: %v", workload.Required, resolved)
	}
	for _, f := range fields {
		for name, s := range map[string]*openapi3.Schema{"Request": request, "Workload": workload} {
			prop := s.Properties[f.Name]
			if prop == nil || prop.Value == nil {
				continue // reported above
			}
			for _, problem := range propertyProblems(f, prop.Value) {
				t.Errorf("%s.%s: %s", name, f.Name, problem)
			}
			if name == "Workload" && prop.Value.Default != nil {
				t.Errorf("Workload.%s has a default; a resolved workload has none to take", f.Name)
			}
		}
		if d := request.Properties[f.Name]; d != nil && d.Value != nil && fmt.Sprint(d.Value.Default) != fmt.Sprint(f.Default) {
			t.Errorf("Request.%s default = %v, the registry's %v", f.Name, d.Value.Default, f.Default)
		}
	}

	var enum []string
	for _, v := range schema("FieldName").Enum {
		enum = append(enum, fmt.Sprint(v))
	}
	if !slices.Equal(enum, names) {
		t.Errorf("FieldName enum = %v, want the registry's fields in order: %v", enum, names)
	}

	// Request stays one plain object: composed with the rules, code
	// generators give it no type.
	if len(request.AllOf)+len(request.AnyOf)+len(request.OneOf) > 0 || request.Not != nil {
		t.Errorf("Request composes other schemas; the cross-field rules belong in its x-cross-field-rules")
	}
	var described []string
	for _, s := range crossFieldRules(t, doc).AllOf {
		described = append(described, s.Value.Description)
	}
	rules := api.CrossFieldRules()
	if len(described) != len(rules) {
		t.Errorf("the cross-field rules schema has %d allOf entries, the validator %d cross-field rules", len(described), len(rules))
	}
	for _, rule := range rules {
		prefix := rule.Rule + ": " + rule.Field + " "
		if !slices.ContainsFunc(described, func(d string) bool { return strings.HasPrefix(d, prefix) }) {
			t.Errorf("no allOf entry of the cross-field rules describes rule %s on %s (want a description starting %q)", rule.Rule, rule.Field, prefix)
		}
	}
}

// propertyProblems compares one property schema with its registry field.
func propertyProblems(f api.Field, s *openapi3.Schema) []string {
	var out []string
	if !s.Type.Is(f.Kind.String()) {
		out = append(out, fmt.Sprintf("type %v, the registry's %s", s.Type, f.Kind))
	}
	var enum []string
	for _, v := range s.Enum {
		enum = append(enum, fmt.Sprint(v))
	}
	if !slices.Equal(enum, f.Values) {
		out = append(out, fmt.Sprintf("enum %v, the registry's %v", enum, f.Values))
	}
	lo, hi := s.Min, s.Max
	if f.Kind == api.KindText {
		lo, hi = nil, nil
		if s.MinLength > 0 {
			lo = ptr(float64(s.MinLength))
		}
		if s.MaxLength != nil {
			hi = ptr(float64(*s.MaxLength))
		}
	}
	if fmt.Sprint(deref(lo)) != fmt.Sprint(deref(f.Min)) || fmt.Sprint(deref(hi)) != fmt.Sprint(deref(f.Max)) {
		out = append(out, fmt.Sprintf("bounds [%v, %v], the registry's [%v, %v]", deref(lo), deref(hi), deref(f.Min), deref(f.Max)))
	}
	return out
}

func ptr[T any](v T) *T { return &v }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func sortedKeys(m openapi3.Schemas) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
