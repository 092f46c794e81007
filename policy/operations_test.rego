# METADATA
# title: Operations factor tests
# description: Each operations rule fires on the input it is about and stays quiet otherwise, with the availability and instance-count boundaries pinned.
package advise.factors.operations_test

import data.advise.factors.operations
import data.advise.lib
import data.advise.lib_test

_live_migration := {
	"rule": "operations.live_migration",
	"title": "Live migration without restart",
	"favors": "vm",
	"excludes": "container",
	"weight": 30,
	"conflict_side": "vm",
	"summary": "Moving a running workload between hosts without stopping it is a basic hypervisor feature; containers reach availability by redeploying quickly, which means a restart.",
	"summary_zh": "在不停机的情况下把运行中的工作负载迁移到其他主机是 Hypervisor 的基本能力；容器依靠快速重新部署实现可用性，也就意味着要重启。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "High availability and recoverability",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "Hypervisor是一种运行在物理服务器和操作系统之间的中间软件层",
		},
	],
}

_very_high_availability := {
	"rule": "operations.very_high_availability",
	"title": "Very high availability",
	"favors": "vm",
	"weight": 20,
	"conflict_side": "none",
	"summary": "Virtualisation platforms have proven load balancing, high availability, fault tolerance and data protection behind availability promises of five nines, while container availability rests on fast redeployment.",
	"summary_zh": "虚拟化平台在负载均衡、高可用、容错和数据保护方面久经生产验证，可承诺五个九的可用性，而容器的可用性依赖快速重新部署。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "High availability and recoverability",
		},
	],
}

_central_management := {
	"rule": "operations.central_management",
	"title": "Mature central management expected",
	"favors": "vm",
	"weight": 15,
	"conflict_side": "none",
	"summary": "Virtualisation comes with mature central management consoles of the vCenter kind, while centralised container management tools are younger.",
	"summary_zh": "虚拟化有 vCenter 一类成熟的集中管理工具，而容器的集中管理工具尚不成熟。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Manageability",
		},
	],
}

_orchestrator_available := {
	"rule": "operations.orchestrator_available",
	"title": "Orchestrator already available",
	"favors": "container",
	"weight": 10,
	"conflict_side": "none",
	"summary": "An orchestrator such as Kubernetes already in place takes on the scheduling and management that otherwise make many containers hard to run.",
	"summary_zh": "已有 Kubernetes 等编排工具负责调度和管理，承担了大量容器原本带来的管理难题。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 1. 复杂性增加",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的关系 — 虚拟机内运行容器编排工具",
		},
	],
}

_no_orchestrator := {
	"rule": "operations.no_orchestrator",
	"title": "Many containers without an orchestrator",
	"applies_to": ["container", "hybrid"],
	"summary": "Managing many containers in production by hand gets complex quickly; plan for an orchestrator such as Kubernetes or Mesos.",
	"summary_zh": "在生产环境中手工管理大量容器很快会变得复杂，应规划 Kubernetes 或 Mesos 等编排工具。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 1. 复杂性增加",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的关系 — 虚拟机内运行容器编排工具",
		},
	],
}

_team_without_container_experience := {
	"rule": "operations.team_without_container_experience",
	"title": "Team without container experience",
	"favors": "vm",
	"weight": 10,
	"conflict_side": "none",
	"summary": "Container technology is young and expertise is scarce, so a team new to it will take longer to solve problems; that tilts a close call towards virtual machines.",
	"summary_zh": "容器技术较新、熟练人员稀缺，缺乏容器经验的团队解决问题会更慢，因此在难分高下时倾向虚拟机。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 3. 不成熟",
		},
	],
}

_container_skills_scarce := {
	"rule": "operations.container_skills_scarce",
	"title": "Container skills are scarce",
	"applies_to": ["container", "hybrid"],
	"summary": "If containers are adopted, budget for training or outside expertise, since the team has none and experienced people are hard to find.",
	"summary_zh": "若采用容器，应为培训或外部专家预留预算，因为团队缺乏经验且有经验的人员难找。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 3. 不成熟",
		},
	],
}

_full_os := {
	"rule": "operations.full_os",
	"title": "Full OS with several services",
	"favors": "vm",
	"weight": 20,
	"conflict_side": "none",
	"summary": "Application containers are built to run one service or process; an instance that runs several services like a whole OS fits a virtual machine or an OS container.",
	"summary_zh": "应用容器的设计是只运行一个服务或进程；像完整操作系统那样运行多个服务的实例更适合虚拟机或操作系统容器。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "应用容器 — 应用程序容器旨在作为单个进程进行打包和运行服务",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "操作系统容器",
		},
	],
}

_use_os_containers := {
	"rule": "operations.use_os_containers",
	"title": "Use OS containers, not application containers",
	"applies_to": ["container", "hybrid"],
	"summary": "If containers are used for a full-OS instance, choose OS containers such as LXC or OpenVZ, which run many services per instance, rather than one-process application containers.",
	"summary_zh": "若用容器承载完整操作系统式的实例，应选择 LXC、OpenVZ 等可运行多个服务的操作系统容器，而不是单进程的应用容器。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "操作系统容器",
		},
	],
}

_with(overrides) := object.union(lib_test.base_input, overrides)

_reasons_for(overrides) := rs if {
	rs := lib.present(operations.reasons) with input as _with(overrides)
}

_warnings_for(overrides) := ws if {
	ws := lib.present(operations.warnings) with input as _with(overrides)
}

test_base_input_fires_nothing if {
	inp := lib_test.base_input
	count(lib.present(operations.reasons)) == 0 with input as inp
	count(lib.present(operations.constraints)) == 0 with input as inp
	count(lib.present(operations.warnings)) == 0 with input as inp
}

test_live_migration_fires if {
	lib.present(operations.constraints) == {_live_migration} with input as _with({"live_migration": true})
}

test_live_migration_not_without_it if {
	count(lib.present(operations.constraints)) == 0 with input as _with({"live_migration": false})
}

test_very_high_availability_fires_at_99_99 if {
	_reasons_for({"availability_target": 99.99}) == {_very_high_availability}
}

test_very_high_availability_fires_at_99_9999 if {
	_reasons_for({"availability_target": 99.9999}) == {_very_high_availability}
}

test_very_high_availability_not_at_99_98 if {
	count(_reasons_for({"availability_target": 99.98})) == 0
}

test_very_high_availability_not_at_90 if {
	count(_reasons_for({"availability_target": 90})) == 0
}

test_very_high_availability_not_without_a_target if {
	count(_reasons_for({})) == 0
}

test_central_management_fires if {
	_reasons_for({"central_management": true}) == {_central_management}
}

test_central_management_not_without_it if {
	count(_reasons_for({"central_management": false})) == 0
}

test_orchestrator_available_fires_for_kubernetes if {
	_reasons_for({"orchestrator": "kubernetes"}) == {_orchestrator_available}
}

test_orchestrator_available_fires_for_other if {
	_reasons_for({"orchestrator": "other"}) == {_orchestrator_available}
}

test_orchestrator_available_not_for_none if {
	count(_reasons_for({"orchestrator": "none"})) == 0
}

test_no_orchestrator_fires_for_microservices if {
	_warnings_for({"architecture": "microservices"}) == {_no_orchestrator}
}

test_no_orchestrator_fires_for_elastic_scaling if {
	_warnings_for({"scaling": "elastic"}) == {_no_orchestrator}
}

test_no_orchestrator_fires_for_high_density if {
	_warnings_for({"density": "high"}) == {_no_orchestrator}
}

test_no_orchestrator_fires_at_20_instances if {
	_warnings_for({"instances": 20}) == {_no_orchestrator}
}

test_no_orchestrator_not_at_19_instances if {
	count(_warnings_for({"instances": 19})) == 0
}

test_no_orchestrator_not_for_few_containers if {
	count(_warnings_for({"architecture": "batch", "scaling": "static", "density": "low", "instances": 1})) == 0
}

test_no_orchestrator_not_with_kubernetes if {
	count(_warnings_for({"orchestrator": "kubernetes", "architecture": "microservices", "instances": 1000})) == 0
}

test_no_orchestrator_not_with_another_orchestrator if {
	count(_warnings_for({"orchestrator": "other", "scaling": "elastic", "density": "high"})) == 0
}

test_team_without_container_experience_fires_reason_and_warning if {
	_reasons_for({"team_container_experience": "none"}) == {_team_without_container_experience}
	_warnings_for({"team_container_experience": "none"}) == {_container_skills_scarce}
}

test_team_without_container_experience_not_for_some if {
	count(_reasons_for({"team_container_experience": "some"})) == 0
	count(_warnings_for({"team_container_experience": "some"})) == 0
}

test_team_without_container_experience_not_for_expert if {
	count(_reasons_for({"team_container_experience": "expert"})) == 0
	count(_warnings_for({"team_container_experience": "expert"})) == 0
}

test_full_os_fires_reason_and_warning if {
	_reasons_for({"full_os": true}) == {_full_os}
	_warnings_for({"full_os": true}) == {_use_os_containers}
}

test_full_os_not_without_it if {
	count(_reasons_for({"full_os": false})) == 0
	count(_warnings_for({"full_os": false})) == 0
}

test_all_operations_rules_together if {
	inp := {
		"live_migration": true,
		"availability_target": 99.999,
		"central_management": true,
		"team_container_experience": "none",
		"full_os": true,
		"instances": 500,
	}
	_reasons_for(inp) == {_very_high_availability, _central_management, _team_without_container_experience, _full_os}
	_warnings_for(inp) == {_no_orchestrator, _container_skills_scarce, _use_os_containers}
	lib.present(operations.constraints) == {_live_migration} with input as _with(inp)
}
