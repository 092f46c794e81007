// Package api holds contract v1 of the workload placement advisor: the request a
// caller sends, the answer it gets back, strict decoding of the request and its
// validation. Everything that crosses the wire is defined here, once.
package api

// Request is a workload description exactly as the caller sent it. Every optional
// field is a pointer so that "left out" stays distinguishable from "set to the
// default": the answer reports which inputs were assumed, and later questions
// (what to ask next) depend on it.
type Request struct {
	Name                    *string  `json:"name,omitempty" validate:"omitnil,min=1,max=128"`
	MultiTenant             *bool    `json:"multi_tenant" validate:"required"`
	TenantsTrusted          *bool    `json:"tenants_trusted,omitempty"`
	NeedsWindows            *bool    `json:"needs_windows,omitempty"`
	HostOS                  *string  `json:"host_os,omitempty" validate:"omitnil,oneof=linux windows"`
	CustomKernel            *bool    `json:"custom_kernel,omitempty"`
	RequiresRoot            *bool    `json:"requires_root,omitempty"`
	UntrustedCode           *bool    `json:"untrusted_code,omitempty"`
	Isolation               *string  `json:"isolation,omitempty" validate:"omitnil,oneof=standard strict hardware"`
	StartupSLAMs            *int64   `json:"startup_sla_ms,omitempty" validate:"omitnil,min=1,max=86400000"`
	Density                 *string  `json:"density,omitempty" validate:"omitnil,oneof=low medium high"`
	Scaling                 *string  `json:"scaling,omitempty" validate:"omitnil,oneof=static elastic"`
	Architecture            *string  `json:"architecture,omitempty" validate:"omitnil,oneof=monolith microservices batch"`
	FullOS                  *bool    `json:"full_os,omitempty"`
	ReleaseFrequency        *string  `json:"release_frequency,omitempty" validate:"omitnil,oneof=rare monthly weekly daily"`
	EnvDriftPain            *bool    `json:"env_drift_pain,omitempty"`
	PerformanceSensitive    *bool    `json:"performance_sensitive,omitempty"`
	AvailabilityTarget      *float64 `json:"availability_target,omitempty" validate:"omitnil,min=90,max=99.9999"`
	LiveMigration           *bool    `json:"live_migration,omitempty"`
	CentralManagement       *bool    `json:"central_management,omitempty"`
	Orchestrator            *string  `json:"orchestrator,omitempty" validate:"omitnil,oneof=none kubernetes other"`
	TeamContainerExperience *string  `json:"team_container_experience,omitempty" validate:"omitnil,oneof=none some expert"`
	Instances               *int64   `json:"instances,omitempty" validate:"omitnil,min=1,max=1000000"`
}

// Workload is a request with every default resolved. It is what the rules see
// and what the answer echoes back, so a reviewer sees what was assumed. The
// three optional numbers stay absent when the caller gave none: there is no
// honest default for an SLA, an availability target or an instance count.
type Workload struct {
	Name                    string   `json:"name,omitempty"`
	MultiTenant             bool     `json:"multi_tenant"`
	TenantsTrusted          bool     `json:"tenants_trusted"`
	NeedsWindows            bool     `json:"needs_windows"`
	HostOS                  string   `json:"host_os"`
	CustomKernel            bool     `json:"custom_kernel"`
	RequiresRoot            bool     `json:"requires_root"`
	UntrustedCode           bool     `json:"untrusted_code"`
	Isolation               string   `json:"isolation"`
	StartupSLAMs            *int64   `json:"startup_sla_ms,omitempty"`
	Density                 string   `json:"density"`
	Scaling                 string   `json:"scaling"`
	Architecture            string   `json:"architecture"`
	FullOS                  bool     `json:"full_os"`
	ReleaseFrequency        string   `json:"release_frequency"`
	EnvDriftPain            bool     `json:"env_drift_pain"`
	PerformanceSensitive    bool     `json:"performance_sensitive"`
	AvailabilityTarget      *float64 `json:"availability_target,omitempty"`
	LiveMigration           bool     `json:"live_migration"`
	CentralManagement       bool     `json:"central_management"`
	Orchestrator            string   `json:"orchestrator"`
	TeamContainerExperience string   `json:"team_container_experience"`
	Instances               *int64   `json:"instances,omitempty"`
}

// The defaults of contract v1, named once.
const (
	DefaultHostOS                  = "linux"
	DefaultIsolation               = "standard"
	DefaultDensity                 = "medium"
	DefaultScaling                 = "static"
	DefaultArchitecture            = "monolith"
	DefaultReleaseFrequency        = "monthly"
	DefaultOrchestrator            = "none"
	DefaultTeamContainerExperience = "some"
)

// Recommendations and hybrid patterns an answer can carry.
const (
	RecommendVM        = "vm"
	RecommendContainer = "container"
	RecommendHybrid    = "hybrid"

	PatternContainersInVMs   = "containers_in_vms"
	PatternOrchestratorInVMs = "orchestrator_in_vms"
	PatternSideBySide        = "side_by_side"
)

// Answer is the advice for one workload.
type Answer struct {
	Recommendation string       `json:"recommendation"`
	HybridPattern  string       `json:"hybrid_pattern,omitempty"`
	Confidence     float64      `json:"confidence"`
	Scores         Scores       `json:"scores"`
	Reasons        []Reason     `json:"reasons"`
	Constraints    []Constraint `json:"constraints"`
	Warnings       []Warning    `json:"warnings"`
	WhatIf         []WhatIf     `json:"what_if"`
	AskNext        []AskNext    `json:"ask_next"`
	Input          Workload     `json:"input"`
	Defaulted      []string     `json:"defaulted"`
	Policy         PolicyInfo   `json:"policy"`
}

// Scores holds the points each option collected from the reasons that fired.
type Scores struct {
	VM        float64 `json:"vm"`
	Container float64 `json:"container"`
	Hybrid    float64 `json:"hybrid"`
}

// Citation points at the passage of a source document that supports a reason.
type Citation struct {
	Source  string `json:"source"`
	Title   string `json:"title"`
	Locator string `json:"locator"`
}

// Reason is one rule that fired and pushed the answer towards an option.
type Reason struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Favors    string     `json:"favors"`
	Weight    float64    `json:"weight"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// Constraint is a hard exclusion: the option it names cannot be recommended.
type Constraint struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Excludes  string     `json:"excludes"`
	Favors    string     `json:"favors"`
	Weight    float64    `json:"weight"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// Warning is a risk to manage with the recommended option.
type Warning struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// PolicyInfo identifies the rules that produced an answer.
type PolicyInfo struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
}

// Change sets one input field to a new value.
type Change struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// WhatIf is a small change to the input (one field, else two) and the
// recommendation the same rules give after it.
type WhatIf struct {
	Changes        []Change `json:"changes"`
	Recommendation string   `json:"recommendation"`
	HybridPattern  string   `json:"hybrid_pattern,omitempty"`
	Summary        string   `json:"summary"`
}

// AskNext is an input the caller left at its default that, answered otherwise,
// would change the recommendation.
type AskNext struct {
	Field    string    `json:"field"`
	Assumed  any       `json:"assumed"`
	Question string    `json:"question"`
	Outcomes []Outcome `json:"outcomes"`
}

// Outcome is the recommendation a different answer to a question would give.
type Outcome struct {
	Value          any    `json:"value"`
	Recommendation string `json:"recommendation"`
	HybridPattern  string `json:"hybrid_pattern,omitempty"`
}

// Portfolio is the answer to a batch: one item per workload, in input order,
// and a summary of the whole.
type Portfolio struct {
	Items   []PortfolioItem  `json:"items"`
	Summary PortfolioSummary `json:"summary"`
	Policy  PolicyInfo       `json:"policy"`
}

// PortfolioItem is the answer for one workload of a batch, or why there is none.
type PortfolioItem struct {
	Index  int        `json:"index"`
	Name   string     `json:"name,omitempty"`
	Answer *Answer    `json:"answer,omitempty"`
	Error  *ItemError `json:"error,omitempty"`
}

// ItemError says why one workload of a batch got no answer. Each field error
// names the field by its JSON name; the item's index is on the item.
type ItemError struct {
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

// PortfolioSummary counts the answers of a batch.
type PortfolioSummary struct {
	Total            int            `json:"total"`
	Answered         int            `json:"answered"`
	Failed           int            `json:"failed"`
	ByRecommendation map[string]int `json:"by_recommendation"`
	WithConstraints  []int          `json:"with_constraints"`
	FailedItems      []int          `json:"failed_items"`
}
