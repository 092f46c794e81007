// Package api holds contract v1 of the workload placement advisor: the request a
// caller sends, the answer it gets back, strict decoding of the request and its
// validation. Everything that crosses the wire is defined here, once.
package api

import "time"

// Request is a workload description exactly as the caller sent it. Every
// optional field is a pointer so that "left out" stays distinguishable from
// "set to the default": the answer reports which inputs were assumed, and
// what to ask next depends on it.
//
// Request is the one registry of the contract's fields (see Fields): each
// field's JSON name, validation, default, what what-if does with it and the
// question a reviewer asks about it are its struct tags, and decoding,
// defaults, what-if, questions, the generator and the OpenAPI check all read
// them from here. The tags beyond json and validate:
//
//	default   the value a left-out field takes
//	whatif    choice (a decision the architect can change), fact (a property
//	          of the workload); absent: what-if never varies the field
//	vary      for numbers, the values what-if tries, "-" for leaving it out
//	examples  for numbers, the values the workload generator picks from
//	ask, ask_zh  the question ask_next puts, in English and Chinese
//	doc       what the field means, in a few words, for the README's table
type Request struct {
	Name                    *string  `json:"name,omitempty" validate:"omitnil,min=1,max=128,plain_text" doc:"label echoed back; no control characters or bidirectional overrides"`
	MultiTenant             *bool    `json:"multi_tenant" validate:"required" whatif:"fact" doc:"several tenants or customers share the platform"`
	TenantsTrusted          *bool    `json:"tenants_trusted,omitempty" default:"false" whatif:"choice" ask:"Do the tenants belong to one organisation and trust each other?" ask_zh:"各租户是否属于同一组织并互相信任？" doc:"the tenants are one organisation and trust each other; only with multi_tenant"`
	Tenants                 *int64   `json:"tenants,omitempty" validate:"omitnil,min=2,max=1000000" examples:"2,40,300,5000" doc:"added: how many tenants share the platform; only with multi_tenant"`
	NeedsWindows            *bool    `json:"needs_windows,omitempty" default:"false" whatif:"fact" ask:"Does the workload need Windows?" ask_zh:"该工作负载是否需要 Windows？" doc:"the workload needs Windows"`
	HostOS                  *string  `json:"host_os,omitempty" validate:"omitnil,oneof=linux windows" default:"linux" whatif:"fact" ask:"Which operating system do the hosts run?" ask_zh:"宿主机运行的是哪种操作系统？" doc:"OS of the hosts it would run on"`
	CustomKernel            *bool    `json:"custom_kernel,omitempty" default:"false" whatif:"fact" ask:"Does it need its own kernel, kernel modules or another kernel version?" ask_zh:"是否需要自有内核、内核模块或其他内核版本？" doc:"needs its own kernel, kernel modules or kernel version"`
	RequiresRoot            *bool    `json:"requires_root,omitempty" default:"false" whatif:"fact" ask:"Does it need root or privileged access?" ask_zh:"是否需要 root 或特权访问？" doc:"needs root or privileged access"`
	UntrustedCode           *bool    `json:"untrusted_code,omitempty" default:"false" whatif:"fact" ask:"Does it run code supplied by customers or other outsiders?" ask_zh:"是否会运行客户或其他外部方提供的代码？" doc:"added: runs code supplied by customers or other outsiders"`
	Isolation               *string  `json:"isolation,omitempty" validate:"omitnil,oneof=standard strict hardware" default:"standard" whatif:"choice" ask:"What isolation do security or compliance demand: standard, strict or hardware-enforced?" ask_zh:"安全或合规要求何种隔离：标准、严格还是硬件级？" doc:"isolation demanded by security or compliance; hardware means hypervisor- or CPU-enforced"`
	StartupSLAMs            *int64   `json:"startup_sla_ms,omitempty" validate:"omitnil,min=1,max=86400000" whatif:"choice" vary:"500,10000,-" examples:"1,200,1000,1001,5000,59999,60000,300000" ask:"How fast must a new instance be serving, in milliseconds?" ask_zh:"新实例必须在多少毫秒内开始提供服务？" doc:"a new instance must serve within this many milliseconds"`
	Density                 *string  `json:"density,omitempty" validate:"omitnil,oneof=low medium high" default:"medium" whatif:"choice" ask:"How many instances must be packed per host: low, medium or high?" ask_zh:"每台主机需要容纳多少实例：低、中还是高密度？" doc:"how many instances must be packed per host"`
	Scaling                 *string  `json:"scaling,omitempty" validate:"omitnil,oneof=static elastic" default:"static" whatif:"choice" ask:"Are instances created and released often as load changes?" ask_zh:"实例是否随负载频繁创建和释放？" doc:"instances are created and released with the load"`
	Architecture            *string  `json:"architecture,omitempty" validate:"omitnil,oneof=monolith microservices batch" default:"monolith" whatif:"fact" ask:"Is it a monolith, microservices or batch jobs?" ask_zh:"它是单体应用、微服务还是批处理作业？" doc:"shape of the application"`
	FullOS                  *bool    `json:"full_os,omitempty" default:"false" whatif:"fact" ask:"Does one instance run several services like a whole OS (init, cron, sshd)?" ask_zh:"单个实例是否像完整操作系统一样运行多个服务（init、cron、sshd）？" doc:"one instance runs several services like a whole OS (init, cron, sshd)"`
	MixedComponents         *bool    `json:"mixed_components,omitempty" default:"false" whatif:"fact" ask:"Do only some components need another OS or their own kernel, the rest being light services?" ask_zh:"是否只有部分组件需要其他操作系统或自有内核，其余都是轻量服务？" doc:"added: only some components need another OS or their own kernel; needs microservices or batch"`
	ReleaseFrequency        *string  `json:"release_frequency,omitempty" validate:"omitnil,oneof=rare monthly weekly daily" default:"monthly" whatif:"choice" ask:"How often do new versions ship?" ask_zh:"新版本多久发布一次？" doc:"how often new versions ship"`
	EnvDriftPain            *bool    `json:"env_drift_pain,omitempty" default:"false" whatif:"fact" ask:"Do releases suffer from differences between dev, test and production?" ask_zh:"发布是否受开发、测试与生产环境差异之苦？" doc:"releases suffer from differences between dev, test and production"`
	PerformanceSensitive    *bool    `json:"performance_sensitive,omitempty" default:"false" whatif:"choice" ask:"Does it need near bare-metal performance?" ask_zh:"是否需要接近裸机的性能？" doc:"needs near bare-metal performance"`
	AvailabilityTarget      *float64 `json:"availability_target,omitempty" validate:"omitnil,min=90,max=99.9999" whatif:"choice" vary:"99.9,99.99" examples:"90,99,99.9,99.95,99.99,99.999,99.9999" ask:"What availability does the business ask for, in percent?" ask_zh:"业务要求的可用性是多少（百分比）？" doc:"availability the business asks for, in percent"`
	LiveMigration           *bool    `json:"live_migration,omitempty" default:"false" whatif:"choice" ask:"Must it move between hosts without a restart?" ask_zh:"是否必须在不重启的情况下在主机间迁移？" doc:"must move between hosts without a restart"`
	CentralManagement       *bool    `json:"central_management,omitempty" default:"false" whatif:"choice" ask:"Does operations expect mature central management tooling such as vCenter?" ask_zh:"运维是否要求 vCenter 一类成熟的集中管理工具？" doc:"added: operations expect mature central management of the fleet, vCenter-class"`
	Orchestrator            *string  `json:"orchestrator,omitempty" validate:"omitnil,oneof=none kubernetes other" default:"none" whatif:"choice" ask:"Is an orchestrator such as Kubernetes already available?" ask_zh:"是否已有 Kubernetes 等编排工具？" doc:"orchestration already available"`
	TeamContainerExperience *string  `json:"team_container_experience,omitempty" validate:"omitnil,oneof=none some expert" default:"some" whatif:"choice" ask:"How much container experience does the operating team have?" ask_zh:"运维团队有多少容器经验？" doc:"the operating team's container skill"`
	Instances               *int64   `json:"instances,omitempty" validate:"omitnil,min=1,max=1000000" examples:"2,19,20,500,1000000" doc:"how many instances run in total"`
}

// Workload is a request with every default resolved (Request.Resolve): what
// the rules see and what the answer echoes back, so a reviewer sees what was
// assumed. Every field with a default is set; the optional numbers stay
// absent when the caller gave none, since there is no honest default for an
// SLA, an availability target or a count.
type Workload Request

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
	Recommendation string `json:"recommendation"`
	HybridPattern  string `json:"hybrid_pattern,omitempty"`
	// ContainerForm is application or os where the answer runs containers.
	ContainerForm string  `json:"container_form,omitempty"`
	Confidence    float64 `json:"confidence"`
	// Band is firm, leaning or insufficient_data.
	Band        string       `json:"band"`
	Scores      Scores       `json:"scores"`
	Placements  []Placement  `json:"placements"`
	Reasons     []Reason     `json:"reasons"`
	Constraints []Constraint `json:"constraints"`
	Unmet       []Unmet      `json:"unmet"`
	Layout      *Layout      `json:"layout,omitempty"`
	Warnings    []Warning    `json:"warnings"`
	WhatIf      []WhatIf     `json:"what_if"`
	AskNext     []AskNext    `json:"ask_next"`
	Input       Workload     `json:"input"`
	Defaulted   []string     `json:"defaulted"`
	Policy      PolicyInfo   `json:"policy"`
}

// The confidence bands.
const (
	BandFirm             = "firm"
	BandLeaning          = "leaning"
	BandInsufficientData = "insufficient_data"
)

// Scores holds the best score of each recommendation's placements.
type Scores struct {
	VM        float64 `json:"vm"`
	Container float64 `json:"container"`
	Hybrid    float64 `json:"hybrid"`
}

// Placement is one placement the rules weighed for the workload: its score
// (the weight of the preferences it serves), whether it meets every need, and
// the needs it misses.
type Placement struct {
	Placement      string   `json:"placement"`
	Title          string   `json:"title"`
	Recommendation string   `json:"recommendation"`
	HybridPattern  string   `json:"hybrid_pattern,omitempty"`
	Score          float64  `json:"score"`
	Allowed        bool     `json:"allowed"`
	Misses         []string `json:"misses"`
}

// Citation points at the passage of a source document that supports a reason.
type Citation struct {
	Source  string `json:"source"`
	Title   string `json:"title"`
	Locator string `json:"locator"`
}

// The kinds of reason.
const (
	KindNeed       = "need"
	KindPreference = "preference"
)

// Reason is one need or preference that fired: the side of the scale it pulls
// towards (favors) and its weight.
type Reason struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Kind      string     `json:"kind"`
	Favors    string     `json:"favors"`
	Weight    float64    `json:"weight"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// Constraint is a need that rules placements out.
type Constraint struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Excludes  []string   `json:"excludes"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// What an unmet demand gets from the recommended placement.
const (
	MetNo     = "no"
	MetPartly = "partly"
)

// Unmet is a need or preference the recommended placement does not meet in
// full (Met), why, and the passages that say so: the placement's statement
// Because names.
type Unmet struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Kind      string     `json:"kind"`
	Met       string     `json:"met"`
	Because   string     `json:"because"`
	Why       string     `json:"why"`
	Citations []Citation `json:"citations"`
}

// Layout is how a hybrid splits the workload: how it groups the containers
// into VMs, what each layer provides and what the VMs' guest operating
// systems cost.
type Layout struct {
	Grouping       Statement   `json:"grouping"`
	VMLayer        []LayerPart `json:"vm_layer"`
	ContainerLayer []LayerPart `json:"container_layer"`
	GuestOS        GuestOS     `json:"guest_os"`
}

// Statement is one cited statement of the rules.
type Statement struct {
	Rule      string     `json:"rule"`
	Title     string     `json:"title"`
	Summary   string     `json:"summary"`
	Citations []Citation `json:"citations"`
}

// LayerPart is one statement of what a layer of a hybrid provides, with the
// needs and preferences (rule ids) it serves.
type LayerPart struct {
	Statement
	Serves []string `json:"serves"`
}

// GuestOS is what the guest operating systems of a hybrid's VMs cost: the
// size of one, and where the tenants or the instances tell how many VMs there
// are (Basis), their number and total.
type GuestOS struct {
	PerGuestMB float64  `json:"per_guest_mb"`
	Guests     *int64   `json:"guests,omitempty"`
	Basis      string   `json:"basis,omitempty"`
	TotalMB    *float64 `json:"total_mb,omitempty"`
	Statement
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

// PolicyStatus is what GET /v1/policy reports: the policy a service answers
// with, where its policies come from, and how its reloads went.
type PolicyStatus struct {
	// Active is nil until a first policy is active.
	Active *ActivePolicy `json:"active"`
	// Origins are where the policies come from: builtin, the --policy
	// paths and the --bundle-url, in load order.
	Origins []string `json:"origins"`
	// Watching says how updates are picked up: sighup always, watch and
	// bundle when configured.
	Watching []string `json:"watching"`
	// Reloads counts the policies activated, the first included;
	// Unchanged the reloads that found the active digest again; Failures
	// the updates refused, which left the active policy serving.
	Reloads   int64        `json:"reloads"`
	Unchanged int64        `json:"unchanged"`
	Failures  int64        `json:"failures"`
	LastError *PolicyError `json:"last_error"`
}

// ActivePolicy is the policy a service answers with.
type ActivePolicy struct {
	Version string `json:"version"`
	Digest  string `json:"digest"`
	// Revision is the bundles' manifest revisions, comma-separated, if any.
	Revision string    `json:"revision,omitempty"`
	LoadedAt time.Time `json:"loaded_at"`
	// Trigger is what loaded it: start, sighup, watch or bundle.
	Trigger string `json:"trigger"`
	Rules   int    `json:"rules"`
}

// PolicyError is the last update of the policy that was refused.
type PolicyError struct {
	Message string    `json:"message"`
	Trigger string    `json:"trigger"`
	At      time.Time `json:"at"`
}

// Change sets one input field to a new value.
type Change struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// WhatIf is a small change to the input (one field, else two) and the
// recommendation the same rules give after it. Kind is choice when every
// change is one an architect can make, fact when one changes a fact about
// the workload.
type WhatIf struct {
	Changes        []Change `json:"changes"`
	Kind           string   `json:"kind"`
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
