# METADATA
# title: Virtual machine placement tests
# description: The placement states, statement by statement, how far it serves every capability; the test compares the whole table.
package advise.placements_test.vm

import data.advise.placements.vm

test_statements if {
	{s.id: {"degree": s.degree, "serves": {c | some c, t in vm.serves; t.id == s.id}} | some s in vm.serves} == {
		"vm.boots_an_os": {"degree": 0, "serves": {"elastic", "starts_in_milliseconds", "starts_in_seconds"}},
		"vm.complete_os": {"degree": 1, "serves": {"whole_os"}},
		"vm.costly_walls": {"degree": 0, "serves": {"light_separation"}},
		"vm.familiar_ground": {"degree": 1, "serves": {"familiar_tooling", "native_windows"}},
		"vm.guest_os_weight": {"degree": 0, "serves": {"density", "near_native"}},
		"vm.hardware_walls": {"degree": 1, "serves": {"hardware_isolation", "root_contained"}},
		"vm.image_distribution": {"degree": 0, "serves": {"packaged_environment", "versioned_images"}},
		"vm.no_container_units": {"degree": 0, "serves": {"namespaces", "one_service_per_unit", "orchestration"}},
		"vm.own_os_and_kernel": {"degree": 1, "serves": {"other_os", "own_kernel"}},
		"vm.virtualisation_platform": {"degree": 1, "serves": {"central_management", "live_migration", "mature_ha"}},
		"vm.walled_environment": {"degree": 1, "serves": {"host_protected", "strict_isolation", "tenant_walls"}},
	}
}

test_recommends_vms_and_always_applies if {
	vm.recommendation == "vm"
	not vm.applicable
}
