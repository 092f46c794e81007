# METADATA
# title: Findings tests
# description: |
#   advise.findings names the factor packages one by one; these tests walk the
#   whole data.advise.factors tree instead and must find the same, so a new
#   factor package or a first constraint or warning in a package cannot be missed.
package advise.findings_test

import data.advise.factors
import data.advise.findings
import data.advise.lib_test

_inputs := [
	lib_test.base_input,
	object.union(lib_test.base_input, {
		"multi_tenant": true, "needs_windows": true, "custom_kernel": true, "requires_root": true,
		"untrusted_code": true, "isolation": "hardware", "startup_sla_ms": 500, "density": "high",
		"scaling": "elastic", "architecture": "microservices", "release_frequency": "daily",
		"env_drift_pain": true, "performance_sensitive": true, "availability_target": 99.999,
		"live_migration": true, "central_management": true, "team_container_experience": "none",
		"instances": 50,
	}),
	object.union(lib_test.base_input, {
		"needs_windows": true, "host_os": "windows", "startup_sla_ms": 5000, "architecture": "batch",
		"full_os": true, "orchestrator": "kubernetes",
	}),
]

_walked(kind) := {id: x | some pkg in factors; some id, x in pkg[kind]}

test_findings_match_the_factor_tree if {
	every inp in _inputs {
		findings.reasons == _walked("reasons") with input as inp
		findings.constraints == _walked("constraints") with input as inp
		findings.warnings == _walked("warnings") with input as inp
	}
}

test_rich_input_fires_every_factor_rule if {
	inp := _inputs[1]
	rs := findings.reasons with input as inp
	cs := findings.constraints with input as inp
	ws := findings.warnings with input as inp
	(object.keys(rs) | object.keys(cs)) | object.keys(ws) == {
		"agility.elastic_scaling", "agility.environment_drift", "agility.frequent_releases",
		"agility.high_density", "agility.microservices", "agility.near_native_performance",
		"agility.startup_subsecond", "isolation.requires_root", "isolation.strict",
		"isolation.untrusted_code", "isolation.untrusted_tenants", "operations.central_management",
		"operations.team_without_container_experience", "operations.very_high_availability",
		"isolation.hardware", "operations.live_migration", "platform.custom_kernel",
		"platform.guest_os_differs", "isolation.no_root_in_containers",
		"operations.container_skills_scarce", "operations.no_orchestrator",
	}
}
