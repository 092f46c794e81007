package api_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
)

func TestYAMLDocuments(t *testing.T) {
	tests := map[string]struct {
		yaml      string
		workloads int
		decodeErr string // substring of the stream's error, if any
		field     string // field named by the stream's error
		parseErr  string // substring of the first workload's Parse error
	}{
		"one workload":            {yaml: "multi_tenant: true\ndensity: high\n", workloads: 1},
		"no stays a string":       {yaml: "multi_tenant: no\n", workloads: 1, parseErr: "multi_tenant: must be a boolean"},
		"yes stays a string":      {yaml: "multi_tenant: false\nneeds_windows: yes\n", workloads: 1, parseErr: "needs_windows: must be a boolean"},
		"no as a name is fine":    {yaml: "multi_tenant: false\nname: no\n", workloads: 1},
		"unknown field":           {yaml: "multi_tenant: true\nbogus: 1\n", workloads: 1, parseErr: "bogus: unknown field"},
		"duplicate key":           {yaml: "multi_tenant: true\nmulti_tenant: false\n", decodeErr: "already defined", field: "multi_tenant"},
		"several documents":       {yaml: "multi_tenant: true\n---\nmulti_tenant: false\n---\nmulti_tenant: true\n", workloads: 3},
		"a list in one document":  {yaml: "- multi_tenant: true\n- multi_tenant: false\n", workloads: 2},
		"list and document mixed": {yaml: "- multi_tenant: true\n---\nmulti_tenant: false\n", workloads: 2},
		"broken syntax":           {yaml: "multi_tenant: [\n", decodeErr: "YAML document 1"},
		"empty":                   {yaml: "", decodeErr: "no workload"},
		"a scalar":                {yaml: "hello\n", workloads: 1, parseErr: "JSON object"},
		"a shared anchor":         {yaml: "- &base {multi_tenant: true, density: high}\n- *base\n- *base\n", workloads: 3},
		"billion laughs":          {yaml: billionLaughs, decodeErr: "YAML expands to more than 100000 nodes"},
		"deep flow nesting":       {yaml: strings.Repeat("[", 50000) + strings.Repeat("]", 50000), decodeErr: "YAML nests more than 32 levels deep (line 1)"},
		"deep block sequences":    {yaml: strings.Repeat("- ", 50000) + "x\n", decodeErr: "YAML nests more than 32 levels deep"},
		"deep block mappings":     {yaml: deepMappings(40), decodeErr: "YAML nests more than 32 levels deep (line 33)"},
		"deep flow mappings":      {yaml: strings.Repeat("{a: ", 20000) + "1" + strings.Repeat("}", 20000), decodeErr: "YAML nests more than 32 levels deep"},
		"too many tokens":         {yaml: "a: [" + strings.Repeat("1,", 200000) + "]", decodeErr: "YAML holds more than 200000 tokens"},
		"nesting at the bound":    {yaml: "- multi_tenant: true\n  name: x\n" + "- " + strings.Repeat("[", 29) + strings.Repeat("]", 29) + "\n", workloads: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			docs, err := api.YAMLDocuments([]byte(tc.yaml))
			if tc.decodeErr != "" {
				var de *api.DecodeError
				if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.decodeErr) || de.Field != tc.field {
					t.Fatalf("err = %v, want a DecodeError with %q naming %q", err, tc.decodeErr, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if len(docs) != tc.workloads {
				t.Fatalf("%d workloads, want %d", len(docs), tc.workloads)
			}
			_, err = api.NewValidator().Parse(docs[0])
			switch {
			case tc.parseErr == "" && err != nil:
				t.Fatalf("parse: %v", err)
			case tc.parseErr != "" && (err == nil || !strings.Contains(err.Error(), tc.parseErr)):
				t.Fatalf("parse err = %v, want %q", err, tc.parseErr)
			}
		})
	}
}

// billionLaughs is nine levels of nine aliases each: 452 bytes that
// decode to 9^9 strings.
var billionLaughs = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`

// deepMappings is block mappings nested n deep, a key per line.
func deepMappings(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "k:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "v: 1\n")
	return b.String()
}

func TestSplitJSONArray(t *testing.T) {
	tests := map[string]struct {
		body  string
		max   int
		items int
		err   error
	}{
		"two items":           {body: `[{"multi_tenant":true},{"bad":1}]`, max: 10, items: 2},
		"empty array":         {body: `[]`, max: 10, items: 0},
		"an object":           {body: `{"multi_tenant":true}`, max: 10, err: api.ErrDecode},
		"empty body":          {body: ``, max: 10, err: api.ErrDecode},
		"truncated":           {body: `[{"multi_tenant":true}`, max: 10, err: api.ErrDecode},
		"trailing data":       {body: `[] []`, max: 10, err: api.ErrDecode},
		"too many":            {body: `[1,2,3]`, max: 2, err: api.ErrBatchTooLarge},
		"exactly the maximum": {body: `[1,2]`, max: 2, items: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items, err := api.SplitJSONArray([]byte(tc.body), tc.max)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || len(items) != tc.items {
				t.Fatalf("got %d items, err %v; want %d", len(items), err, tc.items)
			}
		})
	}
}

func TestApplyMatchesACallerEdit(t *testing.T) {
	req, err := api.NewValidator().Parse([]byte(`{"multi_tenant":true,"startup_sla_ms":500,"density":"high"}`))
	if err != nil {
		t.Fatal(err)
	}
	next, err := req.Apply(api.Change{Field: "startup_sla_ms", Value: nil}, api.Change{Field: "tenants_trusted", Value: true}, api.Change{Field: "density", Value: "low"})
	if err != nil {
		t.Fatal(err)
	}
	if next.StartupSLAMs != nil || next.TenantsTrusted == nil || !*next.TenantsTrusted || *next.Density != "low" || !*next.MultiTenant {
		t.Fatalf("apply gave %+v", next)
	}
	if *req.Density != "high" {
		t.Fatal("apply changed the original request")
	}
	if _, err := req.Apply(api.Change{Field: "bogus", Value: 1}); !errors.Is(err, api.ErrDecode) {
		t.Fatalf("unknown field: err = %v, want ErrDecode", err)
	}
}
