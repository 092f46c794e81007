package api_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/bench/corpus"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// jsonNames lists the JSON names of every Request field, read from the full
// fixture; the test checks that the fixture really sets every field.
func jsonNames(t *testing.T) map[string]bool {
	t.Helper()
	var fields map[string]any
	if err := json.Unmarshal(readFixture(t, "full.json"), &fields); err != nil {
		t.Fatal(err)
	}
	if n := reflect.TypeFor[api.Request]().NumField(); len(fields) != n {
		t.Fatalf("testdata/full.json sets %d fields, Request has %d: add the missing ones", len(fields), n)
	}
	names := make(map[string]bool, len(fields))
	for k := range fields {
		names[k] = true
	}
	return names
}

func TestDecodeRequestRejects(t *testing.T) {
	tests := map[string]struct {
		body      string
		field     string   // JSON name expected in DecodeError.Field; "" = body as a whole
		reasonHas []string // substrings of DecodeError.Reason
	}{
		"empty body":                {body: "", reasonHas: []string{"empty"}},
		"whitespace only":           {body: " \n\t\r ", reasonHas: []string{"empty"}},
		"null":                      {body: "null", reasonHas: []string{"must be a JSON object"}},
		"null optional field":       {body: `{"multi_tenant": true, "name": null}`, field: "name", reasonHas: []string{"must not be null", "leave the field out"}},
		"null required field":       {body: `{"multi_tenant": null}`, field: "multi_tenant", reasonHas: []string{"must not be null"}},
		"array":                     {body: `[{"multi_tenant": true}]`, reasonHas: []string{"must be a JSON object"}},
		"string":                    {body: `"multi_tenant"`, reasonHas: []string{"must be a JSON object"}},
		"number":                    {body: `42`, reasonHas: []string{"must be a JSON object"}},
		"truncated object":          {body: `{"multi_tenant": true`, reasonHas: []string{"ends before"}},
		"truncated value":           {body: `{"multi_tenant": tr`, reasonHas: []string{"ends before"}},
		"truncated key":             {body: `{"multi_te`, reasonHas: []string{"ends before"}},
		"trailing comma":            {body: `{"multi_tenant": true,}`, reasonHas: []string{"invalid JSON"}},
		"single quotes":             {body: `{'multi_tenant': true}`, reasonHas: []string{"invalid JSON"}},
		"trailing object":           {body: `{"multi_tenant": true} {"multi_tenant": false}`, reasonHas: []string{"after the request object"}},
		"trailing word":             {body: `{"multi_tenant": true} x`, reasonHas: []string{"after the request object"}},
		"trailing bracket":          {body: `{"multi_tenant": true}]`, reasonHas: []string{"after the request object"}},
		"trailing null":             {body: `{"multi_tenant": true} null`, reasonHas: []string{"after the request object"}},
		"unknown field":             {body: `{"multi_tenant": true, "gpu": true}`, field: "gpu", reasonHas: []string{"unknown field"}},
		"unknown field first":       {body: `{"cpu_count": 4, "multi_tenant": true}`, field: "cpu_count", reasonHas: []string{"unknown field"}},
		"field in another case":     {body: `{"Multi_Tenant": true}`, field: "Multi_Tenant", reasonHas: []string{"unknown field"}},
		"go field name":             {body: `{"multi_tenant": true, "StartupSLAMs": 5}`, field: "StartupSLAMs", reasonHas: []string{"unknown field"}},
		"duplicate key":             {body: `{"multi_tenant": true, "density": "low", "density": "high"}`, field: "density", reasonHas: []string{"more than once"}},
		"duplicate required key":    {body: `{"multi_tenant": true, "multi_tenant": false}`, field: "multi_tenant", reasonHas: []string{"more than once"}},
		"duplicate by case":         {body: `{"multi_tenant": true, "MULTI_TENANT": false}`, field: "MULTI_TENANT", reasonHas: []string{"unknown field"}},
		"duplicate via escape":      {body: `{"multi_tenant": true, "multi\u005ftenant": false}`, field: "multi_tenant", reasonHas: []string{"more than once"}},
		"bool as string":            {body: `{"multi_tenant": "true"}`, field: "multi_tenant", reasonHas: []string{"must be a boolean", "got a string"}},
		"bool as number":            {body: `{"multi_tenant": 1}`, field: "multi_tenant", reasonHas: []string{"must be a boolean", "got a number"}},
		"bool as object":            {body: `{"multi_tenant": {}}`, field: "multi_tenant", reasonHas: []string{"must be a boolean", "got an object"}},
		"optional bool as array":    {body: `{"multi_tenant": true, "custom_kernel": [true]}`, field: "custom_kernel", reasonHas: []string{"must be a boolean", "got an array"}},
		"string as number":          {body: `{"multi_tenant": true, "name": 5}`, field: "name", reasonHas: []string{"must be a string", "got a number"}},
		"string as bool":            {body: `{"multi_tenant": true, "host_os": true}`, field: "host_os", reasonHas: []string{"must be a string", "got a boolean"}},
		"enum as array":             {body: `{"multi_tenant": true, "density": ["high"]}`, field: "density", reasonHas: []string{"must be a string", "got an array"}},
		"int as string":             {body: `{"multi_tenant": true, "instances": "5"}`, field: "instances", reasonHas: []string{"must be an integer", "got a string"}},
		"int as bool":               {body: `{"multi_tenant": true, "startup_sla_ms": true}`, field: "startup_sla_ms", reasonHas: []string{"must be an integer", "got a boolean"}},
		"float as string":           {body: `{"multi_tenant": true, "availability_target": "99.9"}`, field: "availability_target", reasonHas: []string{"must be a number", "got a string"}},
		"float as object":           {body: `{"multi_tenant": true, "availability_target": {"value": 99.9}}`, field: "availability_target", reasonHas: []string{"must be a number", "got an object"}},
		"huge exponent for int":     {body: `{"multi_tenant": true, "startup_sla_ms": 1e30}`, field: "startup_sla_ms", reasonHas: []string{"must be an integer", "1e30"}},
		"huge integer for int":      {body: `{"multi_tenant": true, "startup_sla_ms": 99999999999999999999}`, field: "startup_sla_ms", reasonHas: []string{"must be an integer", "99999999999999999999", "out of range"}},
		"fraction for int":          {body: `{"multi_tenant": true, "instances": 2.5}`, field: "instances", reasonHas: []string{"must be an integer", "2.5", "whole number"}},
		"whole float for int":       {body: `{"multi_tenant": true, "instances": 3.0}`, field: "instances", reasonHas: []string{"must be an integer", "3.0"}},
		"exponent for int":          {body: `{"multi_tenant": true, "instances": 1e3}`, field: "instances", reasonHas: []string{"must be an integer", "1e3"}},
		"overflowing float":         {body: `{"multi_tenant": true, "availability_target": 1e400}`, field: "availability_target", reasonHas: []string{"must be a number", "out of range"}},
		"invalid UTF-8 in string":   {body: "{\"multi_tenant\": true, \"name\": \"caf\xe9\"}", reasonHas: []string{"UTF-8"}},
		"invalid UTF-8 outside":     {body: "\xff{\"multi_tenant\": true}", reasonHas: []string{"UTF-8"}},
		"UTF-8 byte order mark":     {body: "\ufeff{\"multi_tenant\": true}", reasonHas: []string{"invalid JSON"}},
		"nested object is not flat": {body: `{"workload": {"multi_tenant": true}}`, field: "workload", reasonHas: []string{"unknown field"}},
	}
	names := jsonNames(t)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := api.DecodeRequest([]byte(tc.body))
			if !errors.Is(err, api.ErrDecode) {
				t.Fatalf("err = %v, want one matching ErrDecode", err)
			}
			if errors.Is(err, api.ErrInvalid) {
				t.Errorf("decode error %v also matches ErrInvalid", err)
			}
			var de *api.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %T, want *api.DecodeError", err)
			}
			if de.Field != tc.field {
				t.Errorf("Field = %q, want %q (reason %q)", de.Field, tc.field, de.Reason)
			}
			// A field that exists is named by its JSON name, never its Go name.
			if strings.HasPrefix(de.Reason, "must be") && !names[de.Field] {
				t.Errorf("type error names %q, which is not a JSON field name", de.Field)
			}
			for _, s := range tc.reasonHas {
				if !strings.Contains(de.Reason, s) {
					t.Errorf("Reason = %q, want it to contain %q", de.Reason, s)
				}
			}
			// Go type names mean nothing to a caller who sent JSON.
			for _, goWord := range []string{"int64", "float64", "*bool", "*string", "api.Request", "Go value"} {
				if strings.Contains(de.Reason, goWord) {
					t.Errorf("Reason = %q mentions Go type %q", de.Reason, goWord)
				}
			}
			if tc.field != "" && !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Errorf("Error() = %q, want it to start with the field name", err.Error())
			}
		})
	}
}

// TestDecodeRequestFixtures decodes the bodies kept in testdata/ that must
// fail, so the fuzz corpus and the table agree on what they are.
func TestDecodeRequestFixtures(t *testing.T) {
	tests := map[string]struct {
		file  string
		field string
	}{
		"invalid UTF-8":   {file: "invalid-utf8.json"},
		"duplicate key":   {file: "duplicate-key.json", field: "density"},
		"trailing object": {file: "trailing-object.json"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := api.DecodeRequest(readFixture(t, tc.file))
			var de *api.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *api.DecodeError", err)
			}
			if de.Field != tc.field {
				t.Errorf("Field = %q, want %q", de.Field, tc.field)
			}
		})
	}
}

func TestDecodeRequestAccepts(t *testing.T) {
	ptrTrue := func(r api.Request) bool { return r.MultiTenant != nil && *r.MultiTenant }
	tests := map[string]struct {
		body  string
		check func(api.Request) bool
	}{
		"surrounding whitespace": {body: "\n  {\"multi_tenant\": true}\n\n", check: ptrTrue},
		"escaped key":            {body: `{"multi\u005ftenant": true}`, check: ptrTrue},
		"explicit false kept":    {body: `{"multi_tenant": true, "custom_kernel": false}`, check: func(r api.Request) bool { return r.CustomKernel != nil && !*r.CustomKernel }},
		"integer for float":      {body: `{"multi_tenant": true, "availability_target": 99}`, check: func(r api.Request) bool { return r.AvailabilityTarget != nil && *r.AvailabilityTarget == 99 }},
		"unicode name":           {body: `{"multi_tenant": true, "name": "支付网关 \u00e9"}`, check: func(r api.Request) bool { return r.Name != nil && *r.Name == "支付网关 é" }},
		// decoding does not validate values: that is Validate's job.
		"out-of-range value":   {body: `{"multi_tenant": true, "instances": 0}`, check: func(r api.Request) bool { return r.Instances != nil && *r.Instances == 0 }},
		"missing multi_tenant": {body: `{}`, check: func(r api.Request) bool { return r.MultiTenant == nil }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := api.DecodeRequest([]byte(tc.body))
			if err != nil {
				t.Fatalf("DecodeRequest: %v", err)
			}
			if !tc.check(req) {
				t.Errorf("decoded %+v, which fails the check", req)
			}
		})
	}
}

// TestDecodeFlatTakesEveryCorpusBody checks that the fast path really is the
// path: every example and every generated body of the benchmark corpus is a
// flat object it decodes, to the request the full decoding gives. Bodies it
// must leave to the full decoding are in TestDecodeFlatDeclines.
func TestDecodeFlatTakesEveryCorpusBody(t *testing.T) {
	sets, err := corpus.Sets()
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range sets {
		for _, body := range set.Bodies {
			flat, ok := api.DecodeFlat(body.JSON)
			if !ok {
				t.Errorf("%s/%s: the fast path declined %s", set.Name, body.Name, body.JSON)
				continue
			}
			full, err := api.DecodeFull(body.JSON)
			if err != nil || !reflect.DeepEqual(flat, full) {
				t.Errorf("%s/%s: fast %+v, full %+v (%v)", set.Name, body.Name, flat, full, err)
			}
		}
	}
}

// TestDecodeFlatDeclines lists what the fast path leaves to the full
// decoding: bodies it cannot decode in one plain pass, whether they are
// errors or not.
func TestDecodeFlatDeclines(t *testing.T) {
	for name, body := range map[string]string{
		"escaped string":       `{"multi_tenant": true, "name": "caf\u00e9"}`,
		"escaped key":          `{"multi\u005ftenant": true}`,
		"null":                 `{"multi_tenant": null}`,
		"string for a boolean": `{"multi_tenant": "true"}`,
		"fraction for integer": `{"multi_tenant": true, "instances": 1.0}`,
		"leading zero":         `{"multi_tenant": true, "instances": 01}`,
		"out of range":         `{"multi_tenant": true, "instances": 99999999999999999999}`,
		"duplicate key":        `{"multi_tenant": true, "multi_tenant": false}`,
		"other case":           `{"Multi_Tenant": true}`,
		"unknown field":        `{"multi_tenant": true, "colour": "blue"}`,
		"nested value":         `{"multi_tenant": true, "name": {"a": 1}}`,
		"trailing comma":       `{"multi_tenant": true,}`,
		"trailing data":        `{"multi_tenant": true} {}`,
		"control character":    "{\"multi_tenant\": true, \"name\": \"a\tb\"}",
		"invalid UTF-8":        "{\"multi_tenant\": true, \"name\": \"\xff\"}",
		"not an object":        `[{"multi_tenant": true}]`,
		"empty":                ``,
		"unterminated":         `{"multi_tenant": true`,
	} {
		t.Run(name, func(t *testing.T) {
			if req, ok := api.DecodeFlat([]byte(body)); ok {
				t.Fatalf("the fast path decoded %q to %+v", body, req)
			}
		})
	}
}
