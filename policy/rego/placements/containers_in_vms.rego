# METADATA
# title: Containers inside VMs
# description: The containers run inside virtual machines, grouped by tenant, trust boundary or OS; the VMs supply the isolation and the operating system, the containers the fast start-up, density and packaging.
# custom:
#   id: containers_in_vms
#   title_zh: 容器运行在虚拟机内
#   summary_zh: 容器运行在虚拟机内部，按租户、信任边界或操作系统分组；虚拟机提供隔离和操作系统，容器提供快速启动、高密度和打包能力。
package advise.placements.containers_in_vms

import data.advise.lib

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "hybrid"

# METADATA
# title: Pattern
# description: The hybrid pattern this placement is.
pattern := "containers_in_vms"

# METADATA
# title: Container form
# description: OS containers inside the VMs where every instance runs a whole OS, application containers otherwise.
container_form := "os" if input.full_os

else := "application"

# METADATA
# title: The VMs wall off the containers
# description: The VMs around the containers supply the isolation; each tenant or trust boundary gets VMs of its own, kept apart by the hypervisor and by CPU virtualisation, so a breach or a root inside a container reaches at most its own VM.
# custom:
#   id: containers_in_vms.vm_walls
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机把容器隔开
#   summary_zh: 包在容器外面的虚拟机提供隔离；每个租户或信任边界拥有自己的虚拟机，由 Hypervisor 和 CPU 虚拟化彼此隔开，因此容器内的入侵或 root 最多只能触及其所在的虚拟机。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
serves[c] := s if {
	some c in {"tenant_walls", "host_protected", "strict_isolation", "hardware_isolation", "root_contained"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The VMs carry the OS
# description: The VMs run the operating system, the kernel or the whole OS the workload needs, and the containers run on top of it, as containers can run on cloud hardware or inside VMs alike.
# custom:
#   id: containers_in_vms.vms_carry_the_os
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机承载操作系统
#   summary_zh: 虚拟机运行工作负载所需的操作系统、内核或完整系统，容器运行在其之上；容器既可以跑在云硬件上，也可以跑在虚拟机里。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器在在云硬件(或虚拟机)中可以被复用
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器运行的是不完整的操作系统(尽管它们可以),虚拟机必须运行完整的
serves[c] := s if {
	some c in {"other_os", "own_kernel", "whole_os"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The containers move with their VM
# description: The hypervisor moves a running VM to another host without interrupting it, and the containers inside move with it.
# custom:
#   id: containers_in_vms.vms_migrate
#   kind: statement
#   degree: 1
#   title_zh: 容器随所在虚拟机迁移
#   summary_zh: Hypervisor 可以不中断地把运行中的虚拟机迁移到其他主机，其中的容器也随之迁移。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 非中断地支持多工作负载迁移的能力是Hypervisor的基本功能
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
serves["live_migration"] := lib.statement(rego.metadata.rule())

# METADATA
# title: The containers keep what containers give
# description: Inside running VMs the containers keep what containers give, start-up in milliseconds to seconds, one service per versioned image, the same environment in every stage and namespaces per component, and with them the flexibility of deployment.
# custom:
#   id: containers_in_vms.containers_inside
#   kind: statement
#   degree: 1
#   title_zh: 容器保留容器的长处
#   summary_zh: 在已运行的虚拟机里，容器保留了容器的长处：毫秒到数秒的启动、每个服务一个带版本的镜像、各阶段相同的运行环境和按组件划分的命名空间，以及由此而来的部署灵活性。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器在在云硬件(或虚拟机)中可以被复用
serves[c] := s if {
	some c in {"starts_in_milliseconds", "starts_in_seconds", "one_service_per_unit", "versioned_images", "packaged_environment", "namespaces"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: A guest OS for every VM
# description: Containers pack densely inside each VM, but every VM adds a whole guest OS of hundreds of megabytes, paid once per tenant, trust boundary or OS; the split packs less than containers alone.
# custom:
#   id: containers_in_vms.guest_os_per_vm
#   kind: statement
#   degree: 0.5
#   title_zh: 每台虚拟机一个客户机系统
#   summary_zh: 容器在每台虚拟机内可以紧密排布，但每台虚拟机都额外带一个数百 MB 的完整客户机系统，每个租户、信任边界或操作系统都要付一次；这种拆分的密度不及单纯的容器。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 从操作系统(Guest Operating System)
#     - source: 004_c47ec412e6d24774.txt
#       locator: 客户机操作系统(Guest Operating System)
serves["density"] := lib.statement(rego.metadata.rule())

# METADATA
# title: The hypervisor stays in the path
# description: The containers run on a guest kernel above the hypervisor, so they pay the virtualisation overhead that containers on bare hosts avoid.
# custom:
#   id: containers_in_vms.hypervisor_in_the_path
#   kind: statement
#   degree: 0
#   title_zh: Hypervisor 仍在路径上
#   summary_zh: 容器运行在 Hypervisor 之上的客户机内核里，因此要承担直接跑在宿主机上的容器所避开的虚拟化开销。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: From an architectural point of view
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 性能
serves["near_native"] := lib.statement(rego.metadata.rule())

# METADATA
# title: Scaling inside fixed VMs
# description: Containers are added and released quickly inside the running VMs, but with nothing to place them across VMs and new VMs taking minutes to boot, the workload scales elastically only within the capacity already running.
# custom:
#   id: containers_in_vms.fixed_vms
#   kind: statement
#   degree: 0.5
#   title_zh: 在固定的虚拟机内伸缩
#   summary_zh: 容器在已运行的虚拟机内可以快速增减，但没有工具跨虚拟机安排它们，新虚拟机又要几分钟才能启动，因此工作负载只能在已运行的容量之内弹性伸缩。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器需要毫秒分配,虚拟机需要几分钟
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
serves["elastic"] := lib.statement(rego.metadata.rule())

# METADATA
# title: No orchestrator in this pattern
# description: This pattern places the containers in the VMs without an orchestrator; running an orchestrator such as Kubernetes inside the VMs is the pattern that puts one to work.
# custom:
#   id: containers_in_vms.no_orchestrator
#   kind: statement
#   degree: 0
#   title_zh: 此模式不使用编排工具
#   summary_zh: 这一模式把容器放进虚拟机，但不使用编排工具；在虚拟机内运行 Kubernetes 等编排工具，才是让编排工具发挥作用的模式。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
serves["orchestration"] := lib.statement(rego.metadata.rule())

# METADATA
# title: The platform covers the VMs
# description: The virtualisation platform's high availability, fault tolerance and central console cover the VMs, not the containers inside them, which still rely on redeployment and on younger tools.
# custom:
#   id: containers_in_vms.platform_covers_the_vms
#   kind: statement
#   degree: 0.5
#   title_zh: 平台只覆盖虚拟机
#   summary_zh: 虚拟化平台的高可用、容错和集中管理控制台覆盖的是虚拟机，而不是其中的容器；容器仍依赖重新部署和尚不成熟的工具。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
serves[c] := s if {
	some c in {"mature_ha", "central_management"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Two layers to run
# description: The split runs two layers, VMs and containers; the team needs container skills as well, VM walls are paid even where one organisation would not need them, and Windows containers inside the VMs stay as clumsy as anywhere on Microsoft platforms.
# custom:
#   id: containers_in_vms.two_layers
#   kind: statement
#   degree: 0
#   title_zh: 要运维两层
#   summary_zh: 这种拆分要运维虚拟机和容器两层；团队同样需要容器技能，即便同一组织并不需要，也要为虚拟机隔离墙付出代价，而虚拟机里的 Windows 容器也和在任何微软平台上一样别扭。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 离目标进程越远,隔离会变得更昂贵
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
serves[c] := s if {
	some c in {"familiar_tooling", "light_separation", "native_windows"}
	s := lib.statement(rego.metadata.rule())
}
