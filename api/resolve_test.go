package api_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// allDefaulted is every field that has a default, in contract order.
var allDefaulted = []string{
	"tenants_trusted", "needs_windows", "host_os", "custom_kernel", "requires_root",
	"untrusted_code", "isolation", "density", "scaling", "architecture", "full_os",
	"mixed_components", "release_frequency", "env_drift_pain", "performance_sensitive",
	"live_migration", "central_management", "orchestrator", "team_container_experience",
}

// defaults is the workload every default makes, as JSON.
const defaults = `"tenants_trusted":false,"needs_windows":false,"host_os":"linux","custom_kernel":false,
	"requires_root":false,"untrusted_code":false,"isolation":"standard","density":"medium","scaling":"static",
	"architecture":"monolith","full_os":false,"mixed_components":false,"release_frequency":"monthly",
	"env_drift_pain":false,"performance_sensitive":false,"live_migration":false,"central_management":false,
	"orchestrator":"none","team_container_experience":"some"`

func TestResolve(t *testing.T) {
	v := api.NewValidator()
	tests := map[string]struct {
		body          []byte
		want          string // the workload as JSON
		wantDefaulted []string
	}{
		"minimal takes every default": {
			body:          readFixture(t, "minimal.json"),
			want:          `{"multi_tenant":false,` + defaults + `}`,
			wantDefaulted: allDefaulted,
		},
		"full takes none": {
			body: readFixture(t, "full.json"),
			want: `{"name":"payments-api","multi_tenant":true,"tenants_trusted":true,"tenants":12,"needs_windows":false,
				"host_os":"linux","custom_kernel":false,"requires_root":false,"untrusted_code":false,"isolation":"strict",
				"startup_sla_ms":2000,"density":"high","scaling":"elastic","architecture":"microservices","full_os":false,
				"mixed_components":false,"release_frequency":"daily","env_drift_pain":true,"performance_sensitive":true,
				"availability_target":99.95,"live_migration":false,"central_management":false,"orchestrator":"kubernetes",
				"team_container_experience":"expert","instances":250}`,
			wantDefaulted: nil,
		},
		"explicit values equal to the default are not defaulted": {
			body: []byte(`{"multi_tenant": true, "tenants_trusted": false, "host_os": "linux", "density": "medium", "instances": 3}`),
			want: `{"multi_tenant":true,` + defaults + `,"instances":3}`,
			wantDefaulted: slices.DeleteFunc(slices.Clone(allDefaulted), func(f string) bool {
				return f == "tenants_trusted" || f == "host_os" || f == "density"
			}),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, err := v.Parse(tc.body)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			got, defaulted := req.Resolve()
			var want, have any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &have); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(have, want) {
				t.Errorf("Resolve() workload =\n  %s\nwant\n  %s", raw, tc.want)
			}
			if !slices.Equal(defaulted, tc.wantDefaulted) {
				t.Errorf("defaulted = %v, want %v", defaulted, tc.wantDefaulted)
			}
			if w := req.Workload(); !reflect.DeepEqual(w, got) {
				t.Errorf("Workload() =\n  %+v\nResolve() gave\n  %+v", w, got)
			}
			// The optional numbers have no default and are never listed.
			for _, f := range []string{"name", "multi_tenant", "tenants", "startup_sla_ms", "availability_target", "instances"} {
				if slices.Contains(defaulted, f) {
					t.Errorf("defaulted lists %q, which has no default", f)
				}
			}
		})
	}
}

// TestResolveDefaultedNamesAreFields checks the defaulted list speaks in JSON
// names, the names callers know.
func TestResolveDefaultedNamesAreFields(t *testing.T) {
	names := jsonNames(t)
	for _, f := range allDefaulted {
		if !names[f] {
			t.Errorf("%q is not a JSON field name", f)
		}
	}
}
