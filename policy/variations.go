package policy

import (
	"fmt"

	"github.com/placement-advisor/advise/api"
)

// candidateChanges appends to out the realistic one-field changes to a
// workload: every other value of each enum, the opposite of each flag, and a
// few meaningful start-up SLAs and availability targets. The name and the
// instance count are left alone: neither is a design choice that moves a
// platform decision.
func candidateChanges(out []api.Change, w api.Workload) []api.Change {
	flag := func(field string, cur bool) { out = append(out, api.Change{Field: field, Value: !cur}) }
	// The values are constants passed as interfaces, which Go boxes once,
	// at compile time, rather than once a call.
	enum := func(field, cur string, values ...any) {
		for _, v := range values {
			if v.(string) != cur {
				out = append(out, api.Change{Field: field, Value: v})
			}
		}
	}
	flag("multi_tenant", w.MultiTenant)
	if w.MultiTenant {
		flag("tenants_trusted", w.TenantsTrusted)
	}
	flag("needs_windows", w.NeedsWindows)
	enum("host_os", w.HostOS, "linux", "windows")
	flag("custom_kernel", w.CustomKernel)
	flag("requires_root", w.RequiresRoot)
	flag("untrusted_code", w.UntrustedCode)
	enum("isolation", w.Isolation, "standard", "strict", "hardware")
	switch sla := w.StartupSLAMs; {
	case sla == nil:
		out = append(out, api.Change{Field: "startup_sla_ms", Value: int64(500)}, api.Change{Field: "startup_sla_ms", Value: int64(10000)})
	case *sla <= 1000:
		out = append(out, api.Change{Field: "startup_sla_ms", Value: int64(10000)}, api.Change{Field: "startup_sla_ms", Value: nil})
	case *sla < 60000:
		out = append(out, api.Change{Field: "startup_sla_ms", Value: int64(500)}, api.Change{Field: "startup_sla_ms", Value: nil})
	default:
		out = append(out, api.Change{Field: "startup_sla_ms", Value: int64(500)}, api.Change{Field: "startup_sla_ms", Value: int64(10000)})
	}
	enum("density", w.Density, "low", "medium", "high")
	enum("scaling", w.Scaling, "static", "elastic")
	enum("architecture", w.Architecture, "monolith", "microservices", "batch")
	flag("full_os", w.FullOS)
	enum("release_frequency", w.ReleaseFrequency, "rare", "monthly", "weekly", "daily")
	flag("env_drift_pain", w.EnvDriftPain)
	flag("performance_sensitive", w.PerformanceSensitive)
	if a := w.AvailabilityTarget; a != nil && *a >= 99.99 {
		out = append(out, api.Change{Field: "availability_target", Value: 99.9})
	} else {
		out = append(out, api.Change{Field: "availability_target", Value: 99.99})
	}
	flag("live_migration", w.LiveMigration)
	flag("central_management", w.CentralManagement)
	enum("orchestrator", w.Orchestrator, "none", "kubernetes", "other")
	enum("team_container_experience", w.TeamContainerExperience, "none", "some", "expert")
	return out
}

// setField applies one change to a request in place. It is the fast path of
// api.Request.Apply, which the tests hold it to.
func setField(r *api.Request, c api.Change) error {
	var err error
	switch c.Field {
	case "multi_tenant":
		r.MultiTenant, err = boolPtr(c)
	case "tenants_trusted":
		r.TenantsTrusted, err = boolPtr(c)
	case "needs_windows":
		r.NeedsWindows, err = boolPtr(c)
	case "host_os":
		r.HostOS, err = strPtr(c)
	case "custom_kernel":
		r.CustomKernel, err = boolPtr(c)
	case "requires_root":
		r.RequiresRoot, err = boolPtr(c)
	case "untrusted_code":
		r.UntrustedCode, err = boolPtr(c)
	case "isolation":
		r.Isolation, err = strPtr(c)
	case "startup_sla_ms":
		r.StartupSLAMs, err = intPtr(c)
	case "density":
		r.Density, err = strPtr(c)
	case "scaling":
		r.Scaling, err = strPtr(c)
	case "architecture":
		r.Architecture, err = strPtr(c)
	case "full_os":
		r.FullOS, err = boolPtr(c)
	case "release_frequency":
		r.ReleaseFrequency, err = strPtr(c)
	case "env_drift_pain":
		r.EnvDriftPain, err = boolPtr(c)
	case "performance_sensitive":
		r.PerformanceSensitive, err = boolPtr(c)
	case "availability_target":
		r.AvailabilityTarget, err = floatPtr(c)
	case "live_migration":
		r.LiveMigration, err = boolPtr(c)
	case "central_management":
		r.CentralManagement, err = boolPtr(c)
	case "orchestrator":
		r.Orchestrator, err = strPtr(c)
	case "team_container_experience":
		r.TeamContainerExperience, err = strPtr(c)
	default:
		err = fmt.Errorf("set %s: not a field that can vary", c.Field)
	}
	return err
}

// valuePtr is a change's value as the pointer a Request field holds: nil for
// nil (the field left out), else a pointer to the value, which must be a T.
func valuePtr[T bool | string | int64 | float64](c api.Change, want string) (*T, error) {
	if c.Value == nil {
		return nil, nil
	}
	v, ok := c.Value.(T)
	if !ok {
		return nil, fmt.Errorf("set %s: want %s, got %T", c.Field, want, c.Value)
	}
	return &v, nil
}

func boolPtr(c api.Change) (*bool, error)     { return valuePtr[bool](c, "a boolean") }
func strPtr(c api.Change) (*string, error)    { return valuePtr[string](c, "a string") }
func intPtr(c api.Change) (*int64, error)     { return valuePtr[int64](c, "an integer") }
func floatPtr(c api.Change) (*float64, error) { return valuePtr[float64](c, "a number") }

// assumedValue is the value the rules assumed for a field the caller left out.
func assumedValue(w api.Workload, field string) any {
	switch field {
	case "tenants_trusted":
		return w.TenantsTrusted
	case "needs_windows":
		return w.NeedsWindows
	case "host_os":
		return w.HostOS
	case "custom_kernel":
		return w.CustomKernel
	case "requires_root":
		return w.RequiresRoot
	case "untrusted_code":
		return w.UntrustedCode
	case "isolation":
		return w.Isolation
	case "density":
		return w.Density
	case "scaling":
		return w.Scaling
	case "architecture":
		return w.Architecture
	case "full_os":
		return w.FullOS
	case "release_frequency":
		return w.ReleaseFrequency
	case "env_drift_pain":
		return w.EnvDriftPain
	case "performance_sensitive":
		return w.PerformanceSensitive
	case "live_migration":
		return w.LiveMigration
	case "central_management":
		return w.CentralManagement
	case "orchestrator":
		return w.Orchestrator
	case "team_container_experience":
		return w.TeamContainerExperience
	}
	return nil // startup_sla_ms and availability_target have no default
}

// The kinds of value a workload field holds.
const (
	fieldAbsent = iota
	fieldBool
	fieldString
	fieldInt
	fieldNumber
)

// fieldValue is one workload field as the rules see it in input.
type fieldValue struct {
	kind int
	b    bool
	s    string
	n    float64
}

func flagValue(b bool) fieldValue   { return fieldValue{kind: fieldBool, b: b} }
func textValue(s string) fieldValue { return fieldValue{kind: fieldString, s: s} }

// optional reads an unset number as absent.
func optional[T int64 | float64](p *T, kind int) fieldValue {
	if p == nil {
		return fieldValue{kind: fieldAbsent}
	}
	return fieldValue{kind: kind, n: float64(*p)}
}

// workloadFields are the workload fields the rules see in input, by JSON
// name, each with how to read it: workloadValue builds input from them and
// the factor tables key by them, so the two cannot disagree.
var workloadFields = []struct {
	name string
	get  func(w *api.Workload) fieldValue
}{
	{"name", func(w *api.Workload) fieldValue { return textValue(w.Name) }},
	{"multi_tenant", func(w *api.Workload) fieldValue { return flagValue(w.MultiTenant) }},
	{"tenants_trusted", func(w *api.Workload) fieldValue { return flagValue(w.TenantsTrusted) }},
	{"needs_windows", func(w *api.Workload) fieldValue { return flagValue(w.NeedsWindows) }},
	{"host_os", func(w *api.Workload) fieldValue { return textValue(w.HostOS) }},
	{"custom_kernel", func(w *api.Workload) fieldValue { return flagValue(w.CustomKernel) }},
	{"requires_root", func(w *api.Workload) fieldValue { return flagValue(w.RequiresRoot) }},
	{"untrusted_code", func(w *api.Workload) fieldValue { return flagValue(w.UntrustedCode) }},
	{"isolation", func(w *api.Workload) fieldValue { return textValue(w.Isolation) }},
	{"startup_sla_ms", func(w *api.Workload) fieldValue { return optional(w.StartupSLAMs, fieldInt) }},
	{"density", func(w *api.Workload) fieldValue { return textValue(w.Density) }},
	{"scaling", func(w *api.Workload) fieldValue { return textValue(w.Scaling) }},
	{"architecture", func(w *api.Workload) fieldValue { return textValue(w.Architecture) }},
	{"full_os", func(w *api.Workload) fieldValue { return flagValue(w.FullOS) }},
	{"release_frequency", func(w *api.Workload) fieldValue { return textValue(w.ReleaseFrequency) }},
	{"env_drift_pain", func(w *api.Workload) fieldValue { return flagValue(w.EnvDriftPain) }},
	{"performance_sensitive", func(w *api.Workload) fieldValue { return flagValue(w.PerformanceSensitive) }},
	{"availability_target", func(w *api.Workload) fieldValue { return optional(w.AvailabilityTarget, fieldNumber) }},
	{"live_migration", func(w *api.Workload) fieldValue { return flagValue(w.LiveMigration) }},
	{"central_management", func(w *api.Workload) fieldValue { return flagValue(w.CentralManagement) }},
	{"orchestrator", func(w *api.Workload) fieldValue { return textValue(w.Orchestrator) }},
	{"team_container_experience", func(w *api.Workload) fieldValue { return textValue(w.TeamContainerExperience) }},
	{"instances", func(w *api.Workload) fieldValue { return optional(w.Instances, fieldInt) }},
}

// fieldIndex is the position of each workload field in workloadFields.
var fieldIndex = func() map[string]int {
	if len(workloadFields) > 64 {
		panic("policy: more workload fields than a uint64 mask holds")
	}
	out := make(map[string]int, len(workloadFields))
	for i, f := range workloadFields {
		out[f.name] = i
	}
	return out
}()

// workloadField reads a field by its JSON name, as workloadValue puts it into
// input: a name input does not carry is absent, as are unset numbers.
func workloadField(w *api.Workload, name string) fieldValue {
	if i, ok := fieldIndex[name]; ok {
		return workloadFields[i].get(w)
	}
	return fieldValue{kind: fieldAbsent}
}
