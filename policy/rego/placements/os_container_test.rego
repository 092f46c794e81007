# METADATA
# title: OS container placement tests
# description: The placement states, statement by statement, how far it serves every capability; the test compares the whole table.
package advise.placements_test.os_container

import data.advise.placements.os_container

test_statements if {
	{s.id: {"degree": s.degree, "serves": {c | some c, t in os_container.serves; t.id == s.id}} | some s in os_container.serves} == {
		"container.cheap_walls": {"degree": 1, "serves": {"light_separation", "namespaces"}},
		"container.fast_start": {"degree": 1, "serves": {"elastic", "starts_in_milliseconds", "starts_in_seconds"}},
		"container.images": {"degree": 1, "serves": {"one_service_per_unit", "packaged_environment", "versioned_images"}},
		"container.linux_native": {"degree": 0, "serves": {"native_windows"}},
		"container.new_skills": {"degree": 0, "serves": {"familiar_tooling"}},
		"container.no_guest_os": {"degree": 1, "serves": {"density", "near_native"}},
		"container.no_hardware_walls": {"degree": 0, "serves": {"hardware_isolation", "root_contained"}},
		"container.orchestration": {"degree": 1, "serves": {"orchestration"}},
		"container.process_walls": {"degree": 0, "serves": {"host_protected", "strict_isolation", "tenant_walls"}},
		"container.redeployed": {"degree": 0, "serves": {"live_migration", "mature_ha"}},
		"container.shared_kernel": {"degree": 0, "serves": {"other_os", "own_kernel"}},
		"container.young_management": {"degree": 0, "serves": {"central_management"}},
		"os_container.whole_os_services": {"degree": 1, "serves": {"whole_os"}},
	}
}

import data.advise.lib_test

test_applies_only_where_each_instance_is_a_whole_os if {
	[os_container.recommendation, os_container.container_form] == ["container", "os"]
	os_container.applicable with input as lib_test.with_fields({"full_os": true})
	not os_container.applicable with input as lib_test.base_input
}
