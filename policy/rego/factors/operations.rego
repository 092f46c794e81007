# METADATA
# title: Operations factors
# description: Availability, management, orchestration, the shape of each instance and the skills of the team that runs the workload.
package advise.factors.operations

# METADATA
# title: Live migration without restart
# description: The workload must move between hosts while it runs. Moving running workloads between hosts without interruption is a basic feature of the hypervisor, while containers stay available by being redeployed quickly, which means a restart.
# custom:
#   id: operations.live_migration
#   kind: need
#   capability: live_migration
#   weight: 60
#   title_zh: 不停机热迁移
#   summary_zh: 工作负载必须在运行中迁移到其他主机。不中断地在主机间迁移运行中的工作负载是 Hypervisor 的基本功能，而容器依靠快速重新部署保持可用，也就意味着要重启。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
#     - source: 002_687a735013d0ae0c.txt
#       locator: 非中断地支持多工作负载迁移的能力是Hypervisor的基本功能
needs[n.custom.id] := n if {
	input.live_migration
	n := rego.metadata.rule()
}

# METADATA
# title: Very high availability
# description: The business asks for 99.99 % or more. Virtualisation platforms bring load balancing, high availability, fault tolerance, migration and data protection proven in production behind promises of five nines, while container availability rests on redeploying quickly.
# custom:
#   id: operations.very_high_availability
#   kind: preference
#   capability: mature_ha
#   weight: 20
#   title_zh: 极高的可用性
#   summary_zh: 业务要求 99.99% 或更高的可用性。虚拟化平台具备经过生产验证的负载均衡、高可用、容错、迁移和数据保护能力，可承诺五个九，而容器的可用性依靠快速重新部署。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
preferences[p.custom.id] := p if {
	input.availability_target >= 99.99
	p := rego.metadata.rule()
}

# METADATA
# title: Mature central management expected
# description: Operations expect central management of the vCenter kind. Virtualisation has mature consoles that manage every VM from one place, while centralised container management tools are still young.
# custom:
#   id: operations.central_management
#   kind: preference
#   capability: central_management
#   weight: 15
#   title_zh: 要求成熟的集中管理
#   summary_zh: 运维要求 vCenter 一类的集中管理。虚拟化有成熟的管理控制台，可在一处管理所有虚拟机，而容器的集中管理工具尚不成熟。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
preferences[p.custom.id] := p if {
	input.central_management
	p := rego.metadata.rule()
}

# METADATA
# title: Orchestrator already available
# description: An orchestrator such as Kubernetes is already in place; it takes on the scheduling and management that otherwise make many containers hard to run in production.
# custom:
#   id: operations.orchestrator_available
#   kind: preference
#   capability: orchestration
#   weight: 10
#   title_zh: 已有编排工具
#   summary_zh: 已有 Kubernetes 等编排工具；它承担调度与管理，否则大量容器在生产环境中很难运行。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
preferences[p.custom.id] := p if {
	input.orchestrator != "none"
	p := rego.metadata.rule()
}

# METADATA
# title: Many containers without an orchestrator
# description: The answer runs many application containers and no orchestrator is in place. Managing that many containers in production by hand gets complex quickly, so plan for an orchestrator such as Kubernetes or Mesos.
# custom:
#   id: operations.no_orchestrator
#   kind: warning
#   applies_to: [container, containers_in_vms, side_by_side]
#   title_zh: 大量容器却没有编排工具
#   summary_zh: 该方案要运行大量应用容器，却还没有编排工具。在生产环境中手工管理这么多容器很快会变得复杂，应规划 Kubernetes 或 Mesos 等编排工具。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
warnings[w.custom.id] := w if {
	input.orchestrator == "none"
	not input.full_os
	_many_containers
	w := rego.metadata.rule()
}

# METADATA
# title: Team without container experience
# description: The operating team has no container experience. Container technology is young and expertise is scarce, so such a team will take longer over every problem; that tilts a close call towards virtual machines.
# custom:
#   id: operations.team_without_container_experience
#   kind: preference
#   capability: familiar_tooling
#   weight: 10
#   title_zh: 团队缺乏容器经验
#   summary_zh: 运维团队没有容器经验。容器技术较新、熟练人员稀缺，这样的团队处理每个问题都会更慢，因此在难分高下时倾向虚拟机。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
preferences[p.custom.id] := p if {
	input.team_container_experience == "none"
	p := rego.metadata.rule()
}

# METADATA
# title: Container skills are scarce
# description: Containers are part of the answer and the team has no experience with them; budget for training or outside expertise, since experienced people are hard to find.
# custom:
#   id: operations.container_skills_scarce
#   kind: warning
#   applies_to: [container, hybrid]
#   title_zh: 容器人才稀缺
#   summary_zh: 方案中包含容器，而团队对此没有经验；应为培训或外部专家预留预算，因为有经验的人员很难找到。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
warnings[w.custom.id] := w if {
	input.team_container_experience == "none"
	w := rego.metadata.rule()
}

# METADATA
# title: A whole OS with several services per instance
# description: Each instance runs several services like a whole operating system (init, cron, sshd). Application containers are built to package and run one process; a whole OS per instance needs a virtual machine or an OS container such as LXC or OpenVZ.
# custom:
#   id: operations.full_os
#   kind: need
#   capability: whole_os
#   weight: 40
#   title_zh: 每个实例是带多个服务的完整操作系统
#   summary_zh: 每个实例像完整操作系统一样运行多个服务（init、cron、sshd）。应用容器的设计是打包并运行单个进程；每个实例一个完整操作系统，需要虚拟机或 LXC、OpenVZ 这类操作系统容器。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 应用容器 — 应用程序容器旨在作为单个进程进行打包和运行服务
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器 — 要创建操作系统容器
needs[n.custom.id] := n if {
	input.full_os
	n := rego.metadata.rule()
}

# METADATA
# title: Build the OS containers from templates
# description: The answer runs whole-OS instances in OS containers. OS containers pay off when many systems share one configuration, so build every instance from one template instead of configuring each by hand.
# custom:
#   id: operations.os_container_templates
#   kind: warning
#   applies_to: [container, containers_in_vms, orchestrator_in_vms]
#   title_zh: 用模板构建操作系统容器
#   summary_zh: 该方案用操作系统容器承载完整操作系统式的实例。操作系统容器在大量系统配置相同时最有价值，应从同一个模板构建每个实例，而不是逐个手工配置。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 当需要配置大量具有相同配置的操作系统时,操作系统容器就会非常有用
warnings[w.custom.id] := w if {
	input.full_os
	w := rego.metadata.rule()
}

# METADATA
# title: Keep VM capacity ready
# description: The containers start fast inside VMs that are already running, but a VM booted for new capacity or for a new tenant takes minutes; keep spare VM capacity running ahead of demand, or the start-up SLA and the scaling stop at the VM layer.
# custom:
#   id: operations.warm_vm_capacity
#   kind: warning
#   applies_to: [containers_in_vms, orchestrator_in_vms]
#   title_zh: 预留虚拟机容量
#   summary_zh: 容器在已运行的虚拟机内启动很快，但为新增容量或新租户启动的虚拟机需要几分钟；应提前保持足够的空闲虚拟机容量，否则启动时间要求和弹性伸缩会卡在虚拟机这一层。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
warnings[w.custom.id] := w if {
	_fast_capacity
	w := rego.metadata.rule()
}

_fast_capacity if input.startup_sla_ms < 60000

_fast_capacity if input.scaling == "elastic"

_many_containers if input.architecture == "microservices"

_many_containers if input.scaling == "elastic"

_many_containers if input.density == "high"

_many_containers if input.instances >= 20
