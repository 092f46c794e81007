# METADATA
# title: Hybrid pattern tests
# description: Which hybrid pattern, if any, reconciles a workload's demands, and which demands sit on each side.
package advise.hybrid_test

import data.advise.hybrid
import data.advise.lib
import data.advise.lib_test

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

_orchestrator_in_vms := {
	"rule": "hybrid.orchestrator_in_vms",
	"title": "Orchestrator inside VMs",
	"favors": "hybrid",
	"weight": 0,
	"conflict_side": "none",
	"summary": "Run the container orchestrator, such as Kubernetes, inside virtual machines, so the VMs keep tenants apart while the orchestrator schedules and scales the containers.",
	"summary_zh": "在虚拟机内部署 Kubernetes 等容器编排工具，由虚拟机隔离租户，由编排工具调度和弹性伸缩容器。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的关系 — 虚拟机内运行容器编排工具",
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

_rules(set) := {x.rule | some x in set}

# Each input alone raises one demand only VMs meet (conflict_side vm).
_vm_demands := {
	"isolation.untrusted_tenants": {"multi_tenant": true},
	"isolation.untrusted_code": {"untrusted_code": true},
	"isolation.requires_root": {"requires_root": true},
	"isolation.strict": {"isolation": "strict"},
	"isolation.hardware": {"isolation": "hardware"},
	"operations.live_migration": {"live_migration": true},
}

# Each input alone raises one demand only containers meet (conflict_side container).
_container_demands := {
	"agility.startup_subsecond": {"startup_sla_ms": 500},
	"agility.startup_seconds": {"startup_sla_ms": 30000},
	"agility.high_density": {"density": "high"},
	"agility.elastic_scaling": {"scaling": "elastic"},
}

_untrusted_fast := _with({"multi_tenant": true, "startup_sla_ms": 500})

_windows_microservices := _with({"needs_windows": true, "architecture": "microservices"})

test_no_pattern_for_the_base_input if {
	inp := lib_test.base_input
	not hybrid.pattern with input as inp
	count(lib.present(hybrid.reasons)) == 0 with input as inp
}

test_no_pattern_for_vm_demands_alone if {
	every _, demand in _vm_demands {
		not hybrid.pattern with input as _with(demand)
	}
}

test_no_pattern_for_container_demands_alone if {
	every _, demand in _container_demands {
		not hybrid.pattern with input as _with(demand)
	}
}

test_every_vm_demand_with_every_container_demand_is_containers_in_vms if {
	every _, vm in _vm_demands {
		every _, container in _container_demands {
			hybrid.pattern == "containers_in_vms" with input as _with(object.union(vm, container))
		}
	}
}

test_containers_in_vms_for_untrusted_tenants_and_subsecond_start if {
	hybrid.pattern == "containers_in_vms" with input as _untrusted_fast
	lib.present(hybrid.reasons) == {_containers_in_vms} with input as _untrusted_fast
}

test_containers_in_vms_for_hardware_isolation_and_high_density if {
	inp := _with({"isolation": "hardware", "density": "high"})
	hybrid.pattern == "containers_in_vms" with input as inp
	lib.present(hybrid.reasons) == {_containers_in_vms} with input as inp
}

test_conflict_sides_hold_only_the_conflicting_demands if {
	inp := _with({"multi_tenant": true, "startup_sla_ms": 500, "architecture": "microservices", "requires_root": true})
	hybrid.vm_side == {"isolation.untrusted_tenants": 40, "isolation.requires_root": 25} with input as inp
	hybrid.container_side == {"agility.startup_subsecond": 35} with input as inp
}

test_conflict_sides_for_hardware_and_density if {
	inp := _with({"isolation": "hardware", "density": "high"})
	hybrid.vm_side == {"isolation.strict": 20, "isolation.hardware": 40} with input as inp
	hybrid.container_side == {"agility.high_density": 25} with input as inp
}

test_orchestrator_in_vms_with_kubernetes if {
	inp := object.union(_untrusted_fast, {"orchestrator": "kubernetes"})
	hybrid.pattern == "orchestrator_in_vms" with input as inp
	lib.present(hybrid.reasons) == {_orchestrator_in_vms} with input as inp
}

test_orchestrator_in_vms_with_another_orchestrator if {
	hybrid.pattern == "orchestrator_in_vms" with input as object.union(_untrusted_fast, {"orchestrator": "other"})
}

test_orchestrator_in_vms_for_elastic_microservices if {
	inp := _with({"multi_tenant": true, "scaling": "elastic", "architecture": "microservices"})
	hybrid.pattern == "orchestrator_in_vms" with input as inp
	lib.present(hybrid.reasons) == {_orchestrator_in_vms} with input as inp
}

test_elastic_monolith_without_orchestrator_is_containers_in_vms if {
	hybrid.pattern == "containers_in_vms" with input as _with({"multi_tenant": true, "scaling": "elastic", "architecture": "monolith"})
}

test_orchestrator_without_conflict_is_no_pattern if {
	not hybrid.pattern with input as _with({"orchestrator": "kubernetes", "startup_sla_ms": 500, "scaling": "elastic", "architecture": "microservices"})
}

test_side_by_side_for_windows_microservices_on_linux_hosts if {
	hybrid.pattern == "side_by_side" with input as _windows_microservices
	lib.present(hybrid.reasons) == {_side_by_side} with input as _windows_microservices
}

test_side_by_side_for_linux_microservices_on_windows_hosts if {
	hybrid.pattern == "side_by_side" with input as _with({"host_os": "windows", "architecture": "microservices"})
}

test_side_by_side_sides if {
	hybrid.vm_side == {"platform.guest_os_differs": 50} with input as _windows_microservices
	hybrid.container_side == {"isolation.single_organisation": 10, "isolation.component_namespaces": 10, "agility.microservices": 20} with input as _windows_microservices
}

test_side_by_side_not_for_a_monolith if {
	not hybrid.pattern with input as _with({"needs_windows": true, "architecture": "monolith"})
}

test_side_by_side_not_for_batch if {
	not hybrid.pattern with input as _with({"needs_windows": true, "architecture": "batch"})
}

test_side_by_side_not_for_own_kernel if {
	not hybrid.pattern with input as _with({"custom_kernel": true, "architecture": "microservices"})
}

test_side_by_side_not_when_a_vm_demand_exists if {
	every _, demand in _vm_demands {
		not hybrid.pattern with input as object.union(_windows_microservices, demand)
	}
}

test_conflict_wins_over_side_by_side if {
	inp := object.union(_windows_microservices, {"multi_tenant": true, "startup_sla_ms": 500})
	hybrid.pattern == "containers_in_vms" with input as inp
	hybrid.vm_side == {"isolation.untrusted_tenants": 40} with input as inp
}

test_no_pattern_sides_without_conflict if {
	inp := lib_test.base_input
	count(hybrid.vm_side) == 0 with input as inp
	hybrid.container_side == {"isolation.single_organisation": 10} with input as inp
}
