# METADATA
# title: Decision tests
# description: |
#   Whole answers for worked cases: the recommendation, the hybrid pattern, scores and
#   confidence computed by hand from the weights and the formula in decision.rego
#   (evidence prior 30), and the warnings filtered by the recommended option.
package advise.decision_test

import data.advise.decision
import data.advise.lib
import data.advise.lib_test

_untrusted_tenants := {
	"rule": "isolation.untrusted_tenants",
	"title": "Tenants that do not trust each other",
	"favors": "vm",
	"weight": 40,
	"conflict_side": "vm",
	"summary": "Tenants who do not trust each other need the whole environment walled off; virtual machines do that, which is why cloud providers separate their users with VMs while containers separate the parts of one application.",
	"summary_zh": "互不信任的租户需要把整个运行环境彻底隔开；虚拟机能做到这一点，云服务商也因此用虚拟机隔离用户，而容器用于隔离同一应用的各个部分。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "虚拟机更擅长于彻底隔离整个运行环境",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "因此,我们需要根据不同的应用场景和需求",
		},
		{
			"source": "004_c47ec412e6d24774.txt",
			"title": "容器技术实战学习报告",
			"locator": "Docker守护进程可以直接与主操作系统进行通信 — 虚拟机更擅长于彻底隔离整个运行环境",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Compared to a virtual machine, docker is less isolated",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 资源隔离",
		},
	],
}

_single_organisation := {
	"rule": "isolation.single_organisation",
	"title": "One organisation on the hosts",
	"favors": "container",
	"weight": 10,
	"conflict_side": "none",
	"summary": "When everything on a host belongs to one organisation, containers give enough separation between applications and keep their advantages.",
	"summary_zh": "同一宿主机上的实例都属于同一组织时，容器提供的应用间隔离已经足够，同时保留容器的各项优势。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "因此,我们需要根据不同的应用场景和需求",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "Docker通常用于隔离不同的应用",
		},
	],
}

_requires_root := {
	"rule": "isolation.requires_root",
	"title": "Root or privileged access",
	"favors": "vm",
	"weight": 25,
	"conflict_side": "vm",
	"summary": "Root inside a container is root on the host and breaking out of a container usually needs root, whereas root inside a VM stays separate from the host.",
	"summary_zh": "容器内的 root 就是宿主机的 root，逃逸容器通常也需要 root 权限；虚拟机内的 root 与宿主机相互独立。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Security: docker's security is also weaker",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "有几个方法可以摆脱容器的束缚",
		},
	],
}

_strict := {
	"rule": "isolation.strict",
	"title": "Strict isolation demanded",
	"favors": "vm",
	"weight": 20,
	"conflict_side": "vm",
	"summary": "Each virtual machine has its own kernel and its own memory, disk and network, while containers share one kernel and are separated by namespaces and cgroups, so VMs isolate more strictly.",
	"summary_zh": "每台虚拟机拥有独立的内核以及内存、磁盘和网络资源，而容器共享同一内核、靠命名空间和控制组隔离，因此虚拟机的隔离更严格。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 资源隔离",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Compared to a virtual machine, docker is less isolated",
		},
	],
}

_component_namespaces := {
	"rule": "isolation.component_namespaces",
	"title": "Namespaces per component",
	"favors": "container",
	"weight": 10,
	"conflict_side": "none",
	"summary": "Namespaces let each component see only its own files and ports, and small per-component images shrink what an attacker can reach, which suits a workload split into parts that trust each other.",
	"summary_zh": "命名空间使每个组件只能看到自己的文件和端口，按组件拆分的小镜像也缩小了攻击面，适合由互相信任的多个部分组成的工作负载。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "如果容器内的进程扫描文件系统来寻找要窃取的东西",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "如果容器内的进程中想尝试做一些恶意的事情,比如打开端口31337后门服务",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "推荐文章 — 你的镜像安全吗?",
		},
	],
}

_hardware := {
	"rule": "isolation.hardware",
	"title": "Hardware-enforced isolation demanded",
	"favors": "vm",
	"excludes": "container",
	"weight": 40,
	"conflict_side": "vm",
	"summary": "Virtual machines are kept apart by CPU virtualisation features such as VT-x and VT-d; containers have no hardware isolation at all, so bare containers cannot meet this demand.",
	"summary_zh": "虚拟机依靠 VT-x、VT-d 等 CPU 虚拟化特性相互隔离，容器没有任何硬件隔离，因此单纯的容器无法满足这一要求。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Security: docker's security is also weaker",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 实现方式",
		},
	],
}

_startup_subsecond := {
	"rule": "agility.startup_subsecond",
	"title": "Sub-second start-up",
	"favors": "container",
	"weight": 35,
	"conflict_side": "container",
	"summary": "A container starts in milliseconds because there is no guest operating system to boot, while a virtual machine needs minutes, so only containers can meet a start-up SLA of a second or less.",
	"summary_zh": "容器无需引导客户机操作系统，可在毫秒级启动，而虚拟机需要数分钟，因此只有容器能满足一秒以内的启动要求。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "第一次接触Docker的时候",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "Docker守护进程可以直接与主操作系统进行通信",
		},
		{
			"source": "004_c47ec412e6d24774.txt",
			"title": "容器技术实战学习报告",
			"locator": "Docker守护进程可以直接与主操作系统进行通信",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 部署和启动时间",
		},
	],
}

_high_density := {
	"rule": "agility.high_density",
	"title": "High density",
	"favors": "container",
	"weight": 25,
	"conflict_side": "container",
	"summary": "Containers carry no guest operating system (a VM guest can weigh hundreds of megabytes before the application), so far more instances fit on the same hardware.",
	"summary_zh": "容器不携带客户机操作系统（一台虚拟机的客户机系统在应用之外就可能占用数百 MB），因此同样的硬件上可以容纳多得多的实例。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "从操作系统(Guest Operating System)",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "docker is lighter",
		},
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "总结",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器与虚拟机之间的区别 — 因为虚拟机包括操作系统",
		},
	],
}

_microservices := {
	"rule": "agility.microservices",
	"title": "Microservices",
	"favors": "container",
	"weight": 20,
	"conflict_side": "none",
	"summary": "Running one service per container lets each service be upgraded on its own and makes its performance, failures and cost easier to watch.",
	"summary_zh": "每个容器只运行一个服务，使各服务可以独立升级，其性能、故障影响和成本也更容易观察。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "总结",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "如果每个容器运行的只有一个服务或者数据库",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 2. 提高生产力",
		},
	],
}

_frequent_releases := {
	"rule": "agility.frequent_releases",
	"title": "Frequent releases",
	"favors": "container",
	"weight": 15,
	"conflict_side": "none",
	"summary": "Container images are versioned and the Dockerfile records how each one is built, so frequent releases stay reproducible and roll out quickly.",
	"summary_zh": "容器镜像自带版本，Dockerfile 记录了构建过程，因此频繁发布依然可复现且能快速铺开。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 3. 版本控制",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Delivery, deployment",
		},
	],
}

_environment_drift := {
	"rule": "agility.environment_drift",
	"title": "Environment drift between stages",
	"favors": "container",
	"weight": 20,
	"conflict_side": "none",
	"summary": "A container image carries the application together with its runtime, libraries and OS layer, so development, test and production run the same thing.",
	"summary_zh": "容器镜像把应用连同其运行时、依赖库和操作系统层一起打包，开发、测试与生产运行的是同一份内容。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器解决了哪些问题呢?",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的优点 — 4. 运行环境可移植",
		},
	],
}

_guest_os_differs := {
	"rule": "platform.guest_os_differs",
	"title": "Guest OS differs from the host OS",
	"favors": "vm",
	"excludes": "container",
	"weight": 50,
	"conflict_side": "other_os",
	"summary": "Containers share the host's kernel, so a workload that needs another operating system than its hosts run can only be hosted in a virtual machine.",
	"summary_zh": "容器与宿主机共用同一个内核，工作负载需要的操作系统与宿主机不同时，只能放进虚拟机运行。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 系统支持和兼容性",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "But virtual machine technology also has its advantages",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "操作系统容器 — 如上所述,容器共享宿主机的内核",
		},
	],
}

# Warnings reach the answer without applies_to.
_no_orchestrator := {
	"rule": "operations.no_orchestrator",
	"title": "Many containers without an orchestrator",
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

_containers_in_vms := {
	"rule": "hybrid.containers_in_vms",
	"title": "Containers inside per-tenant VMs",
	"favors": "hybrid",
	"weight": 0,
	"conflict_side": "none",
	"summary": "Run the containers inside virtual machines, so the VMs supply the isolation the workload demands and the containers supply the fast start-up and density.",
	"summary_zh": "把容器运行在虚拟机内部，由虚拟机提供所需的隔离，由容器提供快速启动和高密度。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的关系 — 容器在虚拟机内部",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "容器在在云硬件(或虚拟机)中可以被复用",
		},
	],
}

_side_by_side := {
	"rule": "hybrid.side_by_side",
	"title": "VMs and containers side by side",
	"favors": "hybrid",
	"weight": 0,
	"conflict_side": "none",
	"summary": "Run VMs and containers next to each other on the same hosts, with VMs for the parts that need another operating system and containers for the light services.",
	"summary_zh": "在同一批主机上同时运行虚拟机和容器，需要其他操作系统的部分放进虚拟机，轻量服务放进容器。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的关系 — 容器与虚拟机并行使用",
		},
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "因此,我们需要根据不同的应用场景和需求",
		},
	],
}

_with(overrides) := object.union(lib_test.base_input, overrides)

# _answer is the answer with each fired rule presented whole, as the engine
# presents it from the rule's annotation; test_answer_names_the_presented_rules
# checks the ids the answer itself carries.
_answer(overrides) := a if {
	inp := _with(overrides)
	ids := decision.answer with input as inp
	a := object.union(ids, {
		"reasons": lib.present(decision.reasons),
		"constraints": lib.present(decision.constraints),
		"warnings": {object.remove(w, {"applies_to"}) | some w in lib.present(decision.warnings)},
	}) with input as inp
}

_rules(set) := {x.rule | some x in set}

test_evidence_prior if {
	decision.evidence_prior == 30
}

# Conflict 1 of DESIGN.md: untrusted tenants and a sub-second start-up.
# vm 40 (untrusted_tenants), container 35 (startup_subsecond); hybrid = 40 + 35.
# confidence = 0.5 + 0.5*35/(35+30) = 0.7692 -> 0.77.
test_untrusted_tenants_and_subsecond_start_is_containers_in_vms if {
	_answer({"multi_tenant": true, "startup_sla_ms": 500}) == {
		"recommendation": "hybrid",
		"hybrid_pattern": "containers_in_vms",
		"confidence": 0.77,
		"scores": {"vm": 40, "container": 35, "hybrid": 75},
		"reasons": {_untrusted_tenants, _startup_subsecond, _containers_in_vms},
		"constraints": set(),
		"warnings": set(),
	}
}

# Conflict 2 of DESIGN.md: hardware isolation and high density.
# vm 20 (strict) + 40 (hardware) = 60; container 10 (single_organisation) + 25
# (high_density) = 35; hybrid = 60 + 25; confidence = 0.5 + 0.5*25/(25+30) = 0.7273 -> 0.73.
test_hardware_isolation_and_high_density_is_containers_in_vms if {
	_answer({"isolation": "hardware", "density": "high"}) == {
		"recommendation": "hybrid",
		"hybrid_pattern": "containers_in_vms",
		"confidence": 0.73,
		"scores": {"vm": 60, "container": 35, "hybrid": 85},
		"reasons": {_single_organisation, _strict, _high_density, _containers_in_vms},
		"constraints": {_hardware},
		"warnings": {_no_orchestrator},
	}
}

# vm 40, container 45 (elastic 25 + microservices 20), hybrid 40 + 25;
# confidence = 0.5 + 0.5*25/55 -> 0.73.
test_orchestrator_in_vms if {
	a := _answer({"multi_tenant": true, "scaling": "elastic", "architecture": "microservices"})
	a.recommendation == "hybrid"
	a.hybrid_pattern == "orchestrator_in_vms"
	a.scores == {"vm": 40, "container": 45, "hybrid": 65}
	a.confidence == 0.73
	_rules(a.reasons) == {
		"isolation.untrusted_tenants", "agility.elastic_scaling",
		"agility.microservices", "hybrid.orchestrator_in_vms",
	}
	_rules(a.warnings) == {"operations.no_orchestrator"}
}

test_orchestrator_in_vms_with_kubernetes_has_no_orchestrator_warning if {
	a := _answer({"multi_tenant": true, "startup_sla_ms": 500, "orchestrator": "kubernetes", "instances": 100})
	a.hybrid_pattern == "orchestrator_in_vms"
	count(a.warnings) == 0
	"operations.orchestrator_available" in _rules(a.reasons)
}

# vm 50 (guest_os_differs); container 10 + 10 + 20 = 40; hybrid 50 + 40;
# confidence = 0.5 + 0.5*40/70 = 0.7857 -> 0.79. The constraint does not stop
# a hybrid: the other-OS part runs in VMs.
test_side_by_side_for_windows_microservices_on_linux if {
	_answer({"needs_windows": true, "architecture": "microservices"}) == {
		"recommendation": "hybrid",
		"hybrid_pattern": "side_by_side",
		"confidence": 0.79,
		"scores": {"vm": 50, "container": 40, "hybrid": 90},
		"reasons": {_single_organisation, _component_namespaces, _microservices, _side_by_side},
		"constraints": {_guest_os_differs},
		"warnings": {_no_orchestrator},
	}
}

# A VM-side demand (root) rules side by side out; the constraint decides for VMs.
# vm 50 + 25 = 75, container 40 excluded -> 0.5 + 0.5*75/105 = 0.857, lifted to 0.9.
# The container/hybrid warnings (root, orchestrator) do not show on a VM answer.
test_side_by_side_not_when_a_vm_demand_exists if {
	_answer({"needs_windows": true, "architecture": "microservices", "requires_root": true}) == {
		"recommendation": "vm",
		"confidence": 0.9,
		"scores": {"vm": 75, "container": 40, "hybrid": 0},
		"reasons": {_single_organisation, _component_namespaces, _microservices, _requires_root},
		"constraints": {_guest_os_differs},
		"warnings": set(),
	}
}

# vm 40, container 0 -> 0.5 + 0.5*40/70 = 0.7857 -> 0.79.
test_vm_for_untrusted_tenants if {
	_answer({"multi_tenant": true}) == {
		"recommendation": "vm",
		"confidence": 0.79,
		"scores": {"vm": 40, "container": 0, "hybrid": 0},
		"reasons": {_untrusted_tenants},
		"constraints": set(),
		"warnings": set(),
	}
}

# container 10 + 10 + 20 + 15 + 20 = 75, vm 0 -> 0.5 + 0.5*75/105 = 0.857 -> 0.86.
test_container_for_frequently_released_microservices if {
	_answer({"architecture": "microservices", "release_frequency": "weekly", "env_drift_pain": true}) == {
		"recommendation": "container",
		"confidence": 0.86,
		"scores": {"vm": 0, "container": 75, "hybrid": 0},
		"reasons": {_single_organisation, _component_namespaces, _microservices, _frequent_releases, _environment_drift},
		"constraints": set(),
		"warnings": {_no_orchestrator},
	}
}

# container 10 (single_organisation) vs vm 0 -> 0.5 + 0.5*10/40 = 0.625 -> 0.63.
test_base_input_is_container_with_low_confidence if {
	a := _answer({})
	a.recommendation == "container"
	a.confidence == 0.63
	a.scores == {"vm": 0, "container": 10, "hybrid": 0}
}

# vm 10 (team_without_container_experience) vs container 10 (single_organisation).
test_tie_goes_to_vm if {
	a := _answer({"team_container_experience": "none"})
	a.scores == {"vm": 10, "container": 10, "hybrid": 0}
	a.recommendation == "vm"
	a.confidence == 0.5
}

test_tie_answer_drops_container_only_warnings if {
	a := _answer({"team_container_experience": "none"})
	count(a.warnings) == 0
	decision.warnings == {} with input as _with({"team_container_experience": "none"})
}

test_container_only_warning_shows_on_a_container_answer if {
	# container 10 + 35 = 45 vs vm 10: the skills warning applies.
	a := _answer({"team_container_experience": "none", "startup_sla_ms": 500})
	a.recommendation == "container"
	_rules(a.warnings) == {"operations.container_skills_scarce"}
}

# The answer itself names the fired rules by id, the same rules _answer
# presents whole.
test_answer_names_the_presented_rules if {
	inp := _with({"isolation": "hardware", "density": "high", "requires_root": true, "team_container_experience": "none"})
	a := decision.answer with input as inp
	p := _answer({"isolation": "hardware", "density": "high", "requires_root": true, "team_container_experience": "none"})
	a.reasons == _rules(p.reasons)
	a.constraints == _rules(p.constraints)
	a.warnings == _rules(p.warnings)
	a.warnings == {"isolation.no_root_in_containers", "operations.no_orchestrator", "operations.container_skills_scarce"}
}

# vm 50, container 10 excluded -> 0.5 + 0.5*50/80 = 0.8125, lifted to 0.9.
test_constraint_lifts_confidence_to_0_9 if {
	a := _answer({"custom_kernel": true})
	a.recommendation == "vm"
	a.confidence == 0.9
	a.scores == {"vm": 50, "container": 10, "hybrid": 0}
}

# vm 50 + 50 + 30 + 40 + 25 = 195, container excluded -> 0.5 + 0.5*195/225 = 0.9333 -> 0.93.
test_constraint_keeps_a_higher_margin_confidence if {
	a := _answer({
		"needs_windows": true, "custom_kernel": true, "live_migration": true,
		"multi_tenant": true, "requires_root": true,
	})
	a.recommendation == "vm"
	a.confidence == 0.93
	a.scores == {"vm": 195, "container": 0, "hybrid": 0}
	_rules(a.constraints) == {"platform.guest_os_differs", "platform.custom_kernel", "operations.live_migration"}
}

# container 10 + 10 + 20 + 15 + 20 + 25 = 100 beats vm 50 on points, but the
# kernel constraint excludes containers; elastic scaling raises no conflict
# because the kernel constraint is no VM-side demand.
test_constraint_beats_a_higher_container_score if {
	a := _answer({
		"custom_kernel": true, "architecture": "microservices", "release_frequency": "daily",
		"env_drift_pain": true, "scaling": "elastic",
	})
	a.scores == {"vm": 50, "container": 100, "hybrid": 0}
	a.recommendation == "vm"
	a.confidence == 0.9
	count(a.warnings) == 0
}

test_every_constraint_gives_confidence_at_least_0_9 if {
	every overrides in [
		{"custom_kernel": true},
		{"needs_windows": true},
		{"host_os": "windows"},
		{"isolation": "hardware"},
		{"live_migration": true},
		{"live_migration": true, "architecture": "microservices", "release_frequency": "daily", "env_drift_pain": true},
	] {
		a := _answer(overrides)
		a.recommendation == "vm"
		"container" in decision.excluded with input as _with(overrides)
		a.confidence >= 0.9
	}
}

test_excluded_is_empty_without_constraints if {
	decision.excluded == set() with input as lib_test.base_input
}

test_hybrid_pattern_absent_when_not_hybrid if {
	every overrides in [{}, {"multi_tenant": true}, {"custom_kernel": true}, {"startup_sla_ms": 500}] {
		a := _answer(overrides)
		a.recommendation != "hybrid"
		not "hybrid_pattern" in object.keys(a)
	}
}

test_hybrid_score_is_zero_without_a_pattern if {
	# Container-only demands raise no conflict, so no pattern and no hybrid points.
	a := _answer({"startup_sla_ms": 500, "scaling": "elastic", "orchestrator": "kubernetes"})
	a.recommendation == "container"
	a.scores.hybrid == 0
	not "hybrid_pattern" in object.keys(a)
}

test_scores_sum_reason_and_constraint_weights if {
	# vm: untrusted_code 30 + central_management 15 + very_high_availability 20 + live_migration 30 = 95
	# container: single_organisation 10 + near_native_performance 15 + orchestrator_available 10 = 35
	a := _answer({
		"untrusted_code": true, "central_management": true, "availability_target": 99.99,
		"live_migration": true, "performance_sensitive": true, "orchestrator": "kubernetes",
	})
	a.scores == {"vm": 95, "container": 35, "hybrid": 0}
	a.recommendation == "vm"
	a.confidence == 0.9
}

test_margin_confidence_for_a_close_container_win if {
	# container 10 + 35 = 45 vs vm 10 -> 0.5 + 0.5*35/85 = 0.7059 -> 0.71
	a := _answer({"team_container_experience": "none", "startup_sla_ms": 500})
	a.scores == {"vm": 10, "container": 45, "hybrid": 0}
	a.confidence == 0.71
}

test_reasons_include_hybrid_reason_only_for_hybrid if {
	a := _answer({"multi_tenant": true})
	every r in a.reasons {
		r.favors != "hybrid"
	}
}

test_verdict_for_a_hybrid if {
	decision.verdict == {
		"recommendation": "hybrid",
		"hybrid_pattern": "containers_in_vms",
		"confidence": 0.77,
	} with input as _with({"multi_tenant": true, "startup_sla_ms": 500})
}

test_verdict_without_a_pattern if {
	decision.verdict == {"recommendation": "vm", "confidence": 0.79} with input as _with({"multi_tenant": true})
}

test_verdict_agrees_with_the_answer if {
	every overrides in [
		{},
		{"team_container_experience": "none"},
		{"needs_windows": true, "architecture": "microservices"},
		{"isolation": "hardware", "density": "high", "orchestrator": "other"},
	] {
		a := _answer(overrides)
		v := decision.verdict with input as _with(overrides)
		v == object.filter(a, {"recommendation", "hybrid_pattern", "confidence"})
	}
}
