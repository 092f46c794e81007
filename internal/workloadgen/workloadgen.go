// Package workloadgen generates valid workload requests for property tests,
// fuzz seeds and benchmarks: every field is sometimes left out and sometimes
// set, every enum value and flag appears, and the cross-field rules of
// contract v1 are respected so each request passes validation.
package workloadgen

import (
	"math/rand/v2"

	"github.com/placement-advisor/advise/api"
)

// New returns a generator with a fixed seed, so a failing case can be replayed.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Generator produces requests; it is not safe for concurrent use.
type Generator struct {
	rng *rand.Rand
}

// Requests returns n valid requests.
func (g *Generator) Requests(n int) []api.Request {
	out := make([]api.Request, n)
	for i := range out {
		out[i] = g.Request()
	}
	return out
}

// Request returns one valid request.
func (g *Generator) Request() api.Request {
	multi := g.rng.IntN(2) == 0
	r := api.Request{MultiTenant: &multi}
	if g.maybe() {
		name := "generated workload"
		r.Name = &name
	}
	if multi {
		r.TenantsTrusted = g.flag()
	} else if g.rng.IntN(4) == 0 {
		no := false
		r.TenantsTrusted = &no
	}
	r.NeedsWindows = g.flag()
	r.HostOS = g.pick("linux", "windows")
	r.CustomKernel = g.flag()
	r.RequiresRoot = g.flag()
	r.UntrustedCode = g.flag()
	r.Isolation = g.pick("standard", "strict", "hardware")
	if g.maybe() {
		slas := []int64{1, 200, 1000, 1001, 5000, 59999, 60000, 300000}
		r.StartupSLAMs = &slas[g.rng.IntN(len(slas))]
	}
	r.Density = g.pick("low", "medium", "high")
	r.Scaling = g.pick("static", "elastic")
	r.Architecture = g.pick("monolith", "microservices", "batch")
	if r.Architecture == nil || *r.Architecture != "microservices" {
		r.FullOS = g.flag()
	}
	r.ReleaseFrequency = g.pick("rare", "monthly", "weekly", "daily")
	r.EnvDriftPain = g.flag()
	r.PerformanceSensitive = g.flag()
	if g.maybe() {
		targets := []float64{90, 99, 99.9, 99.95, 99.99, 99.999, 99.9999}
		r.AvailabilityTarget = &targets[g.rng.IntN(len(targets))]
	}
	r.LiveMigration = g.flag()
	r.CentralManagement = g.flag()
	r.Orchestrator = g.pick("none", "kubernetes", "other")
	r.TeamContainerExperience = g.pick("none", "some", "expert")
	if g.maybe() {
		counts := []int64{2, 19, 20, 500, 1000000}
		r.Instances = &counts[g.rng.IntN(len(counts))]
	}
	return r
}

// maybe is true half the time.
func (g *Generator) maybe() bool { return g.rng.IntN(2) == 0 }

// flag leaves a boolean out a third of the time, else sets it either way. Rare
// flags such as custom_kernel would otherwise dominate every answer.
func (g *Generator) flag() *bool {
	switch g.rng.IntN(6) {
	case 0, 1:
		return nil
	case 2:
		v := true
		return &v
	}
	v := false
	return &v
}

func (g *Generator) pick(values ...string) *string {
	if g.rng.IntN(3) == 0 {
		return nil
	}
	v := values[g.rng.IntN(len(values))]
	return &v
}
