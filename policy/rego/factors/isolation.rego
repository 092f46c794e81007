# METADATA
# title: Isolation factors
# description: Who shares the platform, what the workload is allowed to do, and how hard the walls between instances must be.
package advise.factors.isolation

# METADATA
# title: Tenants that do not trust each other
# description: Tenants who do not trust each other need their whole environments walled off from one another; that is what virtual machines do, which is why cloud providers keep their users apart with VMs and use containers to separate the parts of one application.
# custom:
#   id: isolation.untrusted_tenants
#   kind: need
#   capability: tenant_walls
#   weight: 80
#   grouping: tenant
#   title_zh: 互不信任的租户
#   summary_zh: 互不信任的租户需要把各自的整个运行环境彼此隔开，这正是虚拟机所做的；云服务商也因此用虚拟机隔离用户，而用容器隔离同一应用的各个部分。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 对于隔离要求较高的环境如混合用户环境
#     - source: 004_c47ec412e6d24774.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
needs[n.custom.id] := n if {
	input.multi_tenant
	not input.tenants_trusted
	n := rego.metadata.rule()
}

# METADATA
# title: Runs code from outsiders
# description: The workload executes code that customers or other outsiders supply; inside a virtual machine a hole in that code does not put the host at risk, so the code needs a VM boundary around it.
# custom:
#   id: isolation.untrusted_code
#   kind: need
#   capability: host_protected
#   weight: 60
#   grouping: trust_boundary
#   title_zh: 运行外部方提供的代码
#   summary_zh: 工作负载会执行客户或其他外部方提供的代码；在虚拟机中，这些代码的漏洞不会威胁宿主机，因此这类代码外面需要一道虚拟机边界。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
needs[n.custom.id] := n if {
	input.untrusted_code
	n := rego.metadata.rule()
}

# METADATA
# title: Root or privileged access
# description: Root inside a container is root on its host, and breaking out of a container usually takes root, whereas root inside a virtual machine stays apart from the host's; a workload that needs root needs a VM boundary around it.
# custom:
#   id: isolation.requires_root
#   kind: need
#   capability: root_contained
#   weight: 50
#   grouping: trust_boundary
#   title_zh: 需要 root 或特权访问
#   summary_zh: 容器内的 root 就是其宿主机的 root，而逃逸容器通常正需要 root；虚拟机内的 root 与宿主机的 root 相互独立，因此需要 root 的工作负载外面需要一道虚拟机边界。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 有几个方法可以摆脱容器的束缚
needs[n.custom.id] := n if {
	input.requires_root
	n := rego.metadata.rule()
}

# METADATA
# title: Contain the root the workload needs
# description: Root is required, so keep it where it can do the least harm. Give root only to the containers that really need it and run the rest without it, since escapes from a container usually start from root; and keep each VM to one trust boundary, because root in a container is root of its VM, which stays apart from the host's root.
# custom:
#   id: isolation.contain_root
#   kind: warning
#   applies_to: [hybrid]
#   title_zh: 管住工作负载所需的 root
#   summary_zh: 工作负载需要 root，就要把它限制在危害最小的地方：只给确实需要的容器 root，其余容器不以 root 运行，因为容器逃逸通常从 root 开始；并让每台虚拟机只属于一个信任边界，因为容器里的 root 是所在虚拟机的 root，与宿主机的 root 相互独立。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 不要以root运行应用程序
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 有几个方法可以摆脱容器的束缚
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
warnings[w.custom.id] := w if {
	input.requires_root
	w := rego.metadata.rule()
}

# METADATA
# title: Strict isolation demanded
# description: Each virtual machine has its own kernel and its own memory, disk and network, while containers share one kernel and are kept apart by namespaces and cgroups, so VMs isolate more strictly. Containers do isolate, though, so a demand for strict isolation weighs towards VMs rather than ruling containers out.
# custom:
#   id: isolation.strict
#   kind: preference
#   capability: strict_isolation
#   weight: 20
#   grouping: trust_boundary
#   title_zh: 要求严格隔离
#   summary_zh: 每台虚拟机拥有独立的内核以及内存、磁盘和网络，而容器共享同一内核、靠命名空间和控制组相互隔离，因此虚拟机的隔离更严格；但容器同样有隔离，所以严格隔离的要求只是倾向虚拟机，而不排除容器。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 资源隔离
#     - source: 003_681de61063999d7b.txt
#       locator: Compared to a virtual machine, docker is less isolated
preferences[p.custom.id] := p if {
	input.isolation in {"strict", "hardware"}
	p := rego.metadata.rule()
}

# METADATA
# title: Hardware-enforced isolation demanded
# description: Virtual machines are kept apart by CPU virtualisation features such as VT-x and VT-d, while containers have no hardware isolation of any kind, so only a VM boundary meets this demand.
# custom:
#   id: isolation.hardware
#   kind: need
#   capability: hardware_isolation
#   weight: 80
#   grouping: trust_boundary
#   title_zh: 要求硬件级隔离
#   summary_zh: 虚拟机之间依靠 VT-x、VT-d 等 CPU 虚拟化特性相互隔离，而容器没有任何形式的硬件隔离，因此只有虚拟机边界能满足这一要求。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
needs[n.custom.id] := n if {
	input.isolation == "hardware"
	n := rego.metadata.rule()
}

# METADATA
# title: One organisation on the hosts
# description: When everything on the hosts belongs to one organisation and runs its own code, containers keep its applications apart well enough and keep all their other advantages; walls of VMs would cost more than they protect.
# custom:
#   id: isolation.single_organisation
#   kind: preference
#   capability: light_separation
#   weight: 10
#   title_zh: 宿主机上只有一个组织
#   summary_zh: 宿主机上的一切都属于同一组织且只运行其自己的代码时，容器足以把各个应用隔开，并保留容器的其他优势；再用虚拟机筑墙，代价会高于它带来的保护。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 一个典型的Docker应用场景是当主机上的Docker实例属于单一用户的情况下
#     - source: 001_12de2612dfdf4b91.txt
#       locator: Docker通常用于隔离不同的应用
preferences[p.custom.id] := p if {
	_single_organisation
	not input.untrusted_code
	p := rego.metadata.rule()
}

# METADATA
# title: Namespaces per component
# description: Namespaces let each component see only its own files and keep the ports it opens to itself, which suits a workload split into parts that trust each other.
# custom:
#   id: isolation.component_namespaces
#   kind: preference
#   capability: namespaces
#   weight: 10
#   title_zh: 按组件划分命名空间
#   summary_zh: 命名空间让每个组件只看得到自己的文件，它打开的端口也不会暴露到容器之外，适合由相互信任的多个部分组成的工作负载。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果容器内的进程扫描文件系统来寻找要窃取的东西
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 如果容器内的进程中想尝试做一些恶意的事情,比如打开端口31337后门服务
preferences[p.custom.id] := p if {
	_single_organisation
	not input.untrusted_code
	input.isolation == "standard"
	input.architecture in {"microservices", "batch"}
	p := rego.metadata.rule()
}

_single_organisation if not input.multi_tenant

_single_organisation if input.tenants_trusted
