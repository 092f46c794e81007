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
