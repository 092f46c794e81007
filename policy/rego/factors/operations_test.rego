# METADATA
# title: Operations factor tests
# description: Each operations rule fires on the input it is about and stays quiet otherwise; each test compares the whole document.
package advise.factors_test.operations

import data.advise.factors.operations
import data.advise.lib_test

test_nothing_fires_on_the_defaults if {
	operations.needs == {} with input as lib_test.base_input
	operations.preferences == {} with input as lib_test.base_input
	operations.warnings == {} with input as lib_test.base_input
}

test_live_migration_is_a_need if {
	object.keys(operations.needs) == {"operations.live_migration"} with input as lib_test.with_fields({"live_migration": true})
}

test_a_whole_os_is_a_need_with_templates_to_build if {
	w := lib_test.with_fields({"full_os": true})
	object.keys(operations.needs) == {"operations.full_os"} with input as w
	object.keys(operations.warnings) == {"operations.os_container_templates"} with input as w
}

test_availability_boundaries if {
	every target, want in {
		99.9: set(),
		99.98: set(),
		99.99: {"operations.very_high_availability"},
		99.9999: {"operations.very_high_availability"},
	} {
		object.keys(operations.preferences) == want with input as lib_test.with_fields({"availability_target": target})
	}
}

test_each_preference_fires_on_its_input if {
	every rule, fields in {
		"operations.central_management": {"central_management": true},
		"operations.orchestrator_available": {"orchestrator": "kubernetes"},
	} {
		object.keys(operations.preferences) == {rule} with input as lib_test.with_fields(fields)
	}
}

test_a_team_new_to_containers if {
	w := lib_test.with_fields({"team_container_experience": "none"})
	object.keys(operations.preferences) == {"operations.team_without_container_experience"} with input as w
	object.keys(operations.warnings) == {"operations.container_skills_scarce"} with input as w
}

test_many_containers_without_an_orchestrator if {
	every fields in [
		{"architecture": "microservices"},
		{"scaling": "elastic"},
		{"density": "high"},
		{"instances": 20},
	] {
		object.keys(operations.warnings) == {"operations.no_orchestrator"} | _warm(fields) with input as lib_test.with_fields(fields)
	}
	operations.warnings == {} with input as lib_test.with_fields({"instances": 19})
	operations.warnings == {} with input as lib_test.with_fields({"architecture": "microservices", "orchestrator": "kubernetes"})
}

test_no_kubernetes_advice_for_a_whole_os if {
	object.keys(operations.warnings) == {"operations.os_container_templates"} with input as lib_test.with_fields({"full_os": true, "instances": 500})
}

test_warm_vm_capacity_for_fast_start_or_elastic_scaling if {
	object.keys(operations.warnings) == {"operations.warm_vm_capacity"} with input as lib_test.with_fields({"startup_sla_ms": 500})
	object.keys(operations.warnings) == {"operations.warm_vm_capacity"} with input as lib_test.with_fields({"startup_sla_ms": 59999})
	operations.warnings == {} with input as lib_test.with_fields({"startup_sla_ms": 60000})
}

_warm(fields) := {"operations.warm_vm_capacity"} if fields.scaling == "elastic"

else := set()
