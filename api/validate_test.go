package api_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
)

// broken names one rule a request breaks: the field by its JSON name and the
// rule's name.
type broken struct{ field, rule string }

func fieldErrors(t *testing.T, err error) []api.FieldError {
	t.Helper()
	if !errors.Is(err, api.ErrInvalid) {
		t.Fatalf("err = %v, want one matching ErrInvalid", err)
	}
	if errors.Is(err, api.ErrDecode) {
		t.Errorf("validation error %v also matches ErrDecode", err)
	}
	var ve *api.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %T, want *api.ValidationError", err)
	}
	return ve.Fields
}

func TestParseValid(t *testing.T) {
	v := api.NewValidator()
	tests := map[string]struct {
		body  []byte
		check func(t *testing.T, r api.Request)
	}{
		"minimal fixture": {
			body: readFixture(t, "minimal.json"),
			check: func(t *testing.T, r api.Request) {
				if r.MultiTenant == nil || *r.MultiTenant {
					t.Errorf("multi_tenant = %v, want false", r.MultiTenant)
				}
				if r.Name != nil || r.HostOS != nil || r.Instances != nil {
					t.Errorf("fields the body left out are set: %+v", r)
				}
			},
		},
		"full fixture": {
			body: readFixture(t, "full.json"),
			check: func(t *testing.T, r api.Request) {
				if *r.Name != "payments-api" || !*r.TenantsTrusted || *r.Isolation != "strict" || *r.StartupSLAMs != 2000 ||
					*r.AvailabilityTarget != 99.95 || *r.Orchestrator != "kubernetes" || *r.Instances != 250 || *r.NeedsWindows {
					t.Errorf("full fixture decoded wrongly: %+v", r)
				}
			},
		},
		"lower bounds": {
			body: []byte(`{"multi_tenant": true, "name": "x", "startup_sla_ms": 1, "availability_target": 90, "instances": 1}`),
		},
		"upper bounds": {
			body: []byte(`{"multi_tenant": true, "name": "` + strings.Repeat("n", 128) + `", "startup_sla_ms": 86400000, "availability_target": 99.9999, "instances": 1000000}`),
		},
		"128 multibyte characters": {
			body: []byte(`{"multi_tenant": true, "name": "` + strings.Repeat("容", 128) + `"}`),
		},
		"tenants_trusted false when single tenant": {
			body: []byte(`{"multi_tenant": false, "tenants_trusted": false}`),
		},
		"full_os with batch": {
			body: []byte(`{"multi_tenant": false, "full_os": true, "architecture": "batch"}`),
		},
		"microservices without full_os": {
			body: []byte(`{"multi_tenant": false, "full_os": false, "architecture": "microservices"}`),
		},
		"high density with two instances": {
			body: []byte(`{"multi_tenant": false, "density": "high", "instances": 2}`),
		},
		"high density without instance count": {
			body: []byte(`{"multi_tenant": false, "density": "high"}`),
		},
		"low density with one instance": {
			body: []byte(`{"multi_tenant": false, "density": "low", "instances": 1}`),
		},
		"windows on windows hosts": {
			body: []byte(`{"multi_tenant": false, "needs_windows": true, "host_os": "windows"}`),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := v.Parse(tc.body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if tc.check != nil {
				tc.check(t, req)
			}
		})
	}
}

// contractEnums lists every enum field of contract v1 with its allowed values.
var contractEnums = map[string][]string{
	"host_os":                   {"linux", "windows"},
	"isolation":                 {"standard", "strict", "hardware"},
	"density":                   {"low", "medium", "high"},
	"scaling":                   {"static", "elastic"},
	"architecture":              {"monolith", "microservices", "batch"},
	"release_frequency":         {"rare", "monthly", "weekly", "daily"},
	"orchestrator":              {"none", "kubernetes", "other"},
	"team_container_experience": {"none", "some", "expert"},
}

type invalidCase struct {
	body       string
	want       []broken
	messageHas string // substring of the first field's message
}

func TestParseInvalid(t *testing.T) {
	v := api.NewValidator()
	tests := map[string]invalidCase{
		"missing multi_tenant":       {body: `{}`, want: []broken{{"multi_tenant", "required"}}, messageHas: "required"},
		"only other fields":          {body: `{"name": "x", "density": "low"}`, want: []broken{{"multi_tenant", "required"}}},
		"empty name":                 {body: `{"multi_tenant": true, "name": ""}`, want: []broken{{"name", "min"}}, messageHas: "at least 1 characters"},
		"name of 129":                {body: `{"multi_tenant": true, "name": "` + strings.Repeat("n", 129) + `"}`, want: []broken{{"name", "max"}}, messageHas: "at most 128 characters"},
		"name of 129 multibyte":      {body: `{"multi_tenant": true, "name": "` + strings.Repeat("容", 129) + `"}`, want: []broken{{"name", "max"}}},
		"startup_sla_ms 0":           {body: `{"multi_tenant": true, "startup_sla_ms": 0}`, want: []broken{{"startup_sla_ms", "min"}}, messageHas: "at least 1"},
		"startup_sla_ms negative":    {body: `{"multi_tenant": true, "startup_sla_ms": -250}`, want: []broken{{"startup_sla_ms", "min"}}},
		"startup_sla_ms above a day": {body: `{"multi_tenant": true, "startup_sla_ms": 86400001}`, want: []broken{{"startup_sla_ms", "max"}}},
		"startup_sla_ms max int64":   {body: `{"multi_tenant": true, "startup_sla_ms": 9223372036854775807}`, want: []broken{{"startup_sla_ms", "max"}}},
		"availability 89.9":          {body: `{"multi_tenant": true, "availability_target": 89.9}`, want: []broken{{"availability_target", "min"}}, messageHas: "at least 90"},
		"availability 100":           {body: `{"multi_tenant": true, "availability_target": 100}`, want: []broken{{"availability_target", "max"}}, messageHas: "at most 99.9999"},
		"availability negative":      {body: `{"multi_tenant": true, "availability_target": -99.9}`, want: []broken{{"availability_target", "min"}}},
		"instances 0":                {body: `{"multi_tenant": true, "instances": 0}`, want: []broken{{"instances", "min"}}},
		"instances negative":         {body: `{"multi_tenant": true, "instances": -3}`, want: []broken{{"instances", "min"}}},
		"instances 1000001":          {body: `{"multi_tenant": true, "instances": 1000001}`, want: []broken{{"instances", "max"}}, messageHas: "at most 1000000"},
		"tenants_trusted without multi_tenant": {
			body: `{"multi_tenant": false, "tenants_trusted": true}`,
			want: []broken{{"tenants_trusted", "requires_multi_tenant"}}, messageHas: "multi_tenant",
		},
		"full_os with microservices": {
			body: `{"multi_tenant": false, "full_os": true, "architecture": "microservices"}`,
			want: []broken{{"full_os", "conflicts_with_microservices"}}, messageHas: "microservices",
		},
		"high density with one instance": {
			body: `{"multi_tenant": false, "density": "high", "instances": 1}`,
			want: []broken{{"density", "needs_several_instances"}}, messageHas: "instances 1",
		},
		"every rule at once is reported": {
			body: string(readFixture(t, "cross-field.json")),
			want: []broken{
				{"tenants_trusted", "requires_multi_tenant"},
				{"full_os", "conflicts_with_microservices"},
				{"density", "needs_several_instances"},
			},
		},
		"tag and cross-field rules together": {
			body: `{"name": "", "instances": 0, "density": "high", "multi_tenant": false, "tenants_trusted": true}`,
			want: []broken{{"name", "min"}, {"instances", "min"}, {"tenants_trusted", "requires_multi_tenant"}},
		},
	}
	for field, values := range contractEnums {
		tests["enum "+field+" unknown value"] = invalidCase{
			body:       fmt.Sprintf(`{"multi_tenant": true, %q: "bogus"}`, field),
			want:       []broken{{field, "oneof"}},
			messageHas: strings.Join(values, ", "),
		}
		// Values are case-sensitive, and an empty string is not "left out".
		tests["enum "+field+" upper case"] = invalidCase{
			body: fmt.Sprintf(`{"multi_tenant": true, %q: %q}`, field, strings.ToUpper(values[0])),
			want: []broken{{field, "oneof"}},
		}
		tests["enum "+field+" empty"] = invalidCase{
			body: fmt.Sprintf(`{"multi_tenant": true, %q: ""}`, field),
			want: []broken{{field, "oneof"}},
		}
	}
	names := jsonNames(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := v.Parse([]byte(tc.body))
			fields := fieldErrors(t, err)
			var got []broken
			for _, f := range fields {
				got = append(got, broken{f.Field, f.Rule})
				if !names[f.Field] {
					t.Errorf("field %q is not a JSON field name", f.Field)
				}
				if f.Message == "" {
					t.Errorf("field %q has no message", f.Field)
				}
				if !strings.Contains(err.Error(), f.Field+": "+f.Message) {
					t.Errorf("Error() = %q does not mention %s: %s", err.Error(), f.Field, f.Message)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("broken rules = %v, want %v", got, tc.want)
			}
			if tc.messageHas != "" && len(fields) > 0 && !strings.Contains(fields[0].Message, tc.messageHas) {
				t.Errorf("message = %q, want it to contain %q", fields[0].Message, tc.messageHas)
			}
		})
	}
}

// TestEnumValuesAccepted parses every allowed value of every enum, so the
// validation tags and the contract cannot drift apart in the other direction.
func TestEnumValuesAccepted(t *testing.T) {
	v := api.NewValidator()
	for field, values := range contractEnums {
		t.Run(field, func(t *testing.T) {
			for _, value := range values {
				body := fmt.Sprintf(`{"multi_tenant": true, %q: %q}`, field, value)
				if _, err := v.Parse([]byte(body)); err != nil {
					t.Errorf("%s = %q rejected: %v", field, value, err)
				}
			}
		})
	}
}

func TestParseReturnsDecodeErrors(t *testing.T) {
	v := api.NewValidator()
	tests := map[string]string{
		"empty":         "",
		"unknown field": `{"multi_tenant": true, "colour": "red"}`,
		"wrong type":    `{"multi_tenant": "yes"}`,
		"trailing data": `{"multi_tenant": true} {}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := v.Parse([]byte(body))
			if !errors.Is(err, api.ErrDecode) || errors.Is(err, api.ErrInvalid) {
				t.Errorf("err = %v, want a decode error only", err)
			}
		})
	}
}

func TestValidateDirect(t *testing.T) {
	v := api.NewValidator()
	yes, no := true, false
	zero := int64(0)
	tests := map[string]struct {
		req  api.Request
		want []broken
	}{
		"zero request":              {req: api.Request{}, want: []broken{{"multi_tenant", "required"}}},
		"multi_tenant false is set": {req: api.Request{MultiTenant: &no}},
		"trusted without tenants":   {req: api.Request{MultiTenant: &no, TenantsTrusted: &yes}, want: []broken{{"tenants_trusted", "requires_multi_tenant"}}},
		"trusted with tenants":      {req: api.Request{MultiTenant: &yes, TenantsTrusted: &yes}},
		"zero instances":            {req: api.Request{MultiTenant: &yes, Instances: &zero}, want: []broken{{"instances", "min"}}},
		"tenants of one tenant":     {req: api.Request{MultiTenant: &no, Tenants: new(int64(40))}, want: []broken{{"tenants", "requires_multi_tenant"}}},
		"one tenant is not several": {req: api.Request{MultiTenant: &yes, Tenants: new(int64(1))}, want: []broken{{"tenants", "min"}}},
		"tenants":                   {req: api.Request{MultiTenant: &yes, Tenants: new(int64(40))}},
		"mixed monolith":            {req: api.Request{MultiTenant: &no, NeedsWindows: &yes, MixedComponents: &yes}, want: []broken{{"mixed_components", "requires_components"}}},
		"mixed without a vm part":   {req: api.Request{MultiTenant: &no, Architecture: new("microservices"), MixedComponents: &yes}, want: []broken{{"mixed_components", "requires_a_vm_part"}}},
		"mixed windows on linux":    {req: api.Request{MultiTenant: &no, Architecture: new("microservices"), NeedsWindows: &yes, MixedComponents: &yes}},
		"mixed linux on windows":    {req: api.Request{MultiTenant: &no, Architecture: new("batch"), HostOS: new("windows"), MixedComponents: &yes}},
		"mixed with its own kernel": {req: api.Request{MultiTenant: &no, Architecture: new("batch"), CustomKernel: &yes, MixedComponents: &yes}},
		"not mixed":                 {req: api.Request{MultiTenant: &no, MixedComponents: &no}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := v.Validate(&tc.req)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var got []broken
			for _, f := range fieldErrors(t, err) {
				got = append(got, broken{f.Field, f.Rule})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("broken rules = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCrossFieldsAreWhatContradictionsRead holds CrossFields to
// Contradictions: setting a field it does not name to any value never
// changes what Contradictions reports, and each field it names does for some
// request. What-if skips the contradiction check for changes to other fields.
func TestCrossFieldsAreWhatContradictionsRead(t *testing.T) {
	cross := api.CrossFields()
	reqs := workloadgen.New(11).Requests(200)
	// Requests that break each rule, so a change can also mend one.
	for _, body := range []string{
		`{"multi_tenant":false,"tenants_trusted":true}`,
		`{"multi_tenant":false,"full_os":true,"architecture":"microservices"}`,
		`{"multi_tenant":false,"density":"high","instances":1}`,
		`{"multi_tenant":false,"tenants":5}`,
		`{"multi_tenant":false,"mixed_components":true}`,
		`{"multi_tenant":false,"mixed_components":true,"architecture":"batch","needs_windows":true}`,
	} {
		req, err := api.DecodeRequest([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, req)
	}
	matters := map[string]bool{}
	rt := reflect.TypeFor[api.Request]()
	for i := range rt.NumField() {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		for _, value := range fieldValues(rt.Field(i)) {
			for _, req := range reqs {
				before := api.Contradictions(&req)
				changed := req
				reflect.ValueOf(&changed).Elem().Field(i).Set(value)
				if after := api.Contradictions(&changed); !reflect.DeepEqual(before, after) {
					matters[name] = true
					if !slices.Contains(cross, name) {
						t.Errorf("setting %s to %v changes the contradictions (%v to %v), but CrossFields does not name it", name, value, before, after)
					}
				}
			}
		}
	}
	for _, name := range cross {
		if !matters[name] {
			t.Errorf("CrossFields names %s, but no value of it changed the contradictions", name)
		}
	}
}

// fieldValues are values for a Request field to take: unset and, by type,
// both booleans, every value its oneof tag allows, or a few numbers.
func fieldValues(f reflect.StructField) []reflect.Value {
	out := []reflect.Value{reflect.Zero(f.Type)}
	ptr := func(v any) reflect.Value {
		p := reflect.New(f.Type.Elem())
		p.Elem().Set(reflect.ValueOf(v).Convert(f.Type.Elem()))
		return p
	}
	switch f.Type.Elem().Kind() {
	case reflect.Bool:
		out = append(out, ptr(true), ptr(false))
	case reflect.String:
		values := []string{"x"}
		for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
			if list, ok := strings.CutPrefix(rule, "oneof="); ok {
				values = strings.Fields(list)
			}
		}
		for _, v := range values {
			out = append(out, ptr(v))
		}
	case reflect.Int64:
		out = append(out, ptr(1), ptr(2), ptr(1000))
	case reflect.Float64:
		out = append(out, ptr(99.9), ptr(95.0))
	}
	return out
}
