package api_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// TestFieldsAreTheRequestsTags holds the registry to Request: one field for
// each struct field, in order, named by its json tag, typed by its Go type,
// with the validate tag's enum and bounds.
func TestFieldsAreTheRequestsTags(t *testing.T) {
	rt := reflect.TypeFor[api.Request]()
	fields := api.Fields()
	if len(fields) != rt.NumField() {
		t.Fatalf("%d fields for %d struct fields", len(fields), rt.NumField())
	}
	kinds := map[reflect.Kind]api.Kind{reflect.Bool: api.KindBool, reflect.Int64: api.KindInteger, reflect.Float64: api.KindNumber}
	for i, f := range fields {
		sf := rt.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if f.Name != name {
			t.Errorf("field %d is %q, its json tag %q", i, f.Name, name)
		}
		if j, ok := api.FieldIndex(name); !ok || j != i {
			t.Errorf("FieldIndex(%q) = %d, %v; want %d", name, j, ok, i)
		}
		want, ok := kinds[sf.Type.Elem().Kind()]
		if !ok {
			want = api.KindText
			if strings.Contains(sf.Tag.Get("validate"), "oneof=") {
				want = api.KindEnum
			}
		}
		if f.Kind != want {
			t.Errorf("%s: kind %v, want %v", name, f.Kind, want)
		}
		if f.Required != strings.Contains(sf.Tag.Get("validate"), "required") {
			t.Errorf("%s: required %v disagrees with its validate tag", name, f.Required)
		}
	}
}

// TestFieldDefaultsAndWhatIfValuesAreValid checks that every default and
// every value what-if tries passes validation as the caller would send it,
// and that every field what-if varies has values to try and a question to
// ask.
func TestFieldDefaultsAndWhatIfValuesAreValid(t *testing.T) {
	v := api.NewValidator()
	for i, f := range api.Fields() {
		values := slices.Clone(f.Vary)
		if f.Default != nil {
			values = append(values, f.Default)
		}
		values = append(values, f.Examples...)
		for _, value := range values {
			if value == nil {
				continue
			}
			body, err := json.Marshal(map[string]any{"multi_tenant": true, f.Name: value})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Parse(body); err != nil {
				t.Errorf("%s: value %v of the registry is refused: %v", f.Name, value, err)
			}
		}
		if f.WhatIf == "" {
			continue
		}
		if (f.Kind == api.KindInteger || f.Kind == api.KindNumber) && len(f.Vary) == 0 {
			t.Errorf("%s: what-if varies it, but it lists no vary values", f.Name)
		}
		if !f.Required && f.Question[0] == "" {
			t.Errorf("%s: what-if varies it, but ask_next has no question for it", f.Name)
		}
		if f.Default == nil && !f.Required && f.Kind != api.KindInteger && f.Kind != api.KindNumber {
			t.Errorf("%s: a flag or an enum what-if varies needs a default", f.Name)
		}
		if _, err := api.NewSetting(i, "not a value of any numeric field"); err == nil && f.Kind != api.KindEnum && f.Kind != api.KindText {
			t.Errorf("%s: NewSetting took a string", f.Name)
		}
	}
}

// TestSettingsApplyAsACallerWould sets a value into a request and into the
// workload it resolved to, as what-if does, and checks both match resolving
// a request the caller sent with that value.
func TestSettingsApplyAsACallerWould(t *testing.T) {
	v := api.NewValidator()
	base, err := v.Parse([]byte(`{"multi_tenant":true,"startup_sla_ms":500,"density":"high"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []api.Change{
		{Field: "startup_sla_ms", Value: nil},
		{Field: "startup_sla_ms", Value: int64(10000)},
		{Field: "density", Value: "low"},
		{Field: "requires_root", Value: true},
		{Field: "availability_target", Value: 99.99},
	} {
		i, _ := api.FieldIndex(c.Field)
		s, err := api.NewSetting(i, c.Value)
		if err != nil {
			t.Fatal(err)
		}
		req := base
		w := base.Workload()
		s.Apply(&req)
		s.ApplyTo(&w)
		sent, err := base.Apply(c)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(req, sent) {
			t.Errorf("%v: request %+v, the caller's %+v", c, req, sent)
		}
		if got, want := mustJSON(t, w), mustJSON(t, sent.Workload()); got != want {
			t.Errorf("%v: workload %s, resolving the caller's %s", c, got, want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
