# METADATA
# title: Orchestrator inside VMs
# description: A container orchestrator such as Kubernetes runs inside virtual machines and schedules the containers across them; the VMs supply the isolation and the operating system, the orchestrator the placement and the elastic scaling.
# custom:
#   id: orchestrator_in_vms
#   title_zh: 编排工具运行在虚拟机内
#   summary_zh: Kubernetes 等容器编排工具运行在虚拟机内，并在这些虚拟机之间调度容器；虚拟机提供隔离和操作系统，编排工具负责安排和弹性伸缩。
package advise.placements.orchestrator_in_vms

import data.advise.lib
import data.advise.placements.containers_in_vms

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "hybrid"

# METADATA
# title: Pattern
# description: The hybrid pattern this placement is.
pattern := "orchestrator_in_vms"

# METADATA
# title: Container form
# description: As for containers inside VMs.
container_form := containers_in_vms.container_form

# METADATA
# title: The orchestrator schedules the containers
# description: An orchestrator such as Kubernetes runs inside the VMs and schedules, scales and manages the containers across them, taking on the management that many containers otherwise need by hand.
# custom:
#   id: orchestrator_in_vms.orchestrated
#   kind: statement
#   degree: 1
#   title_zh: 编排工具调度容器
#   summary_zh: Kubernetes 等编排工具运行在虚拟机内，在虚拟机之间调度、伸缩和管理容器，承担了大量容器原本需要手工完成的管理工作。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
serves[c] := s if {
	some c in {"elastic", "orchestration"}
	s := lib.statement(rego.metadata.rule())
}

# Everything else is as for containers inside VMs, by the same statements.
serves[c] := s if {
	some c, s in containers_in_vms.serves
	not c in {"elastic", "orchestration"}
}
