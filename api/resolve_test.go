package api_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// allDefaulted is every field that has a default, in contract order.
var allDefaulted = []string{
	"tenants_trusted", "needs_windows", "host_os", "custom_kernel", "requires_root",
	"untrusted_code", "isolation", "density", "scaling", "architecture", "full_os",
	"release_frequency", "env_drift_pain", "performance_sensitive", "live_migration",
	"central_management", "orchestrator", "team_container_experience",
}

func TestResolve(t *testing.T) {
	v := api.NewValidator()
	int64p := func(n int64) *int64 { return &n }
	float64p := func(f float64) *float64 { return &f }
	tests := map[string]struct {
		body          []byte
		want          api.Workload
		wantDefaulted []string
	}{
		"minimal takes every default": {
			body: readFixture(t, "minimal.json"),
			want: api.Workload{
				MultiTenant:             false,
				HostOS:                  api.DefaultHostOS,
				Isolation:               api.DefaultIsolation,
				Density:                 api.DefaultDensity,
				Scaling:                 api.DefaultScaling,
				Architecture:            api.DefaultArchitecture,
				ReleaseFrequency:        api.DefaultReleaseFrequency,
				Orchestrator:            api.DefaultOrchestrator,
				TeamContainerExperience: api.DefaultTeamContainerExperience,
			},
			wantDefaulted: allDefaulted,
		},
		"full takes none": {
			body: readFixture(t, "full.json"),
			want: api.Workload{
				Name:                    "payments-api",
				MultiTenant:             true,
				TenantsTrusted:          true,
				HostOS:                  "linux",
				Isolation:               "strict",
				StartupSLAMs:            int64p(2000),
				Density:                 "high",
				Scaling:                 "elastic",
				Architecture:            "microservices",
				ReleaseFrequency:        "daily",
				EnvDriftPain:            true,
				PerformanceSensitive:    true,
				AvailabilityTarget:      float64p(99.95),
				Orchestrator:            "kubernetes",
				TeamContainerExperience: "expert",
				Instances:               int64p(250),
			},
			wantDefaulted: nil,
		},
		"explicit values equal to the default are not defaulted": {
			body: []byte(`{"multi_tenant": true, "tenants_trusted": false, "host_os": "linux", "density": "medium", "instances": 3}`),
			want: api.Workload{
				MultiTenant:             true,
				HostOS:                  "linux",
				Isolation:               api.DefaultIsolation,
				Density:                 "medium",
				Scaling:                 api.DefaultScaling,
				Architecture:            api.DefaultArchitecture,
				ReleaseFrequency:        api.DefaultReleaseFrequency,
				Orchestrator:            api.DefaultOrchestrator,
				TeamContainerExperience: api.DefaultTeamContainerExperience,
				Instances:               int64p(3),
			},
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
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Resolve() workload =\n  %+v\nwant\n  %+v", got, tc.want)
			}
			if !slices.Equal(defaulted, tc.wantDefaulted) {
				t.Errorf("defaulted = %v, want %v", defaulted, tc.wantDefaulted)
			}
			if w := req.Workload(); !reflect.DeepEqual(w, got) {
				t.Errorf("Workload() =\n  %+v\nResolve() gave\n  %+v", w, got)
			}
			// The optional numbers have no default and are never listed.
			for _, f := range []string{"name", "multi_tenant", "startup_sla_ms", "availability_target", "instances"} {
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
