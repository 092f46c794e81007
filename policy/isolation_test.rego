# METADATA
# title: Isolation factor tests
# description: Each isolation rule fires on the input it is about and stays quiet otherwise.
package advise.factors.isolation_test

import data.advise.factors.isolation
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

_untrusted_code := {
	"rule": "isolation.untrusted_code",
	"title": "Runs code it does not control",
	"favors": "vm",
	"weight": 30,
	"conflict_side": "vm",
	"summary": "In a virtual machine a vulnerability in the application does not put the host at risk, which matters when the workload executes code supplied by others.",
	"summary_zh": "在虚拟机中，应用自身的漏洞不会威胁宿主机；工作负载要执行他人提供的代码时，这一点尤为重要。",
	"citations": [
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "But virtual machine technology also has its advantages",
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

_no_root_in_containers := {
	"rule": "isolation.no_root_in_containers",
	"title": "Do not run the application as root in a container",
	"applies_to": ["container", "hybrid"],
	"summary": "If the workload runs in containers, drop root inside them and lock down root access, because container escapes usually start from root.",
	"summary_zh": "若在容器中运行，应避免以 root 运行应用并收紧 root 权限，因为容器逃逸通常以 root 权限为前提。",
	"citations": [
		{
			"source": "001_12de2612dfdf4b91.txt",
			"title": "docker容器与虚拟机有什么区别?",
			"locator": "不要以root运行应用程序",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "Security: docker's security is also weaker",
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

_with(overrides) := object.union(lib_test.base_input, overrides)

_untrusted_multi_tenant := {"multi_tenant": true, "tenants_trusted": false}

_rules(set) := {x.rule | some x in set}

test_base_input_is_one_organisation_only if {
	inp := lib_test.base_input
	lib.present(isolation.reasons) == {_single_organisation} with input as inp
	count(lib.present(isolation.constraints)) == 0 with input as inp
	count(lib.present(isolation.warnings)) == 0 with input as inp
}

test_untrusted_tenants_fires if {
	lib.present(isolation.reasons) == {_untrusted_tenants} with input as _with(_untrusted_multi_tenant)
}

test_untrusted_tenants_not_when_tenants_trust_each_other if {
	lib.present(isolation.reasons) == {_single_organisation} with input as _with({"multi_tenant": true, "tenants_trusted": true})
}

test_untrusted_tenants_not_for_a_single_tenant if {
	rs := lib.present(isolation.reasons) with input as _with({"multi_tenant": false})
	not "isolation.untrusted_tenants" in _rules(rs)
}

test_single_organisation_fires_for_a_single_tenant if {
	_single_organisation in lib.present(isolation.reasons) with input as _with({"multi_tenant": false})
}

test_single_organisation_fires_for_trusted_tenants if {
	_single_organisation in lib.present(isolation.reasons) with input as _with({"multi_tenant": true, "tenants_trusted": true})
}

test_single_organisation_not_for_untrusted_tenants if {
	rs := lib.present(isolation.reasons) with input as _with(_untrusted_multi_tenant)
	not "isolation.single_organisation" in _rules(rs)
}

test_untrusted_code_fires if {
	lib.present(isolation.reasons) == {_single_organisation, _untrusted_code} with input as _with({"untrusted_code": true})
}

test_untrusted_code_not_without_it if {
	rs := lib.present(isolation.reasons) with input as _with({"untrusted_code": false})
	not "isolation.untrusted_code" in _rules(rs)
}

test_requires_root_fires_reason_and_warning if {
	inp := _with({"requires_root": true})
	lib.present(isolation.reasons) == {_single_organisation, _requires_root} with input as inp
	lib.present(isolation.warnings) == {_no_root_in_containers} with input as inp
}

test_requires_root_not_without_it if {
	inp := _with({"requires_root": false})
	rs := lib.present(isolation.reasons) with input as inp
	not "isolation.requires_root" in _rules(rs)
	count(lib.present(isolation.warnings)) == 0 with input as inp
}

test_strict_fires_for_strict if {
	inp := _with({"isolation": "strict"})
	lib.present(isolation.reasons) == {_single_organisation, _strict} with input as inp
	count(lib.present(isolation.constraints)) == 0 with input as inp
}

test_strict_and_hardware_fire_for_hardware if {
	inp := _with({"isolation": "hardware"})
	lib.present(isolation.reasons) == {_single_organisation, _strict} with input as inp
	lib.present(isolation.constraints) == {_hardware} with input as inp
}

test_strict_and_hardware_not_for_standard if {
	inp := _with({"isolation": "standard"})
	rs := lib.present(isolation.reasons) with input as inp
	not "isolation.strict" in _rules(rs)
	count(lib.present(isolation.constraints)) == 0 with input as inp
}

test_component_namespaces_fires_for_microservices if {
	lib.present(isolation.reasons) == {_single_organisation, _component_namespaces} with input as _with({"architecture": "microservices"})
}

test_component_namespaces_fires_for_batch if {
	lib.present(isolation.reasons) == {_single_organisation, _component_namespaces} with input as _with({"architecture": "batch"})
}

test_component_namespaces_fires_for_trusted_tenants if {
	inp := _with({"multi_tenant": true, "tenants_trusted": true, "architecture": "microservices"})
	lib.present(isolation.reasons) == {_single_organisation, _component_namespaces} with input as inp
}

test_component_namespaces_not_for_a_monolith if {
	lib.present(isolation.reasons) == {_single_organisation} with input as _with({"architecture": "monolith"})
}

test_component_namespaces_not_with_strict_isolation if {
	lib.present(isolation.reasons) == {_single_organisation, _strict} with input as _with({"architecture": "microservices", "isolation": "strict"})
}

test_component_namespaces_not_for_untrusted_tenants if {
	lib.present(isolation.reasons) == {_untrusted_tenants} with input as _with(object.union(_untrusted_multi_tenant, {"architecture": "microservices"}))
}
