// Package report renders answers for people: the Markdown section an
// architecture review pastes in, for one workload or a whole portfolio, and
// plain text for a terminal, in English or Chinese. Every format renders the
// same api.Answer; none computes anything of its own.
package report

import (
	"fmt"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// Lang selects the language of headings and labels. Titles and summaries
// arrive already in the language the engine was asked for.
type Lang string

// The languages reports are written in.
const (
	English Lang = "en"
	Chinese Lang = "zh"
)

type label struct{ en, zh string }

func (l label) in(lang Lang) string {
	if lang == Chinese {
		return l.zh
	}
	return l.en
}

var (
	lblTitle          = label{"Workload placement", "工作负载部署建议"}
	lblVerdict        = label{"Recommendation", "建议"}
	lblRecommendation = label{"recommendation", "建议"}
	lblConfidence     = label{"confidence", "置信度"}
	lblPlacement      = label{"placement", "部署方式"}
	lblScore          = label{"score", "得分"}
	lblMeetsNeeds     = label{"meets every need", "满足全部硬性需求"}
	lblYes            = label{"yes", "是"}
	lblNo             = label{"no", "否"}
	lblMisses         = label{"misses", "未满足"}
	lblSplit          = label{"How to split", "如何拆分"}
	lblGrouping       = label{"Grouping", "分组方式"}
	lblVMLayer        = label{"VM layer", "虚拟机层"}
	lblCtrLayer       = label{"Container layer", "容器层"}
	lblGuestOS        = label{"Guest OS cost", "客户机系统开销"}
	lblServes         = label{"serves", "满足"}
	lblChecklist      = label{"Reviewer checklist", "评审检查项"}
	lblNothingCheck   = label{"No constraints, unmet demands or warnings to confirm.", "没有需要确认的约束、未满足的需求或风险。"}
	lblConstraint     = label{"Constraint", "约束"}
	lblUnmet          = label{"Not met", "未满足"}
	lblWarning        = label{"Warning", "风险"}
	lblExcludes       = label{"rules out", "排除"}
	lblReasons        = label{"Reasons", "理由"}
	lblFavours        = label{"favours", "倾向"}
	lblKind           = label{"kind", "类型"}
	lblWeight         = label{"weight", "权重"}
	lblReason         = label{"reason", "理由"}
	lblCitations      = label{"citations", "出处"}
	lblWhatIf         = label{"What would change the answer", "哪些改变会改变结论"}
	lblAskNext        = label{"Ask next", "下一步应确认"}
	lblAssumed        = label{"assumed", "默认假设"}
	lblIfAnswered     = label{"if answered", "若回答为"}
	lblDefaults       = label{"Defaults assumed", "采用的默认值"}
	lblNone           = label{"none", "无"}
	lblPolicy         = label{"Policy", "规则集"}
	lblPortfolio      = label{"Portfolio placement", "工作负载组合部署建议"}
	lblWorkload       = label{"workload", "工作负载"}
	lblConstraints    = label{"constraints", "约束"}
	lblUnmetCount     = label{"unmet", "未满足"}
	lblFailed         = label{"error", "错误"}
	lblSummary        = label{"Summary", "汇总"}
	lblTotal          = label{"workloads", "工作负载数"}
	lblAnswered       = label{"answered", "已给出建议"}
	lblFailedCount    = label{"failed", "失败"}
	lblUnnamed        = label{"(unnamed)", "（未命名）"}
	lblNotGiven       = label{"not given", "未提供"}
)

var recommendationLabels = map[string]label{
	api.RecommendVM:        {"Virtual machines", "虚拟机"},
	api.RecommendContainer: {"Containers", "容器"},
	api.RecommendHybrid:    {"Hybrid", "混合方案"},
}

var patternLabels = map[string]label{
	api.PatternContainersInVMs:   {"containers inside VMs", "容器运行在虚拟机内"},
	api.PatternOrchestratorInVMs: {"orchestrator inside VMs", "编排工具运行在虚拟机内"},
	api.PatternSideBySide:        {"VMs and containers side by side", "虚拟机与容器并行"},
}

var formLabels = map[string]label{
	"os":          {"OS containers", "操作系统容器"},
	"application": {"application containers", "应用容器"},
}

var bandLabels = map[string]label{
	api.BandFirm:             {"firm", "明确"},
	api.BandLeaning:          {"leaning", "倾向"},
	api.BandInsufficientData: {"insufficient data", "信息不足"},
}

var kindLabels = map[string]label{
	api.KindNeed:       {"need", "硬性需求"},
	api.KindPreference: {"preference", "偏好"},
	api.Choice:         {"a choice", "可选择的改变"},
	api.Fact:           {"a fact about the workload", "工作负载的事实"},
}

var metLabels = map[string]label{
	api.MetNo:     {"not met", "未满足"},
	api.MetPartly: {"partly met", "部分满足"},
}

var basisLabels = map[string]label{
	"tenants":   {"at least one VM per tenant", "每个租户至少一台虚拟机"},
	"instances": {"at most one VM per instance", "每个实例最多一台虚拟机"},
}

// Verdict names a recommendation and its hybrid pattern for people.
func Verdict(recommendation, pattern string, lang Lang) string {
	s := named(recommendationLabels, recommendation, lang)
	if p, ok := patternLabels[pattern]; ok {
		s += " (" + p.in(lang) + ")"
	}
	return s
}

// option names an option (vm, container or hybrid) in lang.
func option(name string, lang Lang) string {
	if lang == Chinese {
		return named(recommendationLabels, name, lang)
	}
	return name
}

// named is a label from a table, or the name itself where the table has
// none (a policy's own value).
func named(table map[string]label, name string, lang Lang) string {
	if l, ok := table[name]; ok {
		return l.in(lang)
	}
	return name
}

// verdictLine is the recommendation with its pattern, container form,
// confidence and band.
func verdictLine(ans api.Answer, lang Lang) string {
	s := Verdict(ans.Recommendation, ans.HybridPattern, lang)
	if ans.ContainerForm != "" && ans.ContainerForm != "application" {
		s += ", " + named(formLabels, ans.ContainerForm, lang)
	}
	return fmt.Sprintf("%s · %s %.2f (%s)", s, lblConfidence.in(lang), ans.Confidence, named(bandLabels, ans.Band, lang))
}

// Value prints an input value the way the contract spells it.
func Value(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", x), "0"), ".")
	}
	return fmt.Sprint(v)
}

// Changes prints what-if changes as field=value pairs.
func Changes(changes []api.Change) string {
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = c.Field + "=" + Value(c.Value)
	}
	return strings.Join(parts, ", ")
}

// workloadName is the workload's name, or a label saying it has none.
func workloadName(ans api.Answer, lang Lang) string {
	if ans.Input.Name != nil && *ans.Input.Name != "" {
		return *ans.Input.Name
	}
	return lblUnnamed.in(lang)
}

// guestOSLine says what a hybrid's guest operating systems cost.
func guestOSLine(g api.GuestOS, lang Lang) string {
	per := fmt.Sprintf("~%s MB", Value(g.PerGuestMB))
	if lang == Chinese {
		per = fmt.Sprintf("每台约 %s MB", Value(g.PerGuestMB))
	} else {
		per += " per guest"
	}
	if g.Guests == nil || g.TotalMB == nil {
		return per
	}
	if lang == Chinese {
		return fmt.Sprintf("%s × %d 台（%s）≈ %s", per, *g.Guests, named(basisLabels, g.Basis, lang), size(*g.TotalMB))
	}
	return fmt.Sprintf("%s × %d guests (%s) ≈ %s", per, *g.Guests, named(basisLabels, g.Basis, lang), size(*g.TotalMB))
}

// size prints megabytes in the largest unit that keeps a number of one or
// more.
func size(mb float64) string {
	switch {
	case mb >= 1<<20:
		return fmt.Sprintf("%.1f TB", mb/(1<<20))
	case mb >= 1<<10:
		return fmt.Sprintf("%.1f GB", mb/(1<<10))
	}
	return Value(mb) + " MB"
}

// titles maps the rule ids of an answer's reasons to their titles, for the
// parts that name reasons by id.
func titles(ans api.Answer) map[string]string {
	out := make(map[string]string, len(ans.Reasons))
	for _, r := range ans.Reasons {
		out[r.Rule] = r.Title
	}
	return out
}

// served names rule ids by the titles of the answer's reasons, falling back
// to the id where the answer has no such reason.
func served(ids []string, titles map[string]string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id
		if t, ok := titles[id]; ok {
			parts[i] = t
		}
	}
	return strings.Join(parts, ", ")
}

// Term names, for people, a value an answer uses as a term: a band, a kind
// of reason or what-if, how far an unmet demand is met, a container form or
// a guest-OS basis. A value no table knows is returned as it is.
func Term(value string, lang Lang) string {
	for _, table := range []map[string]label{bandLabels, kindLabels, metLabels, formLabels, basisLabels} {
		if l, ok := table[value]; ok {
			return l.in(lang)
		}
	}
	return value
}
