package policy

import (
	"strings"

	"github.com/placement-advisor/advise/api"
)

// questions are what a reviewer asks the workload's owner about an input they
// left at its default. They are user-facing copy in both languages, not rules.
var questions = map[string][2]string{
	"tenants_trusted":           {"Do the tenants belong to one organisation and trust each other?", "各租户是否属于同一组织并互相信任？"},
	"needs_windows":             {"Does the workload need Windows?", "该工作负载是否需要 Windows？"},
	"host_os":                   {"Which operating system do the hosts run?", "宿主机运行的是哪种操作系统？"},
	"custom_kernel":             {"Does it need its own kernel, kernel modules or another kernel version?", "是否需要自有内核、内核模块或其他内核版本？"},
	"requires_root":             {"Does it need root or privileged access?", "是否需要 root 或特权访问？"},
	"untrusted_code":            {"Does it run code supplied by customers or other outsiders?", "是否会运行客户或其他外部方提供的代码？"},
	"isolation":                 {"What isolation do security or compliance demand: standard, strict or hardware-enforced?", "安全或合规要求何种隔离：标准、严格还是硬件级？"},
	"startup_sla_ms":            {"How fast must a new instance be serving, in milliseconds?", "新实例必须在多少毫秒内开始提供服务？"},
	"density":                   {"How many instances must be packed per host: low, medium or high?", "每台主机需要容纳多少实例：低、中还是高密度？"},
	"scaling":                   {"Are instances created and released often as load changes?", "实例是否随负载频繁创建和释放？"},
	"architecture":              {"Is it a monolith, microservices or batch jobs?", "它是单体应用、微服务还是批处理作业？"},
	"full_os":                   {"Does one instance run several services like a whole OS (init, cron, sshd)?", "单个实例是否像完整操作系统一样运行多个服务（init、cron、sshd）？"},
	"release_frequency":         {"How often do new versions ship?", "新版本多久发布一次？"},
	"env_drift_pain":            {"Do releases suffer from differences between dev, test and production?", "发布是否受开发、测试与生产环境差异之苦？"},
	"performance_sensitive":     {"Does it need near bare-metal performance?", "是否需要接近裸机的性能？"},
	"availability_target":       {"What availability does the business ask for, in percent?", "业务要求的可用性是多少（百分比）？"},
	"live_migration":            {"Must it move between hosts without a restart?", "是否必须在不重启的情况下在主机间迁移？"},
	"central_management":        {"Does operations expect mature central management tooling such as vCenter?", "运维是否要求 vCenter 一类成熟的集中管理工具？"},
	"orchestrator":              {"Is an orchestrator such as Kubernetes already available?", "是否已有 Kubernetes 等编排工具？"},
	"team_container_experience": {"How much container experience does the operating team have?", "运维团队有多少容器经验？"},
}

func question(field string, lang Lang) string {
	q, ok := questions[field]
	if !ok {
		return field
	}
	if lang == Chinese {
		return q[1]
	}
	return q[0]
}

var recommendationNames = map[string][2]string{
	api.RecommendVM:        {"virtual machines", "虚拟机"},
	api.RecommendContainer: {"containers", "容器"},
	api.RecommendHybrid:    {"a hybrid", "混合方案"},
}

// whatIfSummary says a variation in one sentence, in English or Chinese.
func whatIfSummary(changes []api.Change, v verdict, lang Lang) string {
	name := recommendationNames[v.Recommendation]
	var b strings.Builder
	b.Grow(128)
	if lang == Chinese {
		b.WriteString("若")
		for i, c := range changes {
			if i > 0 {
				b.WriteString("并")
			}
			if c.Value == nil {
				b.WriteString("不设 " + c.Field)
				continue
			}
			b.WriteString("将 " + c.Field + " 设为 ")
			b.WriteString(formatValue(c.Value))
		}
		b.WriteString("，建议将变为" + name[1])
		if v.HybridPattern != "" {
			b.WriteString("（" + v.HybridPattern + "）")
		}
		b.WriteString("。")
		return b.String()
	}
	for i, c := range changes {
		switch {
		case i > 0 && c.Value == nil:
			b.WriteString(" and leaving out ")
		case i > 0:
			b.WriteString(" and setting ")
		case c.Value == nil:
			b.WriteString("Leaving out ")
		default:
			b.WriteString("Setting ")
		}
		b.WriteString(c.Field)
		if c.Value != nil {
			b.WriteString(" to ")
			b.WriteString(formatValue(c.Value))
		}
	}
	b.WriteString(" would change the advice to " + name[0])
	if v.HybridPattern != "" {
		b.WriteString(" (" + v.HybridPattern + ")")
	}
	b.WriteString(".")
	return b.String()
}
