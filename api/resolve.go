package api

// Resolve fills in the defaults of contract v1 and returns the workload the
// rules evaluate, with the JSON names of the fields that were defaulted, in
// contract order. The optional numbers have no default and are never listed.
// Call it on a validated request: multi_tenant must be set.
func (r *Request) Resolve() (Workload, []string) {
	var defaulted []string
	w := r.resolve(&defaulted)
	return w, defaulted
}

// Workload is Resolve without the list of defaulted fields, for callers that
// resolve many variations of one request and need only the workload.
func (r *Request) Workload() Workload {
	return r.resolve(nil)
}

// resolve fills in the defaults, appending the name of every defaulted field
// to *defaulted unless it is nil.
func (r *Request) resolve(defaulted *[]string) Workload {
	boolOr := func(p *bool, name string) bool {
		if p == nil {
			if defaulted != nil {
				*defaulted = append(*defaulted, name)
			}
			return false
		}
		return *p
	}
	strOr := func(p *string, name, def string) string {
		if p == nil {
			if defaulted != nil {
				*defaulted = append(*defaulted, name)
			}
			return def
		}
		return *p
	}
	w := Workload{
		MultiTenant:        r.MultiTenant != nil && *r.MultiTenant,
		StartupSLAMs:       r.StartupSLAMs,
		AvailabilityTarget: r.AvailabilityTarget,
		Instances:          r.Instances,
	}
	if r.Name != nil {
		w.Name = *r.Name
	}
	w.TenantsTrusted = boolOr(r.TenantsTrusted, "tenants_trusted")
	w.NeedsWindows = boolOr(r.NeedsWindows, "needs_windows")
	w.HostOS = strOr(r.HostOS, "host_os", DefaultHostOS)
	w.CustomKernel = boolOr(r.CustomKernel, "custom_kernel")
	w.RequiresRoot = boolOr(r.RequiresRoot, "requires_root")
	w.UntrustedCode = boolOr(r.UntrustedCode, "untrusted_code")
	w.Isolation = strOr(r.Isolation, "isolation", DefaultIsolation)
	w.Density = strOr(r.Density, "density", DefaultDensity)
	w.Scaling = strOr(r.Scaling, "scaling", DefaultScaling)
	w.Architecture = strOr(r.Architecture, "architecture", DefaultArchitecture)
	w.FullOS = boolOr(r.FullOS, "full_os")
	w.ReleaseFrequency = strOr(r.ReleaseFrequency, "release_frequency", DefaultReleaseFrequency)
	w.EnvDriftPain = boolOr(r.EnvDriftPain, "env_drift_pain")
	w.PerformanceSensitive = boolOr(r.PerformanceSensitive, "performance_sensitive")
	w.LiveMigration = boolOr(r.LiveMigration, "live_migration")
	w.CentralManagement = boolOr(r.CentralManagement, "central_management")
	w.Orchestrator = strOr(r.Orchestrator, "orchestrator", DefaultOrchestrator)
	w.TeamContainerExperience = strOr(r.TeamContainerExperience, "team_container_experience", DefaultTeamContainerExperience)
	return w
}
