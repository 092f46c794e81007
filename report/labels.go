// Package report renders answers for people: the Markdown section an
// architecture review pastes in, for one workload or a whole portfolio, in
// English or Chinese. Every format renders the same api.Answer; none computes
// anything of its own.
package report

import (
	"fmt"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// Lang selects the language of headings and labels. Summaries arrive already
// in the language the engine was asked for.
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
	lblTitle        = label{"Workload placement", "工作负载部署建议"}
	lblVerdict      = label{"Recommendation", "建议"}
	lblConfidence   = label{"confidence", "置信度"}
	lblScores       = label{"Scores", "得分"}
	lblOption       = label{"option", "选项"}
	lblScore        = label{"points", "分值"}
	lblChecklist    = label{"Reviewer checklist", "评审检查项"}
	lblNothingCheck = label{"No constraints or warnings to confirm.", "没有需要确认的约束或风险。"}
	lblConstraint   = label{"Constraint", "约束"}
	lblWarning      = label{"Warning", "风险"}
	lblExcludes     = label{"rules out", "排除"}
	lblReasons      = label{"Reasons", "理由"}
	lblFavours      = label{"favours", "倾向"}
	lblWeight       = label{"weight", "权重"}
	lblReason       = label{"reason", "理由"}
	lblCitations    = label{"citations", "出处"}
	lblWhatIf       = label{"What would change the answer", "哪些改变会改变结论"}
	lblAskNext      = label{"Ask next", "下一步应确认"}
	lblAssumed      = label{"assumed", "默认假设"}
	lblIfAnswered   = label{"if answered", "若回答为"}
	lblDefaults     = label{"Defaults assumed", "采用的默认值"}
	lblNone         = label{"none", "无"}
	lblPolicy       = label{"Policy", "规则集"}
	lblPortfolio    = label{"Portfolio placement", "工作负载组合部署建议"}
	lblWorkload     = label{"workload", "工作负载"}
	lblPattern      = label{"pattern", "模式"}
	lblConstraints  = label{"constraints", "约束"}
	lblFailed       = label{"error", "错误"}
	lblSummary      = label{"Summary", "汇总"}
	lblTotal        = label{"workloads", "工作负载数"}
	lblAnswered     = label{"answered", "已给出建议"}
	lblFailedCount  = label{"failed", "失败"}
	lblUnnamed      = label{"(unnamed)", "（未命名）"}
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

// Verdict names a recommendation and its hybrid pattern for people.
func Verdict(recommendation, pattern string, lang Lang) string {
	s := recommendationLabels[recommendation].in(lang)
	if s == "" {
		s = recommendation
	}
	if p, ok := patternLabels[pattern]; ok {
		s += " (" + p.in(lang) + ")"
	}
	return s
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
