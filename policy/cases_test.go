package policy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// TestReviewedCases holds the engine to answers a reviewer signed, among them
// the workloads whose answers the decision model was rewritten for: a need
// only a VM boundary meets is never outvoted by container preferences,
// kernel and OS needs take part in conflicts, a hybrid says how it groups,
// and what the answer does not meet is said.
func TestReviewedCases(t *testing.T) {
	e := newEngine(t)
	type want struct {
		recommendation, pattern, form string
		grouping                      string   // a hybrid's grouping statement
		constraints                   []string // needs that must rule something out
		unmet                         []string // exactly what is unmet
		warnings, noWarnings          []string
	}
	cases := map[string]struct {
		body string
		want want
	}{
		"code from outsiders is not outvoted by container preferences": {
			`{"multi_tenant": false, "untrusted_code": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "weekly"}`,
			want{recommendation: "hybrid", pattern: "orchestrator_in_vms", grouping: "layout.per_trust_boundary", constraints: []string{"isolation.untrusted_code"}, unmet: []string{}},
		},
		"root is not outvoted, and the warning says how to contain it": {
			`{"multi_tenant": false, "requires_root": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily"}`,
			want{recommendation: "hybrid", pattern: "orchestrator_in_vms", grouping: "layout.per_trust_boundary", constraints: []string{"isolation.requires_root"},
				unmet: []string{"isolation.single_organisation"}, warnings: []string{"isolation.contain_root"}},
		},
		"tenants that do not trust each other get VMs of their own": {
			`{"multi_tenant": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily", "env_drift_pain": true, "performance_sensitive": true}`,
			want{recommendation: "hybrid", pattern: "orchestrator_in_vms", grouping: "layout.per_tenant", constraints: []string{"isolation.untrusted_tenants"},
				unmet: []string{"agility.near_native_performance"}},
		},
		"an own kernel with a 500 ms SLA: an orchestrator inside VMs that carry the kernel": {
			`{"multi_tenant": false, "custom_kernel": true, "startup_sla_ms": 500, "density": "high", "scaling": "elastic"}`,
			want{recommendation: "hybrid", pattern: "orchestrator_in_vms", grouping: "layout.per_os", constraints: []string{"platform.custom_kernel", "agility.startup_subsecond"},
				unmet: []string{"agility.high_density", "isolation.single_organisation"}, warnings: []string{"operations.warm_vm_capacity"}, noWarnings: []string{"operations.no_orchestrator"}},
		},
		"Linux services on a Windows estate: Linux VMs carry the orchestrator": {
			`{"multi_tenant": false, "host_os": "windows", "architecture": "microservices", "scaling": "elastic", "orchestrator": "kubernetes"}`,
			want{recommendation: "hybrid", pattern: "orchestrator_in_vms", grouping: "layout.per_os", constraints: []string{"platform.guest_os_differs"},
				unmet: []string{"isolation.single_organisation"}},
		},
		"side by side only for a workload of both kinds": {
			`{"multi_tenant": false, "needs_windows": true, "architecture": "microservices", "mixed_components": true, "scaling": "elastic", "orchestrator": "kubernetes"}`,
			want{recommendation: "hybrid", pattern: "side_by_side", grouping: "layout.per_os", constraints: []string{"platform.guest_os_differs"}, unmet: []string{}},
		},
		"a full-OS fleet gets OS containers and no Kubernetes advice": {
			`{"multi_tenant": false, "full_os": true, "density": "high", "instances": 500}`,
			want{recommendation: "container", form: "os", constraints: []string{"operations.full_os"}, unmet: []string{},
				warnings: []string{"operations.os_container_templates"}, noWarnings: []string{"operations.no_orchestrator"}},
		},
		"hardware isolation and high density: containers inside per-tenant VMs, at a price": {
			`{"multi_tenant": true, "tenants": 40, "isolation": "hardware", "density": "high", "architecture": "microservices"}`,
			want{recommendation: "hybrid", pattern: "containers_in_vms", grouping: "layout.per_tenant", constraints: []string{"isolation.hardware", "isolation.untrusted_tenants"},
				unmet: []string{"agility.high_density"}, warnings: []string{"operations.no_orchestrator"}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req := parse(t, tc.body)
			ans, err := e.Advise(context.Background(), &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			if ans.Recommendation != w.recommendation || ans.HybridPattern != w.pattern || (w.form != "" && ans.ContainerForm != w.form) {
				t.Errorf("answer %s/%s/%s, want %s/%s/%s", ans.Recommendation, ans.HybridPattern, ans.ContainerForm, w.recommendation, w.pattern, w.form)
			}
			if w.grouping != "" && (ans.Layout == nil || ans.Layout.Grouping.Rule != w.grouping) {
				t.Errorf("layout %+v, want grouping %s", ans.Layout, w.grouping)
			}
			var constraints, unmet, warnings []string
			for _, c := range ans.Constraints {
				constraints = append(constraints, c.Rule)
			}
			for _, u := range ans.Unmet {
				unmet = append(unmet, u.Rule)
			}
			for _, wn := range ans.Warnings {
				warnings = append(warnings, wn.Rule)
			}
			for _, c := range w.constraints {
				if !slices.Contains(constraints, c) {
					t.Errorf("constraints %v, want %s among them", constraints, c)
				}
			}
			if unmet == nil {
				unmet = []string{}
			}
			if slices.Sort(unmet); !slices.Equal(unmet, slices.Sorted(slices.Values(w.unmet))) {
				t.Errorf("unmet %v, want %v", unmet, w.unmet)
			}
			for _, wn := range w.warnings {
				if !slices.Contains(warnings, wn) {
					t.Errorf("warnings %v, want %s among them", warnings, wn)
				}
			}
			for _, wn := range w.noWarnings {
				if slices.Contains(warnings, wn) {
					t.Errorf("warnings %v, want no %s", warnings, wn)
				}
			}
			for _, wn := range ans.Warnings {
				if req.RequiresRoot != nil && *req.RequiresRoot && strings.Contains(wn.Summary, "do not run the application as root") {
					t.Errorf("warning %s contradicts the input: %s", wn.Rule, wn.Summary)
				}
			}
		})
	}
}

// TestDemandsMoveTheCasesOnlyOneWay adds to the reviewed cases the demands
// that used to move them the wrong way: VM-side demands to a hybrid an own
// kernel forced, container-side ones to hybrids a VM boundary forced.
func TestDemandsMoveTheCasesOnlyOneWay(t *testing.T) {
	e := newEngine(t)
	cases := map[string]struct {
		base    string
		added   []string
		notPast string // the end of the scale the answer must not move to
	}{
		"VM-side demands on an own kernel with fast start-up": {
			`{"multi_tenant": false, "custom_kernel": true, "startup_sla_ms": 500, "density": "high", "scaling": "elastic"}`,
			[]string{`"multi_tenant": true`, `"requires_root": true`, `"isolation": "strict"`, `"isolation": "hardware"`, `"live_migration": true`},
			api.RecommendContainer,
		},
		"container-side demands on code from outsiders": {
			`{"multi_tenant": false, "untrusted_code": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "weekly"}`,
			[]string{`"startup_sla_ms": 500`, `"density": "high"`, `"scaling": "elastic"`},
			api.RecommendVM,
		},
		"container-side demands on root": {
			`{"multi_tenant": false, "requires_root": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily"}`,
			[]string{`"startup_sla_ms": 500`, `"density": "high"`, `"scaling": "elastic"`},
			api.RecommendVM,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			base := parse(t, tc.base)
			before, err := e.AdviseOnly(context.Background(), &base, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			for _, add := range tc.added {
				body := strings.TrimSuffix(strings.TrimSpace(tc.base), "}")
				if key, _, _ := strings.Cut(add, ":"); strings.Contains(body, key+":") {
					// Replace the field rather than repeat it.
					parts := strings.Split(strings.Trim(body, "{ "), ", ")
					parts = slices.DeleteFunc(parts, func(p string) bool { return strings.HasPrefix(p, key+":") })
					body = "{" + strings.Join(parts, ", ")
				}
				req := parse(t, body+", "+add+"}")
				after, err := e.AdviseOnly(context.Background(), &req, policy.English)
				if err != nil {
					t.Fatal(err)
				}
				moved := level[after.Recommendation] - level[before.Recommendation]
				if (tc.notPast == api.RecommendContainer && moved > 0) || (tc.notPast == api.RecommendVM && moved < 0) {
					t.Errorf("adding %s moves %s to %s", add, before.Recommendation, after.Recommendation)
				}
				if after.Recommendation != api.RecommendHybrid {
					t.Errorf("adding %s: %s, want the hybrid still", add, after.Recommendation)
				}
			}
		})
	}
}
