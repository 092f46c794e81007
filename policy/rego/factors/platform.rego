# METADATA
# title: Platform factors
# description: What the workload needs from the operating system and kernel it runs on.
package advise.factors.platform

# METADATA
# title: Guest OS differs from the host OS
# description: Containers share the kernel of the host they run on, so a workload that needs another operating system than its hosts run needs a virtual machine that carries that OS.
# custom:
#   id: platform.guest_os_differs
#   kind: need
#   capability: other_os
#   weight: 100
#   grouping: os
#   title_zh: 所需操作系统与宿主机不同
#   summary_zh: 容器共用所在宿主机的内核，工作负载需要的操作系统与宿主机不同时，必须由承载该操作系统的虚拟机来运行。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器 — 如上所述,容器共享宿主机的内核
needs[n.custom.id] := n if {
	_guest_os != input.host_os
	n := rego.metadata.rule()
}

# METADATA
# title: Own kernel or kernel modules
# description: Every container runs on its host's kernel, so a workload that needs a kernel of its own, its own kernel modules or another kernel version needs a virtual machine that boots that kernel.
# custom:
#   id: platform.custom_kernel
#   kind: need
#   capability: own_kernel
#   weight: 100
#   grouping: os
#   title_zh: 需要自有内核或内核模块
#   summary_zh: 每个容器都运行在宿主机的内核上，需要自有内核、自有内核模块或其他内核版本的工作负载，必须使用引导该内核的虚拟机。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式；系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: The container contains the application and all of its dependent packages
needs[n.custom.id] := n if {
	input.custom_kernel
	n := rego.metadata.rule()
}

# METADATA
# title: Windows workload on Windows hosts
# description: Container technology grew up on Linux; containers on Microsoft platforms work but are clumsier to run day to day, which tilts a Windows workload on Windows hosts towards virtual machines.
# custom:
#   id: platform.windows_containers_awkward
#   kind: preference
#   capability: native_windows
#   weight: 10
#   title_zh: Windows 宿主机上的 Windows 工作负载
#   summary_zh: 容器技术以 Linux 为根基，在微软平台上运行容器虽然可行，但日常使用更别扭，因此 Windows 宿主机上的 Windows 工作负载更倾向虚拟机。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
preferences[p.custom.id] := p if {
	input.needs_windows
	input.host_os == "windows"
	p := rego.metadata.rule()
}

# METADATA
# title: Windows container tooling
# description: Windows containers are part of the answer, so plan for tooling and operating practice that is less smooth than for Linux containers, and for the day-to-day complexity that brings.
# custom:
#   id: platform.windows_container_tooling
#   kind: warning
#   applies_to: [container, containers_in_vms, orchestrator_in_vms]
#   title_zh: Windows 容器的工具链
#   summary_zh: 方案中包含 Windows 容器，应预期其工具与运维实践不如 Linux 容器顺畅，并为由此带来的日常复杂度做好准备。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
warnings[w.custom.id] := w if {
	input.needs_windows
	w := rego.metadata.rule()
}

_guest_os := "windows" if input.needs_windows

else := "linux"
