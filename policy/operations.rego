# METADATA
# title: Operations factors
# description: Availability, management, orchestration and the skills of the team that runs the workload.
package advise.factors.operations

# METADATA
# title: Live migration without restart
# description: Moving a running workload between hosts without stopping it is a basic hypervisor feature; containers reach availability by redeploying quickly, which means a restart.
# custom:
#   id: operations.live_migration
#   kind: constraint
#   favors: vm
#   excludes: container
#   weight: 30
#   conflict_side: vm
#   summary_zh: 在不停机的情况下把运行中的工作负载迁移到其他主机是 Hypervisor 的基本能力；容器依靠快速重新部署实现可用性，也就意味着要重启。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
#     - source: 002_687a735013d0ae0c.txt
#       locator: Hypervisor是一种运行在物理服务器和操作系统之间的中间软件层
constraints[c.custom.id] := c if {
	input.live_migration
	c := rego.metadata.rule()
}

# METADATA
# title: Very high availability
# description: Virtualisation platforms have proven load balancing, high availability, fault tolerance and data protection behind availability promises of five nines, while container availability rests on fast redeployment.
# custom:
#   id: operations.very_high_availability
#   kind: reason
#   favors: vm
#   weight: 20
#   summary_zh: 虚拟化平台在负载均衡、高可用、容错和数据保护方面久经生产验证，可承诺五个九的可用性，而容器的可用性依赖快速重新部署。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
reasons[r.custom.id] := r if {
	input.availability_target >= 99.99
	r := rego.metadata.rule()
}

# METADATA
# title: Mature central management expected
# description: Virtualisation comes with mature central management consoles of the vCenter kind, while centralised container management tools are younger.
# custom:
#   id: operations.central_management
#   kind: reason
#   favors: vm
#   weight: 15
#   summary_zh: 虚拟化有 vCenter 一类成熟的集中管理工具，而容器的集中管理工具尚不成熟。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
reasons[r.custom.id] := r if {
	input.central_management
	r := rego.metadata.rule()
}

# METADATA
# title: Orchestrator already available
# description: An orchestrator such as Kubernetes already in place takes on the scheduling and management that otherwise make many containers hard to run.
# custom:
#   id: operations.orchestrator_available
#   kind: reason
#   favors: container
#   weight: 10
#   summary_zh: 已有 Kubernetes 等编排工具负责调度和管理，承担了大量容器原本带来的管理难题。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
reasons[r.custom.id] := r if {
	input.orchestrator != "none"
	r := rego.metadata.rule()
}

# METADATA
# title: Many containers without an orchestrator
# description: Managing many containers in production by hand gets complex quickly; plan for an orchestrator such as Kubernetes or Mesos.
# custom:
#   id: operations.no_orchestrator
#   kind: warning
#   applies_to: [container, hybrid]
#   summary_zh: 在生产环境中手工管理大量容器很快会变得复杂，应规划 Kubernetes 或 Mesos 等编排工具。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
warnings[w.custom.id] := w if {
	input.orchestrator == "none"
	_many_containers
	w := rego.metadata.rule()
}

# METADATA
# title: Team without container experience
# description: Container technology is young and expertise is scarce, so a team new to it will take longer to solve problems; that tilts a close call towards virtual machines.
# custom:
#   id: operations.team_without_container_experience
#   kind: reason
#   favors: vm
#   weight: 10
#   summary_zh: 容器技术较新、熟练人员稀缺，缺乏容器经验的团队解决问题会更慢，因此在难分高下时倾向虚拟机。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
reasons[r.custom.id] := r if {
	input.team_container_experience == "none"
	r := rego.metadata.rule()
}

# METADATA
# title: Container skills are scarce
# description: If containers are adopted, budget for training or outside expertise, since the team has none and experienced people are hard to find.
# custom:
#   id: operations.container_skills_scarce
#   kind: warning
#   applies_to: [container, hybrid]
#   summary_zh: 若采用容器，应为培训或外部专家预留预算，因为团队缺乏经验且有经验的人员难找。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
warnings[w.custom.id] := w if {
	input.team_container_experience == "none"
	w := rego.metadata.rule()
}

# METADATA
# title: Full OS with several services
# description: Application containers are built to run one service or process; an instance that runs several services like a whole OS fits a virtual machine or an OS container.
# custom:
#   id: operations.full_os
#   kind: reason
#   favors: vm
#   weight: 20
#   summary_zh: 应用容器的设计是只运行一个服务或进程；像完整操作系统那样运行多个服务的实例更适合虚拟机或操作系统容器。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 应用容器 — 应用程序容器旨在作为单个进程进行打包和运行服务
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器
reasons[r.custom.id] := r if {
	input.full_os
	r := rego.metadata.rule()
}

# METADATA
# title: Use OS containers, not application containers
# description: If containers are used for a full-OS instance, choose OS containers such as LXC or OpenVZ, which run many services per instance, rather than one-process application containers.
# custom:
#   id: operations.use_os_containers
#   kind: warning
#   applies_to: [container, hybrid]
#   summary_zh: 若用容器承载完整操作系统式的实例，应选择 LXC、OpenVZ 等可运行多个服务的操作系统容器，而不是单进程的应用容器。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器
warnings[w.custom.id] := w if {
	input.full_os
	w := rego.metadata.rule()
}

_many_containers if input.architecture == "microservices"

_many_containers if input.scaling == "elastic"

_many_containers if input.density == "high"

_many_containers if input.instances >= 20
