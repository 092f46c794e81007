# METADATA
# title: Containers
# description: Each instance runs as an application container straight on the hosts, sharing their kernel.
# custom:
#   id: container
#   title_zh: 容器
#   summary_zh: 每个实例作为应用容器直接运行在宿主机上，与宿主机共用内核。
package advise.placements.container

import data.advise.lib

# METADATA
# title: Recommendation
# description: The answer this placement gives.
recommendation := "container"

# METADATA
# title: Container form
# description: Application containers, one process each.
container_form := "application"

# METADATA
# title: Containers share the host's kernel
# description: Every container runs on its host's kernel, so containers straight on the hosts cannot run another operating system or a kernel of their own.
# custom:
#   id: container.shared_kernel
#   kind: statement
#   degree: 0
#   title_zh: 容器共用宿主机内核
#   summary_zh: 每个容器都运行在宿主机的内核上，因此直接跑在宿主机上的容器无法运行其他操作系统，也无法使用自己的内核。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: The container contains the application and all of its dependent packages
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器 — 如上所述,容器共享宿主机的内核
serves[c] := s if {
	some c in {"other_os", "own_kernel"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Walls between processes
# description: Containers are processes on one shared kernel, kept apart by namespaces and cgroups; they are less isolated than VMs, and whoever holds the shared kernel can see every container on the host.
# custom:
#   id: container.process_walls
#   kind: statement
#   degree: 0
#   title_zh: 进程之间的隔离墙
#   summary_zh: 容器是共享同一内核的进程，靠命名空间和控制组相互隔开；其隔离弱于虚拟机，掌握共享内核的一方能看到宿主机上的所有容器。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker有着小巧、迁移部署快速、运行高效等特点,但隔离性比服务器虚拟化差
serves[c] := s if {
	some c in {"tenant_walls", "host_protected", "strict_isolation"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: No hardware walls, and root is the host's
# description: Containers have no hardware isolation of any kind, and root in a container is root on the host.
# custom:
#   id: container.no_hardware_walls
#   kind: statement
#   degree: 0
#   title_zh: 没有硬件隔离，root 即宿主机的 root
#   summary_zh: 容器没有任何形式的硬件隔离，容器里的 root 就是宿主机的 root。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
serves[c] := s if {
	some c in {"hardware_isolation", "root_contained"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Availability by redeploying
# description: Containers stay available by being redeployed quickly, which restarts them; they do not move while they run, and they lack the production-proven high availability of virtualisation.
# custom:
#   id: container.redeployed
#   kind: statement
#   degree: 0
#   title_zh: 靠重新部署保持可用
#   summary_zh: 容器靠快速重新部署保持可用，这意味着重启；它们无法在运行中迁移，也缺少虚拟化那种经过生产验证的高可用能力。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
serves[c] := s if {
	some c in {"live_migration", "mature_ha"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Young central management
# description: Centralised management tools for containers are not yet mature.
# custom:
#   id: container.young_management
#   kind: statement
#   degree: 0
#   title_zh: 集中管理尚不成熟
#   summary_zh: 容器的集中管理工具尚不成熟。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: Manageability
serves["central_management"] := lib.statement(rego.metadata.rule())

# METADATA
# title: Containers start fast
# description: A container starts in milliseconds to seconds with no operating system to boot, so instances are added, rebalanced and released as fast as the load changes.
# custom:
#   id: container.fast_start
#   kind: statement
#   degree: 1
#   title_zh: 容器启动迅速
#   summary_zh: 容器无需引导操作系统，启动只需毫秒到数秒，因此实例可以随负载变化迅速增加、重新平衡和释放。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信
#     - source: 003_681de61063999d7b.txt
#       locator: docker starts up quickly in seconds
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器需要毫秒分配,虚拟机需要几分钟
serves[c] := s if {
	some c in {"starts_in_milliseconds", "starts_in_seconds", "elastic"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: No guest OS, no hypervisor
# description: Containers carry no guest operating system and no hypervisor layer; they take little memory, so many more fit on a host, and they run close to bare-metal speed.
# custom:
#   id: container.no_guest_os
#   kind: statement
#   degree: 1
#   title_zh: 没有客户机系统，也没有 Hypervisor
#   summary_zh: 容器不携带客户机操作系统，也没有 Hypervisor 层；它们占用内存很少，一台主机能放下多得多的实例，运行速度也接近裸机。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: docker is lighter
#     - source: 003_681de61063999d7b.txt
#       locator: From an architectural point of view
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器比虚拟机使用更少的闲置资源
serves[c] := s if {
	some c in {"density", "near_native"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Versioned images, one service each
# description: Each service ships as a versioned image that carries its dependencies and is built from a Dockerfile, so services are upgraded on their own and every stage runs the same thing.
# custom:
#   id: container.images
#   kind: statement
#   degree: 1
#   title_zh: 带版本的镜像，每个一个服务
#   summary_zh: 每个服务以带版本的镜像交付，镜像携带其依赖并由 Dockerfile 构建，因此各服务可以独立升级，每个环境运行的都是同一份内容。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 2. 提高生产力
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 3. 版本控制
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的优点 — 4. 运行环境可移植
#     - source: 003_681de61063999d7b.txt
#       locator: Delivery, deployment
serves[c] := s if {
	some c in {"versioned_images", "packaged_environment", "one_service_per_unit"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Cheap walls between applications
# description: Namespaces give each application its own view of files and ports at little cost, and isolation this close to the process is cheap; between the applications of one organisation that is enough.
# custom:
#   id: container.cheap_walls
#   kind: statement
#   degree: 1
#   title_zh: 应用之间低成本的隔离
#   summary_zh: 命名空间以很低的代价让每个应用拥有自己的文件和端口视图，离进程这么近的隔离很便宜；对同一组织的各个应用来说已经足够。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器使用由Linux内核提供的命名空间
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 离目标进程越远,隔离会变得更昂贵
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker通常用于隔离不同的应用
serves[c] := s if {
	some c in {"namespaces", "light_separation"}
	s := lib.statement(rego.metadata.rule())
}

# METADATA
# title: Orchestrators manage containers
# description: Orchestrators such as Kubernetes or Mesos schedule and manage containers at the scale where managing them by hand becomes a burden.
# custom:
#   id: container.orchestration
#   kind: statement
#   degree: 1
#   title_zh: 编排工具管理容器
#   summary_zh: Kubernetes、Mesos 等编排工具在容器多到难以手工管理时负责调度和管理它们。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 1. 复杂性增加
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 虚拟机内运行容器编排工具
serves["orchestration"] := lib.statement(rego.metadata.rule())

# METADATA
# title: Container skills are needed
# description: Containers ask for skills that are still scarce; a team without them will take longer over every problem.
# custom:
#   id: container.new_skills
#   kind: statement
#   degree: 0
#   title_zh: 需要容器技能
#   summary_zh: 容器要求团队具备仍然稀缺的技能；没有这些技能的团队处理每个问题都会更慢。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 3. 不成熟
serves["familiar_tooling"] := lib.statement(rego.metadata.rule())

# METADATA
# title: Containers are Linux-native
# description: Most container technology is built on Linux containers; on Microsoft platforms containers are clumsier and add day-to-day complexity.
# custom:
#   id: container.linux_native
#   kind: statement
#   degree: 0
#   title_zh: 容器以 Linux 为原生平台
#   summary_zh: 大多数容器技术建立在 Linux 容器之上；在微软平台上运行容器更别扭，也增加日常的复杂度。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
serves["native_windows"] := lib.statement(rego.metadata.rule())

# METADATA
# title: One process per application container
# description: An application container is built to package and run a single process, not the services of a whole operating system.
# custom:
#   id: container.one_process
#   kind: statement
#   degree: 0
#   title_zh: 每个应用容器一个进程
#   summary_zh: 应用容器的设计是打包并运行单个进程，而不是一个完整操作系统的各项服务。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 应用容器 — 应用程序容器旨在作为单个进程进行打包和运行服务
serves["whole_os"] := lib.statement(rego.metadata.rule())
