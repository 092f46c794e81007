# METADATA
# title: Side-by-side placement tests
# description: The placement states, statement by statement, how far it serves every capability; the test compares the whole table.
package advise.placements_test.side_by_side

import data.advise.placements.side_by_side

test_statements if {
	{s.id: {"degree": s.degree, "serves": {c | some c, t in side_by_side.serves; t.id == s.id}} | some s in side_by_side.serves} == {
		"side_by_side.containers_for_light_services": {"degree": 1, "serves": {"density", "elastic", "light_separation", "namespaces", "near_native", "one_service_per_unit", "orchestration", "packaged_environment", "versioned_images"}},
		"side_by_side.containers_on_the_hosts": {"degree": 0, "serves": {"hardware_isolation", "host_protected", "live_migration", "root_contained", "strict_isolation", "tenant_walls"}},
		"side_by_side.platform_covers_the_vm_parts": {"degree": 0.5, "serves": {"central_management", "mature_ha"}},
		"side_by_side.two_platforms": {"degree": 0, "serves": {"familiar_tooling", "native_windows"}},
		"side_by_side.vm_parts_boot": {"degree": 0, "serves": {"starts_in_milliseconds", "starts_in_seconds"}},
		"side_by_side.vms_for_those_parts": {"degree": 1, "serves": {"other_os", "own_kernel", "whole_os"}},
	}
}

import data.advise.lib_test

test_applies_only_to_workloads_of_mixed_components if {
	[side_by_side.recommendation, side_by_side.pattern, side_by_side.container_form] == ["hybrid", "side_by_side", "application"]
	side_by_side.applicable with input as lib_test.with_fields({"mixed_components": true})
	not side_by_side.applicable with input as lib_test.base_input
}
