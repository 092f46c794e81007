package web_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
	"github.com/placement-advisor/advise/web"
)

// TestFormRoundTrip writes varied requests as the form's values and reads
// them back through the decoder: every field of the registry, of every
// kind, survives the page unchanged.
func TestFormRoundTrip(t *testing.T) {
	for i, req := range workloadgen.New(17).Requests(2000) {
		values := web.Values(&req)
		got, err := api.DecodeRequest(web.RequestJSON(values))
		if err != nil {
			t.Fatalf("request %d: %v\nvalues: %v", i, err, values)
		}
		if !reflect.DeepEqual(got, req) {
			a, _ := json.Marshal(req)
			b, _ := json.Marshal(got)
			t.Fatalf("request %d changed on the way:\n sent %s\n read %s", i, a, b)
		}
	}
}

// TestRequestJSON maps form values to the contract's body: each value by
// its field's kind, empty ones left out, page parameters ignored, and
// whatever is no field's passed on for the decoder to name.
func TestRequestJSON(t *testing.T) {
	for name, tc := range map[string]struct {
		values  url.Values
		want    string // the body, when it decodes
		refused bool   // else it does not,
		field   string // and the decoder names this field ("" for the body)
	}{
		"kinds":              {values: url.Values{"name": {`a "quoted" <name>`}, "multi_tenant": {"true"}, "density": {"high"}, "instances": {" 40 "}, "availability_target": {"99.95"}}, want: `{"name":"a \"quoted\" <name>","multi_tenant":true,"density":"high","availability_target":99.95,"instances":40}`},
		"empty is left out":  {values: url.Values{"multi_tenant": {"false"}, "isolation": {""}, "tenants": {"  "}}, want: `{"multi_tenant":false}`},
		"page parameters":    {values: url.Values{"multi_tenant": {"true"}, "token": {"secret"}, "lang": {"zh"}, "switch_lang": {"en"}, "apply": {"x=y"}}, want: `{"multi_tenant":true}`},
		"not a boolean":      {values: url.Values{"multi_tenant": {"maybe"}}, field: "multi_tenant", refused: true},
		"not a number":       {values: url.Values{"multi_tenant": {"true"}, "startup_sla_ms": {"fast"}}, field: "startup_sla_ms", refused: true},
		"number not as JSON": {values: url.Values{"multi_tenant": {"true"}, "instances": {"0x10"}}, field: "instances", refused: true},
		"unknown key":        {values: url.Values{"multi_tenant": {"true"}, "colour": {"blue"}}, field: "colour", refused: true},
		"given twice":        {values: url.Values{"multi_tenant": {"true", "false"}}, field: "multi_tenant", refused: true},
		"not UTF-8":          {values: url.Values{"multi_tenant": {"true"}, "name": {"caf\xe9"}}, field: "", refused: true},
	} {
		t.Run(name, func(t *testing.T) {
			body := web.RequestJSON(tc.values)
			if !json.Valid(body) {
				t.Fatalf("not JSON: %s", body)
			}
			_, err := api.DecodeRequest(body)
			if !tc.refused {
				if err != nil {
					t.Fatalf("decode %s: %v", body, err)
				}
				if string(body) != tc.want {
					t.Errorf("body = %s, want %s", body, tc.want)
				}
				return
			}
			var de *api.DecodeError
			if !errors.As(err, &de) || de.Field != tc.field {
				t.Errorf("decode %s: %v, want an error naming %s", body, err, tc.field)
			}
		})
	}
}

// TestApplySubmitted makes a what-if's changes, as its button posts them:
// a field set, a field left out, and nothing but fields of the contract.
func TestApplySubmitted(t *testing.T) {
	values := url.Values{"multi_tenant": {"true"}, "startup_sla_ms": {"500"}, "lang": {"en"}}
	param := web.ApplyParam([]api.Change{{Field: "isolation", Value: "hardware"}, {Field: "startup_sla_ms", Value: nil}})
	got := web.ApplySubmitted(values, param+"&lang=zh&token=x")
	want := url.Values{"multi_tenant": {"true"}, "isolation": {"hardware"}, "lang": {"en"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("applied %q: %v, want %v", param, got, want)
	}
	if values.Get("startup_sla_ms") != "500" {
		t.Error("ApplySubmitted changed the values it was given")
	}
}

// FuzzRequestJSON: whatever a query holds, the body is one JSON object the
// decoder reads without panicking, and a field an error names is a key
// the query gave (escaped, where it holds unsafe characters).
func FuzzRequestJSON(f *testing.F) {
	for _, seed := range []string{"multi_tenant=true&name=x", "instances=1e3&density=high", "a=1&a=2", "name=%1b%5b2J", "tenants=-0.5", "multi_tenant=true&multi_tenant="} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		body := web.RequestJSON(values)
		if !json.Valid(body) || body[0] != '{' {
			t.Fatalf("not one JSON object: %s", body)
		}
		_, err = api.DecodeRequest(body)
		var de *api.DecodeError
		if errors.As(err, &de) && de.Field != "" {
			for key := range values {
				if api.SafeText(key) == de.Field {
					return
				}
			}
			t.Fatalf("the decoder names %q, which the query %q does not give", de.Field, query)
		}
	})
}
