# METADATA
# title: Hybrid patterns
# description: |
#   When the workload demands both what only VMs give (isolation, hardware walls, live
#   migration) and what only containers give (fast start-up, density, elastic scaling),
#   the answer is a named hybrid, not whichever side scored a point more.
package advise.hybrid

import data.advise.findings

# METADATA
# title: Containers inside per-tenant VMs
# description: Run the containers inside virtual machines, so the VMs supply the isolation the workload demands and the containers supply the fast start-up and density.
# custom:
#   id: hybrid.containers_in_vms
#   kind: reason
#   favors: hybrid
#   weight: 0
#   summary_zh: 把容器运行在虚拟机内部，由虚拟机提供所需的隔离，由容器提供快速启动和高密度。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器在在云硬件(或虚拟机)中可以被复用
reasons[r.custom.id] := r if {
	pattern == "containers_in_vms"
	r := rego.metadata.rule()
}

# METADATA
# title: Orchestrator inside VMs
# description: Run the container orchestrator, such as Kubernetes, inside virtual machines, so the VMs keep tenants apart while the orchestrator schedules and scales the containers.
# custom:
#   id: hybrid.orchestrator_in_vms
#   kind: reason
#   favors: hybrid
#   weight: 0
#   summary_zh: 在虚拟机内部署 Kubernetes 等容器编排工具，由虚拟机隔离租户，由编排工具调度和弹性伸缩容器。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
reasons[r.custom.id] := r if {
	pattern == "orchestrator_in_vms"
	r := rego.metadata.rule()
}

# METADATA
# title: VMs and containers side by side
# description: Run VMs and containers next to each other on the same hosts, with VMs for the parts that need another operating system and containers for the light services.
# custom:
#   id: hybrid.side_by_side
#   kind: reason
#   favors: hybrid
#   weight: 0
#   summary_zh: 在同一批主机上同时运行虚拟机和容器，需要其他操作系统的部分放进虚拟机，轻量服务放进容器。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器与虚拟机并行使用
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 因此,我们需要根据不同的应用场景和需求
reasons[r.custom.id] := r if {
	pattern == "side_by_side"
	r := rego.metadata.rule()
}

# METADATA
# title: Pattern
# description: The hybrid pattern that reconciles the workload's demands, if any; conflicts come first, and side by side only applies when nothing demands VM isolation.
pattern := "orchestrator_in_vms" if {
	_conflict
	_orchestrated
} else := "containers_in_vms" if {
	_conflict
} else := "side_by_side" if {
	_other_os
	input.architecture == "microservices"
	count(_vm_demands) == 0
}

# METADATA
# title: VM side
# description: The demands only VMs meet that the pattern reconciles, rule id to weight.
vm_side := _vm_demands if _conflict

else := {id: f.weight | some id, f in _fired; f.side == "other_os"}

# METADATA
# title: Container side
# description: The demands only containers meet that the pattern reconciles, rule id to weight.
container_side := _container_demands if _conflict

else := {id: f.weight | some id, f in _fired; f.favors == "container"}

# _fired reads what the pattern needs from each fired rule's annotation once,
# keyed by rule id, so the comprehensions below compare small objects.
_fired := {id: f |
	some id, m in object.union(findings.reasons, findings.constraints)
	f := {
		"side": object.get(m.custom, "conflict_side", "none"),
		"favors": m.custom.favors,
		"weight": m.custom.weight,
	}
}

_vm_demands := {id: f.weight | some id, f in _fired; f.side == "vm"}

_container_demands := {id: f.weight | some id, f in _fired; f.side == "container"}

_conflict if {
	count(_vm_demands) > 0
	count(_container_demands) > 0
}

_orchestrated if input.orchestrator != "none"

_orchestrated if {
	input.scaling == "elastic"
	input.architecture == "microservices"
}

_other_os if {
	some f in _fired
	f.side == "other_os"
}
