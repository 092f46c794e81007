# METADATA
# title: Platform factor tests
# description: Each platform rule fires on the input it is about and stays quiet otherwise; each test compares the whole document.
package advise.factors_test.platform

import data.advise.factors.platform
import data.advise.lib_test

test_nothing_fires_on_the_defaults if {
	platform.needs == {} with input as lib_test.base_input
	platform.preferences == {} with input as lib_test.base_input
	platform.warnings == {} with input as lib_test.base_input
}

test_windows_on_linux_hosts_needs_a_vm if {
	w := lib_test.with_fields({"needs_windows": true})
	object.keys(platform.needs) == {"platform.guest_os_differs"} with input as w
	object.keys(platform.warnings) == {"platform.windows_container_tooling"} with input as w
	platform.preferences == {} with input as w
}

test_linux_on_windows_hosts_needs_a_vm if {
	w := lib_test.with_fields({"host_os": "windows"})
	object.keys(platform.needs) == {"platform.guest_os_differs"} with input as w
	platform.warnings == {} with input as w
}

test_windows_on_windows_hosts_prefers_vms if {
	w := lib_test.with_fields({"needs_windows": true, "host_os": "windows"})
	platform.needs == {} with input as w
	object.keys(platform.preferences) == {"platform.windows_containers_awkward"} with input as w
	object.keys(platform.warnings) == {"platform.windows_container_tooling"} with input as w
}

test_own_kernel_needs_a_vm if {
	object.keys(platform.needs) == {"platform.custom_kernel"} with input as lib_test.with_fields({"custom_kernel": true})
}

test_a_need_carries_its_annotation if {
	n := platform.needs["platform.custom_kernel"] with input as lib_test.with_fields({"custom_kernel": true})
	[n.custom.kind, n.custom.capability, n.custom.weight, n.custom.grouping] == ["need", "own_kernel", 100, "os"]
}
