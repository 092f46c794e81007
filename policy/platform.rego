# METADATA
# title: Platform factors
# description: What the workload needs from the operating system and kernel of the hosts.
package advise.factors.platform

# METADATA
# title: Guest OS differs from the host OS
# description: Containers share the host's kernel, so a workload that needs another operating system than its hosts run can only be hosted in a virtual machine.
# custom:
#   id: platform.guest_os_differs
#   kind: constraint
#   favors: vm
#   excludes: container
#   weight: 50
#   conflict_side: other_os
#   summary_zh: 容器与宿主机共用同一个内核，工作负载需要的操作系统与宿主机不同时，只能放进虚拟机运行。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: But virtual machine technology also has its advantages
#     - source: 002_687a735013d0ae0c.txt
#       locator: 操作系统容器 — 如上所述,容器共享宿主机的内核
constraints[c.custom.id] := c if {
	_guest_os != input.host_os
	c := rego.metadata.rule()
}

# METADATA
# title: Own kernel or kernel modules
# description: Every container runs on the host's kernel, so a workload that needs its own kernel, its own kernel modules or another kernel version needs a virtual machine.
# custom:
#   id: platform.custom_kernel
#   kind: constraint
#   favors: vm
#   excludes: container
#   weight: 50
#   summary_zh: 所有容器都运行在宿主机的内核上，需要自有内核、内核模块或其他内核版本的工作负载必须使用虚拟机。
#   citations:
#     - source: 000_52410bb239ef2d82.txt
#       locator: 容器与虚拟机的区别 — 实现方式；系统支持和兼容性
#     - source: 003_681de61063999d7b.txt
#       locator: The container contains the application and all of its dependent packages
constraints[c.custom.id] := c if {
	input.custom_kernel
	c := rego.metadata.rule()
}

# METADATA
# title: Windows containers are awkward
# description: Container technology grew up on Linux; running containers on Windows hosts works but is clumsier and adds day-to-day complexity, which tilts a Windows workload towards virtual machines.
# custom:
#   id: platform.windows_containers_awkward
#   kind: reason
#   favors: vm
#   weight: 10
#   summary_zh: 容器技术以 Linux 为根基，在 Windows 宿主机上运行容器较为别扭并增加日常运维复杂度，因此 Windows 工作负载更倾向虚拟机。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
reasons[r.custom.id] := r if {
	input.needs_windows
	input.host_os == "windows"
	r := rego.metadata.rule()
}

# METADATA
# title: Windows container tooling
# description: If Windows containers are used, plan for tooling and operating practice that is less smooth than for Linux containers.
# custom:
#   id: platform.windows_container_tooling
#   kind: warning
#   applies_to: [container, hybrid]
#   summary_zh: 若使用 Windows 容器，需预期其工具与运维实践不如 Linux 容器顺畅。
#   citations:
#     - source: 002_687a735013d0ae0c.txt
#       locator: 容器的缺点 — 2. 原生 Linux 支持
warnings[w.custom.id] := w if {
	input.needs_windows
	input.host_os == "windows"
	w := rego.metadata.rule()
}

_guest_os := "windows" if input.needs_windows

else := "linux"
