# METADATA
# title: VMs and containers side by side
# description: VMs and containers run next to each other on the same hosts; the parts that need another OS or a kernel of their own run in VMs, the light services beside them in containers. It fits only a workload made of parts of both kinds.
# custom:
#   id: side_by_side
#   title_zh: 虚拟机与容器并行
#   summary_zh: 虚拟机与容器在同一批主机上并行运行；需要其他操作系统或自有内核的部分放进虚拟机，轻量服务在旁边以容器运行。它只适合由这两类部分组成的工作负载。
package advise.placements.side_by_side

import data.advise.lib

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "hybrid"

# METADATA
# title: Pattern
# description: The hybrid pattern this placement is.
pattern := "side_by_side"

# METADATA
# title: Container form
# description: The light services run as application containers.
container_form := "application"

# METADATA
# title: Applicable
# description: Side by side is an answer only for a workload whose components are of both kinds, some needing what only a VM gives, the others light services.
default applicable := false

applicable if input.mixed_components

# METADATA
# title: VMs for the parts that need them
# description: The components that need another operating system, a kernel of their own or a whole OS run in VMs on the same hosts as the containers.
# custom:
#   id: side_by_side.vms_for_those_parts
#   kind: statement
#   degree: 1
#   title_zh: 需要虚拟机的部分放进虚拟机
#   summary_zh: 需要其他操作系统、自有内核或完整系统的组件，运行在与容器同一批主机上的虚拟机里。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器与虚拟机并行使用
serves[c] := s if {
	some c in {"other_os", "own_kernel", "whole_os"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Containers for the light services
# description: The light services and microservices run as containers straight on the hosts beside the VMs, with everything containers give them, one service per versioned image, the same environment in every stage, namespaces per component, dense packing, fast scaling under the orchestrator in place, near bare-metal speed and no VM walls where none are needed; only the components that need them pay for VMs.
# custom:
#   id: side_by_side.containers_for_light_services
#   kind: statement
#   degree: 1
#   title_zh: 轻量服务用容器运行
#   summary_zh: 轻量服务和微服务以容器形式直接运行在宿主机上、虚拟机旁边，享有容器的一切长处：每个服务一个带版本的镜像、各阶段相同的运行环境、按组件划分的命名空间、紧密排布、在现有编排工具下快速伸缩、接近裸机的速度，而且不需要隔离墙的地方没有虚拟机墙；只有需要虚拟机的组件才为虚拟机付出代价。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器与虚拟机并行使用
#     - source: 003_681de61063999d7b.txt
#       locator: docker is lighter
serves[c] := s if {
	some c in {"one_service_per_unit", "versioned_images", "packaged_environment", "namespaces", "density", "elastic", "near_native", "orchestration", "light_separation"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The containers stand on the bare hosts
# description: The containers run straight on the hosts beside the VMs; no VM wall stands around them, root in them is root on the host, and they restart rather than migrate.
# custom:
#   id: side_by_side.containers_on_the_hosts
#   kind: statement
#   degree: 0
#   title_zh: 容器直接运行在宿主机上
#   summary_zh: 容器在虚拟机旁边直接运行在宿主机上；它们外面没有虚拟机隔离墙，容器里的 root 就是宿主机的 root，而且它们只能重启，不能迁移。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
serves[c] := s if {
	some c in {"tenant_walls", "host_protected", "strict_isolation", "hardware_isolation", "root_contained", "live_migration"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The VM parts boot in minutes
# description: The components in VMs boot their operating system in minutes, so the workload as a whole does not start within seconds.
# custom:
#   id: side_by_side.vm_parts_boot
#   kind: statement
#   degree: 0
#   title_zh: 虚拟机部分需要几分钟启动
#   summary_zh: 虚拟机里的组件要花几分钟引导操作系统，因此整个工作负载无法在数秒内启动。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
serves[c] := s if {
	some c in {"starts_in_milliseconds", "starts_in_seconds"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The platform covers the VM parts
# description: The virtualisation platform's high availability, fault tolerance and central console cover the components in VMs; the containers beside them rely on redeployment and on younger tools.
# custom:
#   id: side_by_side.platform_covers_the_vm_parts
#   kind: statement
#   degree: 0.5
#   title_zh: 平台只覆盖虚拟机部分
#   summary_zh: 虚拟化平台的高可用、容错和集中管理控制台覆盖的是虚拟机里的组件；旁边的容器仍依赖重新部署和尚不成熟的工具。
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
# title: Two platforms to run
# description: Both platforms must be run, VMs and containers, so the team needs container skills as well, and containers on Microsoft hosts stay clumsy.
# custom:
#   id: side_by_side.two_platforms
#   kind: statement
#   degree: 0
#   title_zh: 要运维两个平台
#   summary_zh: 虚拟机和容器两个平台都要运维，团队同样需要容器技能，而在微软宿主机上运行容器依旧别扭。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
serves[c] := s if {
	some c in {"familiar_tooling", "native_windows"}
	s := lib.statement(rego.metadata.rule())
}
