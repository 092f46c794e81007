# METADATA
# title: Isolation factors
# description: Who shares the platform, what they are allowed to do, and how hard the walls between them must be.
package advise.factors.isolation

# METADATA
# title: Tenants that do not trust each other
# description: Tenants who do not trust each other need the whole environment walled off; virtual machines do that, which is why cloud providers separate their users with VMs while containers separate the parts of one application.
# custom:
#   id: isolation.untrusted_tenants
#   kind: reason
#   favors: vm
#   weight: 40
#   conflict_side: vm
#   summary_zh: 互不信任的租户需要把整个运行环境彻底隔开；虚拟机能做到这一点，云服务商也因此用虚拟机隔离用户，而容器用于隔离同一应用的各个部分。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 因此,我们需要根据不同的应用场景和需求
#     - source: 004_c47ec412e6d24774.txt
#       locator: Docker守护进程可以直接与主操作系统进行通信 — 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
reasons[r.custom.id] := r if {
	input.multi_tenant
	not input.tenants_trusted
	r := rego.metadata.rule()
}

# METADATA
# title: One organisation on the hosts
# description: When everything on a host belongs to one organisation, containers give enough separation between applications and keep their advantages.
# custom:
#   id: isolation.single_organisation
#   kind: reason
#   favors: container
#   weight: 10
#   summary_zh: 同一宿主机上的实例都属于同一组织时，容器提供的应用间隔离已经足够，同时保留容器的各项优势。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 因此,我们需要根据不同的应用场景和需求
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker通常用于隔离不同的应用
reasons[r.custom.id] := r if {
	_single_organisation
	r := rego.metadata.rule()
}

# METADATA
# title: Runs code it does not control
# description: In a virtual machine a vulnerability in the application does not put the host at risk, which matters when the workload executes code supplied by others.
# custom:
#   id: isolation.untrusted_code
#   kind: reason
#   favors: vm
#   weight: 30
#   conflict_side: vm
#   summary_zh: 在虚拟机中，应用自身的漏洞不会威胁宿主机；工作负载要执行他人提供的代码时，这一点尤为重要。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
reasons[r.custom.id] := r if {
	input.untrusted_code
	r := rego.metadata.rule()
}

# METADATA
# title: Root or privileged access
# description: Root inside a container is root on the host and breaking out of a container usually needs root, whereas root inside a VM stays separate from the host.
# custom:
#   id: isolation.requires_root
#   kind: reason
#   favors: vm
#   weight: 25
#   conflict_side: vm
#   summary_zh: 容器内的 root 就是宿主机的 root，逃逸容器通常也需要 root 权限；虚拟机内的 root 与宿主机相互独立。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 有几个方法可以摆脱容器的束缚
reasons[r.custom.id] := r if {
	input.requires_root
	r := rego.metadata.rule()
}

# METADATA
# title: Do not run the application as root in a container
# description: If the workload runs in containers, drop root inside them and lock down root access, because container escapes usually start from root.
# custom:
#   id: isolation.no_root_in_containers
#   kind: warning
#   applies_to: [container, hybrid]
#   summary_zh: 若在容器中运行，应避免以 root 运行应用并收紧 root 权限，因为容器逃逸通常以 root 权限为前提。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 不要以root运行应用程序
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
warnings[w.custom.id] := w if {
	input.requires_root
	w := rego.metadata.rule()
}

# METADATA
# title: Strict isolation demanded
# description: Each virtual machine has its own kernel and its own memory, disk and network, while containers share one kernel and are separated by namespaces and cgroups, so VMs isolate more strictly.
# custom:
#   id: isolation.strict
#   kind: reason
#   favors: vm
#   weight: 20
#   conflict_side: vm
#   summary_zh: 每台虚拟机拥有独立的内核以及内存、磁盘和网络资源，而容器共享同一内核、靠命名空间和控制组隔离，因此虚拟机的隔离更严格。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
reasons[r.custom.id] := r if {
	input.isolation in {"strict", "hardware"}
	r := rego.metadata.rule()
}

# METADATA
# title: Hardware-enforced isolation demanded
# description: Virtual machines are kept apart by CPU virtualisation features such as VT-x and VT-d; containers have no hardware isolation at all, so bare containers cannot meet this demand.
# custom:
#   id: isolation.hardware
#   kind: constraint
#   favors: vm
#   excludes: container
#   weight: 40
#   conflict_side: vm
#   summary_zh: 虚拟机依靠 VT-x、VT-d 等 CPU 虚拟化特性相互隔离，容器没有任何硬件隔离，因此单纯的容器无法满足这一要求。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式
constraints[c.custom.id] := c if {
	input.isolation == "hardware"
	c := rego.metadata.rule()
}

# METADATA
# title: Namespaces per component
# description: Namespaces let each component see only its own files and ports, and small per-component images shrink what an attacker can reach, which suits a workload split into parts that trust each other.
# custom:
#   id: isolation.component_namespaces
#   kind: reason
#   favors: container
#   weight: 10
#   summary_zh: 命名空间使每个组件只能看到自己的文件和端口，按组件拆分的小镜像也缩小了攻击面，适合由互相信任的多个部分组成的工作负载。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果容器内的进程扫描文件系统来寻找要窃取的东西
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果容器内的进程中想尝试做一些恶意的事情,比如打开端口31337后门服务
#     - source: 000_52410bb239ef2d82.txt
#       locator: 推荐文章 — 你的镜像安全吗?
reasons[r.custom.id] := r if {
	_single_organisation
	input.isolation == "standard"
	input.architecture in {"microservices", "batch"}
	r := rego.metadata.rule()
}

_single_organisation if not input.multi_tenant

_single_organisation if input.tenants_trusted
