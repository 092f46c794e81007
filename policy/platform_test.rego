# METADATA
# title: Platform factor tests
# description: Each platform rule fires on the input it is about and stays quiet otherwise.
package advise.factors.platform_test

import data.advise.factors.platform
import data.advise.lib
import data.advise.lib_test

_guest_os_differs := {
	"rule": "platform.guest_os_differs",
	"title": "Guest OS differs from the host OS",
	"favors": "vm",
	"excludes": "container",
	"weight": 50,
	"conflict_side": "other_os",
	"summary": "Containers share the host's kernel, so a workload that needs another operating system than its hosts run can only be hosted in a virtual machine.",
	"summary_zh": "容器与宿主机共用同一个内核，工作负载需要的操作系统与宿主机不同时，只能放进虚拟机运行。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 系统支持和兼容性",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "But virtual machine technology also has its advantages",
		},
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "操作系统容器 — 如上所述,容器共享宿主机的内核",
		},
	],
}

_custom_kernel := {
	"rule": "platform.custom_kernel",
	"title": "Own kernel or kernel modules",
	"favors": "vm",
	"excludes": "container",
	"weight": 50,
	"conflict_side": "none",
	"summary": "Every container runs on the host's kernel, so a workload that needs its own kernel, its own kernel modules or another kernel version needs a virtual machine.",
	"summary_zh": "所有容器都运行在宿主机的内核上，需要自有内核、内核模块或其他内核版本的工作负载必须使用虚拟机。",
	"citations": [
		{
			"source": "000_52410bb239ef2d82.txt",
			"title": "容器与虚拟机的区别与关系",
			"locator": "容器与虚拟机的区别 — 实现方式；系统支持和兼容性",
		},
		{
			"source": "003_681de61063999d7b.txt",
			"title": "Docker containers and virtual machines difference",
			"locator": "The container contains the application and all of its dependent packages",
		},
	],
}

_windows_containers_awkward := {
	"rule": "platform.windows_containers_awkward",
	"title": "Windows containers are awkward",
	"favors": "vm",
	"weight": 10,
	"conflict_side": "none",
	"summary": "Container technology grew up on Linux; running containers on Windows hosts works but is clumsier and adds day-to-day complexity, which tilts a Windows workload towards virtual machines.",
	"summary_zh": "容器技术以 Linux 为根基，在 Windows 宿主机上运行容器较为别扭并增加日常运维复杂度，因此 Windows 工作负载更倾向虚拟机。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 2. 原生 Linux 支持",
		},
	],
}

_windows_container_tooling := {
	"rule": "platform.windows_container_tooling",
	"title": "Windows container tooling",
	"applies_to": ["container", "hybrid"],
	"summary": "If Windows containers are used, plan for tooling and operating practice that is less smooth than for Linux containers.",
	"summary_zh": "若使用 Windows 容器，需预期其工具与运维实践不如 Linux 容器顺畅。",
	"citations": [
		{
			"source": "002_687a735013d0ae0c.txt",
			"title": "虚拟机&容器技术",
			"locator": "容器的缺点 — 2. 原生 Linux 支持",
		},
	],
}

_with(overrides) := object.union(lib_test.base_input, overrides)

test_base_input_fires_nothing if {
	inp := lib_test.base_input
	count(lib.present(platform.constraints)) == 0 with input as inp
	count(lib.present(platform.reasons)) == 0 with input as inp
	count(lib.present(platform.warnings)) == 0 with input as inp
}

test_guest_os_differs_windows_on_linux_hosts if {
	lib.present(platform.constraints) == {_guest_os_differs} with input as _with({"needs_windows": true})
}

test_guest_os_differs_linux_workload_on_windows_hosts if {
	lib.present(platform.constraints) == {_guest_os_differs} with input as _with({"host_os": "windows"})
}

test_guest_os_differs_not_for_windows_on_windows_hosts if {
	count(lib.present(platform.constraints)) == 0 with input as _with({"needs_windows": true, "host_os": "windows"})
}

test_guest_os_differs_not_for_linux_on_linux_hosts if {
	count(lib.present(platform.constraints)) == 0 with input as _with({"needs_windows": false, "host_os": "linux"})
}

test_guest_os_differs_gives_no_reason_or_warning if {
	inp := _with({"needs_windows": true})
	count(lib.present(platform.reasons)) == 0 with input as inp
	count(lib.present(platform.warnings)) == 0 with input as inp
}

test_custom_kernel_fires if {
	lib.present(platform.constraints) == {_custom_kernel} with input as _with({"custom_kernel": true})
}

test_custom_kernel_not_without_it if {
	count(lib.present(platform.constraints)) == 0 with input as _with({"custom_kernel": false})
}

test_custom_kernel_with_other_os_gives_both_constraints if {
	inp := _with({"custom_kernel": true, "needs_windows": true})
	lib.present(platform.constraints) == {_custom_kernel, _guest_os_differs} with input as inp
}

test_windows_containers_awkward_fires_windows_on_windows if {
	lib.present(platform.reasons) == {_windows_containers_awkward} with input as _with({"needs_windows": true, "host_os": "windows"})
}

test_windows_containers_awkward_not_for_windows_on_linux_hosts if {
	count(lib.present(platform.reasons)) == 0 with input as _with({"needs_windows": true, "host_os": "linux"})
}

test_windows_containers_awkward_not_for_linux_on_windows_hosts if {
	count(lib.present(platform.reasons)) == 0 with input as _with({"needs_windows": false, "host_os": "windows"})
}

test_windows_container_tooling_fires_windows_on_windows if {
	lib.present(platform.warnings) == {_windows_container_tooling} with input as _with({"needs_windows": true, "host_os": "windows"})
}

test_windows_container_tooling_not_for_windows_on_linux_hosts if {
	count(lib.present(platform.warnings)) == 0 with input as _with({"needs_windows": true, "host_os": "linux"})
}

test_windows_container_tooling_not_for_linux_on_windows_hosts if {
	count(lib.present(platform.warnings)) == 0 with input as _with({"needs_windows": false, "host_os": "windows"})
}
