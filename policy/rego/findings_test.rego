# METADATA
# title: Findings tests
# description: The findings gather every factor package by its path, and their totals are what the placements make of them; each test compares the whole document.
package advise.findings_test

import data.advise.findings
import data.advise.lib_test

test_gathers_every_factor_package if {
	w := lib_test.with_fields({"custom_kernel": true, "density": "high", "team_container_experience": "none"})
	object.keys(findings.needs) == {"platform.custom_kernel"} with input as w
	object.keys(findings.preferences) == {
		"agility.high_density",
		"isolation.single_organisation",
		"operations.team_without_container_experience",
	} with input as w
	object.keys(findings.warnings) == {"operations.container_skills_scarce", "operations.no_orchestrator"} with input as w
}

test_a_new_factor_package_is_picked_up_by_its_path if {
	extra := {"extra.x": {"custom": {"id": "extra.x", "kind": "need", "capability": "own_kernel", "weight": 1}}}
	object.keys(findings.needs) == {"extra.x"} with input as lib_test.base_input
		with data.advise.factors.extra.needs as extra
}

_need(capability, weight) := {"custom": {"kind": "need", "capability": capability, "weight": weight}}

_preference(capability, weight) := {"custom": {"kind": "preference", "capability": capability, "weight": weight}}

test_contribution if {
	c := findings.contribution(
		{"k": _need("own_kernel", 100)},
		{"d": _preference("density", 20), "h": _preference("mature_ha", 10)},
	)
	c.scores == {"vm": 10, "container": 20, "os_container": 20, "containers_in_vms": 15, "orchestrator_in_vms": 15, "side_by_side": 25}
	c.missed == {
		"vm": {},
		"container": {"k": 100},
		"os_container": {"k": 100},
		"containers_in_vms": {},
		"orchestrator_in_vms": {},
		"side_by_side": {},
	}
	c.contrast.vm == {"container": 30, "os_container": 30, "containers_in_vms": 15, "orchestrator_in_vms": 15, "side_by_side": 25}
	c.contrast.container == {"vm": 30, "containers_in_vms": 15, "orchestrator_in_vms": 15, "side_by_side": 5}
}

test_totals_are_the_contribution_of_everything if {
	w := lib_test.with_fields({"custom_kernel": true, "density": "high"})
	findings.totals == findings.contribution(findings.needs, findings.preferences) with input as w
}
