package policy

import (
	"fmt"

	"github.com/placement-advisor/advise/api"
)

// A what-if variation changes one or two fields of a request. Every change
// it may try is made once, here, holding its value in each form trying it
// needs: as the answer shows it, as the pointer a request holds and as the
// resolved workload holds it. Trying a change then allocates nothing, and
// applies it to the workload the request resolved to instead of resolving
// the changed request again: defaults are constants, so the two agree
// (TestWhatIfChangesGiveTheListedRecommendation asks again the slow way).

// candidate is one change what-if may try, to the field (an in constant)
// with the typed value. Requests it is applied to point at its value, so a
// candidate is never written once made.
type candidate struct {
	api.Change
	field int
	seq   int // the candidate's place among all of them (candidateCount)
	b     bool
	s     string
	i     int64
	f     float64
}

// apply sets the candidate's field in a request and in the workload that
// request resolves to. A switch rather than a function a field, so that Go
// can keep both on the stack.
func (c *candidate) apply(r *api.Request, w *api.Workload) {
	switch c.field {
	case inMultiTenant:
		r.MultiTenant, w.MultiTenant = &c.b, c.b
	case inTenantsTrusted:
		r.TenantsTrusted, w.TenantsTrusted = &c.b, c.b
	case inNeedsWindows:
		r.NeedsWindows, w.NeedsWindows = &c.b, c.b
	case inHostOS:
		r.HostOS, w.HostOS = &c.s, c.s
	case inCustomKernel:
		r.CustomKernel, w.CustomKernel = &c.b, c.b
	case inRequiresRoot:
		r.RequiresRoot, w.RequiresRoot = &c.b, c.b
	case inUntrustedCode:
		r.UntrustedCode, w.UntrustedCode = &c.b, c.b
	case inIsolation:
		r.Isolation, w.Isolation = &c.s, c.s
	case inStartupSLAMs:
		r.StartupSLAMs, w.StartupSLAMs = c.int64Ptr(), c.int64Ptr()
	case inDensity:
		r.Density, w.Density = &c.s, c.s
	case inScaling:
		r.Scaling, w.Scaling = &c.s, c.s
	case inArchitecture:
		r.Architecture, w.Architecture = &c.s, c.s
	case inFullOS:
		r.FullOS, w.FullOS = &c.b, c.b
	case inReleaseFrequency:
		r.ReleaseFrequency, w.ReleaseFrequency = &c.s, c.s
	case inEnvDriftPain:
		r.EnvDriftPain, w.EnvDriftPain = &c.b, c.b
	case inPerformanceSensitive:
		r.PerformanceSensitive, w.PerformanceSensitive = &c.b, c.b
	case inAvailabilityTarget:
		r.AvailabilityTarget, w.AvailabilityTarget = c.float64Ptr(), c.float64Ptr()
	case inLiveMigration:
		r.LiveMigration, w.LiveMigration = &c.b, c.b
	case inCentralManagement:
		r.CentralManagement, w.CentralManagement = &c.b, c.b
	case inOrchestrator:
		r.Orchestrator, w.Orchestrator = &c.s, c.s
	case inTeamContainerExperience:
		r.TeamContainerExperience, w.TeamContainerExperience = &c.s, c.s
	default:
		// Only the fields below have candidates.
		panic("policy: what-if cannot vary " + workloadFields[c.field])
	}
}

// int64Ptr and float64Ptr are the candidate's number as a request's optional
// field holds it: nil for a change that leaves the field out.
func (c *candidate) int64Ptr() *int64 {
	if c.Value == nil {
		return nil
	}
	return &c.i
}

func (c *candidate) float64Ptr() *float64 {
	if c.Value == nil {
		return nil
	}
	return &c.f
}

// candidateCount is how many candidates have been made; each takes the
// next seq.
var candidateCount int

func newCandidate(field int, v any) *candidate {
	c := &candidate{Change: api.Change{Field: workloadFields[field], Value: v}, field: field, seq: candidateCount}
	candidateCount++
	return c
}

// flagField is a boolean field with its two changes.
type flagField struct{ to [2]*candidate } // to false, to true

func newFlag(field int) *flagField {
	f := &flagField{to: [2]*candidate{newCandidate(field, false), newCandidate(field, true)}}
	f.to[1].b = true
	return f
}

// choiceField is a field with a few values what-if tries, in order.
type choiceField struct{ to []*candidate }

// newChoice makes the changes to each value: a string, an int64, a float64,
// or nil (leaving the field out) for the optional numbers.
func newChoice(field int, values ...any) *choiceField {
	out := &choiceField{}
	for _, v := range values {
		c := newCandidate(field, v)
		switch x := v.(type) {
		case string:
			c.s = x
		case int64:
			c.i = x
		case float64:
			c.f = x
		case nil:
		default:
			panic(fmt.Sprintf("policy: what-if value %v of %s is a %T", v, workloadFields[field], v))
		}
		out.to = append(out.to, c)
	}
	return out
}

// toValue is the change to v, which must be one of the field's values.
func (f *choiceField) toValue(v any) *candidate {
	for _, c := range f.to {
		if c.Value == v {
			return c
		}
	}
	panic(fmt.Sprintf("policy: what-if has no change of %s to %v", f.to[0].Field, v))
}

// The fields what-if varies. The name and the instance count are left alone:
// neither is a design choice that moves a platform decision.
var (
	multiTenant             = newFlag(inMultiTenant)
	tenantsTrusted          = newFlag(inTenantsTrusted)
	needsWindows            = newFlag(inNeedsWindows)
	hostOS                  = newChoice(inHostOS, "linux", "windows")
	customKernel            = newFlag(inCustomKernel)
	requiresRoot            = newFlag(inRequiresRoot)
	untrustedCode           = newFlag(inUntrustedCode)
	isolation               = newChoice(inIsolation, "standard", "strict", "hardware")
	startupSLA              = newChoice(inStartupSLAMs, int64(500), int64(10000), nil)
	density                 = newChoice(inDensity, "low", "medium", "high")
	scaling                 = newChoice(inScaling, "static", "elastic")
	architecture            = newChoice(inArchitecture, "monolith", "microservices", "batch")
	fullOS                  = newFlag(inFullOS)
	releaseFrequency        = newChoice(inReleaseFrequency, "rare", "monthly", "weekly", "daily")
	envDriftPain            = newFlag(inEnvDriftPain)
	performanceSensitive    = newFlag(inPerformanceSensitive)
	availabilityTarget      = newChoice(inAvailabilityTarget, 99.9, 99.99)
	liveMigration           = newFlag(inLiveMigration)
	centralManagement       = newFlag(inCentralManagement)
	orchestrator            = newChoice(inOrchestrator, "none", "kubernetes", "other")
	teamContainerExperience = newChoice(inTeamContainerExperience, "none", "some", "expert")
)

// The start-up SLAs and availability targets what-if tries.
var (
	fastStartup, slowStartup, noStartupSLA = startupSLA.toValue(int64(500)), startupSLA.toValue(int64(10000)), startupSLA.toValue(nil)
	usualAvailability, highAvailability    = availabilityTarget.toValue(99.9), availabilityTarget.toValue(99.99)
)

// candidateChanges appends to out the realistic one-field changes to a
// workload: every other value of each enum, the opposite of each flag, and a
// few meaningful start-up SLAs and availability targets.
func candidateChanges(out []*candidate, w *api.Workload) []*candidate {
	flag := func(f *flagField, cur bool) {
		if cur {
			out = append(out, f.to[0])
		} else {
			out = append(out, f.to[1])
		}
	}
	enum := func(f *choiceField, cur string) {
		for _, c := range f.to {
			if c.s != cur {
				out = append(out, c)
			}
		}
	}
	flag(multiTenant, w.MultiTenant)
	if w.MultiTenant {
		flag(tenantsTrusted, w.TenantsTrusted)
	}
	flag(needsWindows, w.NeedsWindows)
	enum(hostOS, w.HostOS)
	flag(customKernel, w.CustomKernel)
	flag(requiresRoot, w.RequiresRoot)
	flag(untrustedCode, w.UntrustedCode)
	enum(isolation, w.Isolation)
	switch sla := w.StartupSLAMs; {
	case sla == nil:
		out = append(out, fastStartup, slowStartup)
	case *sla <= 1000:
		out = append(out, slowStartup, noStartupSLA)
	case *sla < 60000:
		out = append(out, fastStartup, noStartupSLA)
	default:
		out = append(out, fastStartup, slowStartup)
	}
	enum(density, w.Density)
	enum(scaling, w.Scaling)
	enum(architecture, w.Architecture)
	flag(fullOS, w.FullOS)
	enum(releaseFrequency, w.ReleaseFrequency)
	flag(envDriftPain, w.EnvDriftPain)
	flag(performanceSensitive, w.PerformanceSensitive)
	if a := w.AvailabilityTarget; a != nil && *a >= 99.99 {
		out = append(out, usualAvailability)
	} else {
		out = append(out, highAvailability)
	}
	flag(liveMigration, w.LiveMigration)
	flag(centralManagement, w.CentralManagement)
	enum(orchestrator, w.Orchestrator)
	enum(teamContainerExperience, w.TeamContainerExperience)
	return out
}

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

// The workload fields the rules see in input, by their index in masks and
// tables.
const (
	inName = iota
	inMultiTenant
	inTenantsTrusted
	inNeedsWindows
	inHostOS
	inCustomKernel
	inRequiresRoot
	inUntrustedCode
	inIsolation
	inStartupSLAMs
	inDensity
	inScaling
	inArchitecture
	inFullOS
	inReleaseFrequency
	inEnvDriftPain
	inPerformanceSensitive
	inAvailabilityTarget
	inLiveMigration
	inCentralManagement
	inOrchestrator
	inTeamContainerExperience
	inInstances
	inCount
)

// workloadFields are the JSON names of the workload fields the rules see in
// input, by index: workloadValue builds input from them, through readField,
// and the factor tables key by them, so the two cannot disagree.
var workloadFields = [inCount]string{
	inName:                    "name",
	inMultiTenant:             "multi_tenant",
	inTenantsTrusted:          "tenants_trusted",
	inNeedsWindows:            "needs_windows",
	inHostOS:                  "host_os",
	inCustomKernel:            "custom_kernel",
	inRequiresRoot:            "requires_root",
	inUntrustedCode:           "untrusted_code",
	inIsolation:               "isolation",
	inStartupSLAMs:            "startup_sla_ms",
	inDensity:                 "density",
	inScaling:                 "scaling",
	inArchitecture:            "architecture",
	inFullOS:                  "full_os",
	inReleaseFrequency:        "release_frequency",
	inEnvDriftPain:            "env_drift_pain",
	inPerformanceSensitive:    "performance_sensitive",
	inAvailabilityTarget:      "availability_target",
	inLiveMigration:           "live_migration",
	inCentralManagement:       "central_management",
	inOrchestrator:            "orchestrator",
	inTeamContainerExperience: "team_container_experience",
	inInstances:               "instances",
}

// readField reads workload field i (an in constant) as the rules see it in
// input; any other i reads as absent. A switch rather than a table of
// functions, so that reading does not make Go keep the workload on the heap.
func readField(w *api.Workload, i int) fieldValue {
	switch i {
	case inName:
		return textValue(w.Name)
	case inMultiTenant:
		return flagValue(w.MultiTenant)
	case inTenantsTrusted:
		return flagValue(w.TenantsTrusted)
	case inNeedsWindows:
		return flagValue(w.NeedsWindows)
	case inHostOS:
		return textValue(w.HostOS)
	case inCustomKernel:
		return flagValue(w.CustomKernel)
	case inRequiresRoot:
		return flagValue(w.RequiresRoot)
	case inUntrustedCode:
		return flagValue(w.UntrustedCode)
	case inIsolation:
		return textValue(w.Isolation)
	case inStartupSLAMs:
		return optional(w.StartupSLAMs, fieldInt)
	case inDensity:
		return textValue(w.Density)
	case inScaling:
		return textValue(w.Scaling)
	case inArchitecture:
		return textValue(w.Architecture)
	case inFullOS:
		return flagValue(w.FullOS)
	case inReleaseFrequency:
		return textValue(w.ReleaseFrequency)
	case inEnvDriftPain:
		return flagValue(w.EnvDriftPain)
	case inPerformanceSensitive:
		return flagValue(w.PerformanceSensitive)
	case inAvailabilityTarget:
		return optional(w.AvailabilityTarget, fieldNumber)
	case inLiveMigration:
		return flagValue(w.LiveMigration)
	case inCentralManagement:
		return flagValue(w.CentralManagement)
	case inOrchestrator:
		return textValue(w.Orchestrator)
	case inTeamContainerExperience:
		return textValue(w.TeamContainerExperience)
	case inInstances:
		return optional(w.Instances, fieldInt)
	}
	return fieldValue{kind: fieldAbsent}
}

// fieldIndex is the index of each workload field by its JSON name.
var fieldIndex = func() map[string]int {
	if inCount > 64 {
		panic("policy: more workload fields than a uint64 mask holds")
	}
	out := make(map[string]int, inCount)
	for i, name := range workloadFields {
		out[name] = i
	}
	return out
}()
