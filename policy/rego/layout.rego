# METADATA
# title: Hybrid layout
# description: |
#   How a hybrid answer splits the workload: how it groups the containers into
#   VMs, and what the guest operating systems of those VMs cost. The grouping
#   follows the most demanding reason the fired rules give for a VM boundary
#   (custom.grouping of a need or preference); each grouping is a cited
#   statement, ranked from the most demanding.
package advise.layout

import data.advise.findings

# METADATA
# title: A VM per tenant
# description: Give every tenant VMs of its own and run its containers only inside them, so no two tenants share a kernel; the VMs keep the tenants apart the way cloud providers keep their users apart, and the containers pack each tenant's services.
# custom:
#   id: layout.per_tenant
#   kind: statement
#   rank: 1
#   title_zh: 每个租户一组虚拟机
#   summary_zh: 给每个租户分配专属的虚拟机，其容器只在这些虚拟机内运行，任何两个租户都不共用内核；虚拟机像云服务商隔离用户那样把租户隔开，容器则紧凑地承载每个租户的服务。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 虚拟机更擅长于彻底隔离整个运行环境
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
groupings["tenant"] := _grouping(rego.metadata.rule())

# METADATA
# title: A VM per trust boundary
# description: Put the containers that trust each other into VMs of their own and keep code from outsiders, privileged containers and strictly isolated parts in separate VMs, so a breach, or root, reaches no further than its VM.
# custom:
#   id: layout.per_trust_boundary
#   kind: statement
#   rank: 2
#   title_zh: 每个信任边界一组虚拟机
#   summary_zh: 把相互信任的容器放进它们专属的虚拟机，外部方的代码、特权容器和需要严格隔离的部分则放在各自的虚拟机里，使入侵或 root 最多只能波及所在的虚拟机。
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
#     - source: 003_681de61063999d7b.txt
#       locator: "Security: docker's security is also weaker"
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的关系 — 容器在虚拟机内部
groupings["trust_boundary"] := _grouping(rego.metadata.rule())

# METADATA
# title: A VM per OS or kernel
# description: Run VMs that carry the operating system or kernel the containers need, and pack as many containers into each as its capacity allows; no wall between the containers is asked for, so the number of VMs follows capacity alone.
# custom:
#   id: layout.per_os
#   kind: statement
#   rank: 3
#   title_zh: 按操作系统或内核划分虚拟机
#   summary_zh: 运行承载容器所需操作系统或内核的虚拟机，并在容量允许的范围内往每台虚拟机里放尽量多的容器；容器之间不要求隔离墙，因此虚拟机数量只取决于容量。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器在在云硬件(或虚拟机)中可以被复用
groupings["os"] := _grouping(rego.metadata.rule())

# METADATA
# title: Pooled VMs
# description: The VMs are there for what the hypervisor gives, not for walls between containers, so pool the containers across as few VMs as capacity allows.
# custom:
#   id: layout.pooled
#   kind: statement
#   rank: 4
#   title_zh: 虚拟机池化
#   summary_zh: 这里用虚拟机是为了 Hypervisor 提供的能力，而不是为了在容器之间筑墙，因此应把容器汇集到容量允许的尽量少的虚拟机中。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 非中断地支持多工作负载迁移的能力是Hypervisor的基本功能
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 容器在在云硬件(或虚拟机)中可以被复用
groupings["pooled"] := _grouping(rego.metadata.rule())

# METADATA
# title: Grouping
# description: The grouping of the most demanding kind the fired needs and preferences ask for; pooled VMs when none asks for one.
grouping := grouping_of(object.union(findings.needs, findings.preferences))

# METADATA
# title: Grouping of demands
# description: The grouping of the most demanding kind the demands (needs and preferences by id, as findings has them) ask for; pooled VMs when none asks for one. The decision calls it with the findings it is given.
grouping_of(demands) := [g.id | some g in asked; g.rank == min({x.rank | some x in asked})][0] if {
	asked := {groupings[d.custom.grouping] | some d in demands; groupings[d.custom.grouping]} | {groupings.pooled}
}

# METADATA
# title: A guest OS per VM
# description: Every VM carries a whole guest operating system, which the sources put at about 700 MB of disk before the application, on top of the CPU and memory it takes.
# custom:
#   id: layout.guest_os_size
#   kind: statement
#   title_zh: 每台虚拟机一个客户机系统
#   summary_zh: 每台虚拟机都携带一个完整的客户机操作系统，按来源文档的说法，在应用之外约占 700 MB 磁盘，另外还要消耗 CPU 和内存。
#   citations:
#     - source: 001_12de2612dfdf4b91.txt
#       locator: 这些虚拟机都非常大,也许有700MB
#     - source: 004_c47ec412e6d24774.txt
#       locator: 这些虚拟机都非常大,也许有700MB
guest_os := {"mb": 700, "statement": m.custom.id} if {
	m := rego.metadata.rule()
}

# METADATA
# title: Sizing
# description: |
#   What the guest operating systems of a hybrid cost for the workload in input
#   under the grouping (a grouping statement's id): the size of one, and where
#   the tenants or the instances tell how many VMs there are, their number and
#   total. A VM per tenant means at least one VM for each tenant; a VM per
#   tenant or per trust boundary means at most one VM for each instance.
sizing(grouping) := object.union(_guest, {"guests": n, "basis": "tenants", "total_mb": n * guest_os.mb}) if {
	grouping == groupings.tenant.id
	n := input.tenants
} else := object.union(_guest, {"guests": n, "basis": "instances", "total_mb": n * guest_os.mb}) if {
	grouping in {groupings.tenant.id, groupings.trust_boundary.id}
	n := input.instances
} else := _guest

_guest := {"per_guest_mb": guest_os.mb, "because": guest_os.statement}

_grouping(meta) := {"id": meta.custom.id, "rank": meta.custom.rank}
