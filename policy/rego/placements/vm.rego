# METADATA
# title: Virtual machines
# description: Each instance runs in a virtual machine of its own, with its own operating system and kernel on virtual hardware.
# custom:
#   id: vm
#   title_zh: 虚拟机
#   summary_zh: 每个实例运行在自己的虚拟机中，在虚拟硬件上拥有自己的操作系统和内核。
package advise.placements.vm

import data.advise.lib

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "vm"

# METADATA
# title: A VM runs its own OS and kernel
# description: Each VM boots an operating system and a kernel of its own on virtual hardware, so it can run another OS than its host's, such as Windows on Linux, or the kernel and modules the workload needs.
# custom:
#   id: vm.own_os_and_kernel
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机运行自己的操作系统和内核
#   summary_zh: 每台虚拟机在虚拟硬件上引导自己的操作系统和内核，因此可以运行与宿主机不同的操作系统（例如在 Linux 上运行 Windows），或工作负载所需的内核与模块。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式；系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
serves[c] := s if {
	some c in {"other_os", "own_kernel"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: A VM walls off a whole environment
# description: A VM walls off a whole environment, with its own kernel, memory, disk and network; cloud providers keep their users apart this way, and a hole in the application does not reach the host.
# custom:
#   id: vm.walled_environment
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机隔开整个运行环境
#   summary_zh: 虚拟机把整个运行环境隔开，拥有自己的内核、内存、磁盘和网络；云服务商正是这样隔离用户的，应用自身的漏洞也不会殃及宿主机。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
serves[c] := s if {
	some c in {"tenant_walls", "host_protected", "strict_isolation"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Hardware walls between VMs
# description: VMs are kept apart by CPU virtualisation such as VT-x and VT-d, and root inside a VM is not the host's root.
# custom:
#   id: vm.hardware_walls
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机之间的硬件隔离
#   summary_zh: 虚拟机之间依靠 VT-x、VT-d 等 CPU 虚拟化特性相互隔离，虚拟机里的 root 也不是宿主机的 root。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
serves[c] := s if {
	some c in {"hardware_isolation", "root_contained"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: The virtualisation platform
# description: The hypervisor moves running VMs between hosts without interrupting them, and virtualisation platforms bring production-proven high availability, fault tolerance and data protection, with central consoles of the vCenter kind.
# custom:
#   id: vm.virtualisation_platform
#   kind: statement
#   degree: 1
#   title_zh: 虚拟化平台
#   summary_zh: Hypervisor 可以在不中断的情况下把运行中的虚拟机迁移到其他主机；虚拟化平台还具备经过生产验证的高可用、容错和数据保护能力，以及 vCenter 一类的集中管理控制台。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 非中断地支持多工作负载迁移的能力是Hypervisor的基本功能
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
serves[c] := s if {
	some c in {"live_migration", "mature_ha", "central_management"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: A VM runs a complete OS
# description: A VM always runs a complete operating system, with every service the instance needs.
# custom:
#   id: vm.complete_os
#   kind: statement
#   degree: 1
#   title_zh: 虚拟机运行完整的操作系统
#   summary_zh: 虚拟机总是运行完整的操作系统，实例需要的服务都可以在其中运行。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器运行的是不完整的操作系统(尽管它们可以),虚拟机必须运行完整的
serves["whole_os"] := lib.statement(rego.metadata.rule())

# METADATA
# title: Familiar ground
# description: VMs ask for no container skills, which are still scarce, and a Windows workload in a Windows VM avoids the clumsiness of containers on Microsoft platforms.
# custom:
#   id: vm.familiar_ground
#   kind: statement
#   degree: 1
#   title_zh: 熟悉的领域
#   summary_zh: 虚拟机不要求团队掌握仍然稀缺的容器技能，Windows 工作负载放进 Windows 虚拟机，也避开了在微软平台上运行容器的别扭之处。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
serves[c] := s if {
	some c in {"familiar_tooling", "native_windows"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: A VM boots an OS first
# description: A VM has to boot its operating system before it serves, which takes minutes, so new instances cannot be started, rebalanced and released at the pace of the load.
# custom:
#   id: vm.boots_an_os
#   kind: statement
#   degree: 0
#   title_zh: 虚拟机要先引导操作系统
#   summary_zh: 虚拟机在提供服务前要先引导操作系统，需要几分钟，因此新实例无法跟上负载的节奏去启动、重新平衡和释放。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器需要毫秒分配,虚拟机需要几分钟
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 部署和启动时间
serves[c] := s if {
	some c in {"starts_in_milliseconds", "starts_in_seconds", "elastic"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: A guest OS and a hypervisor per VM
# description: Every VM carries a whole guest OS of hundreds of megabytes before the application, and a hypervisor and a guest kernel sit between the application and the hardware, so fewer instances fit on a host and each runs slower than in a container.
# custom:
#   id: vm.guest_os_weight
#   kind: statement
#   degree: 0
#   title_zh: 每台虚拟机都有客户机系统和 Hypervisor
#   summary_zh: 每台虚拟机在应用之外都携带一个数百 MB 的完整客户机操作系统，应用与硬件之间还隔着 Hypervisor 和客户机内核，因此一台主机能放下的实例更少，每个实例也比在容器中运行得慢。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 从操作系统(Guest Operating System)
#     - source: 003_681de61063999d7b.txt
#       locator: From an architectural point of view
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 性能
serves[c] := s if {
	some c in {"density", "near_native"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: VM images are not release units
# description: VM images keep environments consistent, but distributing them is not systematic; there is no Dockerfile-recorded build that versions every release and carries one environment through every stage.
# custom:
#   id: vm.image_distribution
#   kind: statement
#   degree: 0
#   title_zh: 虚拟机镜像不是发布单元
#   summary_zh: 虚拟机镜像能保持环境一致，但其分发难以系统化；没有由 Dockerfile 记录的构建过程来给每次发布打上版本，并让同一环境贯穿各个阶段。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Delivery, deployment
serves[c] := s if {
	some c in {"versioned_images", "packaged_environment"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: No container units
# description: Running one service per VM would cost a guest OS per service; one-service units, namespaces per component and orchestrators such as Kubernetes are container mechanisms that VMs alone do not give.
# custom:
#   id: vm.no_container_units
#   kind: statement
#   degree: 0
#   title_zh: 没有容器这样的单元
#   summary_zh: 每个服务一台虚拟机，就要为每个服务付出一个客户机系统；单服务单元、按组件划分的命名空间以及 Kubernetes 等编排工具都是容器的机制，单靠虚拟机得不到。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 总结
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器使用由Linux内核提供的命名空间
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
serves[c] := s if {
	some c in {"one_service_per_unit", "namespaces", "orchestration"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Walls that cost more than they protect
# description: Isolation grows more expensive the further it sits from the process; a VM pays a whole guest OS for each wall, walls that the applications of one organisation do not need.
# custom:
#   id: vm.costly_walls
#   kind: statement
#   degree: 0
#   title_zh: 代价高于保护的隔离墙
#   summary_zh: 隔离离进程越远就越昂贵；虚拟机为每一道墙付出一个完整的客户机系统，而同一组织的各个应用并不需要这些墙。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 离目标进程越远,隔离会变得更昂贵
serves["light_separation"] := lib.statement(rego.metadata.rule())
