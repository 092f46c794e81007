# METADATA
# title: Orchestrator-inside-VMs placement tests
# description: The placement states, statement by statement, how far it serves every capability; the test compares the whole table.
package advise.placements_test.orchestrator_in_vms

import data.advise.placements.orchestrator_in_vms

test_statements if {
	{s.id: {"degree": s.degree, "serves": {c | some c, t in orchestrator_in_vms.serves; t.id == s.id}} | some s in orchestrator_in_vms.serves} == {
		"containers_in_vms.containers_inside": {"degree": 1, "serves": {"namespaces", "one_service_per_unit", "packaged_environment", "starts_in_milliseconds", "starts_in_seconds", "versioned_images"}},
		"containers_in_vms.guest_os_per_vm": {"degree": 0.5, "serves": {"density"}},
		"containers_in_vms.hypervisor_in_the_path": {"degree": 0, "serves": {"near_native"}},
		"containers_in_vms.platform_covers_the_vms": {"degree": 0.5, "serves": {"central_management", "mature_ha"}},
		"containers_in_vms.two_layers": {"degree": 0, "serves": {"familiar_tooling", "light_separation", "native_windows"}},
		"containers_in_vms.vm_walls": {"degree": 1, "serves": {"hardware_isolation", "host_protected", "root_contained", "strict_isolation", "tenant_walls"}},
		"containers_in_vms.vms_carry_the_os": {"degree": 1, "serves": {"other_os", "own_kernel", "whole_os"}},
		"containers_in_vms.vms_migrate": {"degree": 1, "serves": {"live_migration"}},
		"orchestrator_in_vms.orchestrated": {"degree": 1, "serves": {"elastic", "orchestration"}},
	}
}

import data.advise.lib_test

test_a_hybrid_whose_containers_follow_the_instance if {
	[orchestrator_in_vms.recommendation, orchestrator_in_vms.pattern] == ["hybrid", "orchestrator_in_vms"]
	orchestrator_in_vms.container_form == "application" with input as lib_test.base_input
	orchestrator_in_vms.container_form == "os" with input as lib_test.with_fields({"full_os": true})
}
