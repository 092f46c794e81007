# METADATA
# title: Agility factor tests
# description: Each agility rule fires on the input it is about and stays quiet otherwise, with the start-up SLA's boundaries; each test compares the whole document.
package advise.factors_test.agility

import data.advise.factors.agility
import data.advise.lib_test

test_nothing_fires_on_the_defaults if {
	agility.needs == {} with input as lib_test.base_input
	agility.preferences == {} with input as lib_test.base_input
}

test_startup_sla_boundaries if {
	every sla, want in {
		1: {"agility.startup_subsecond"},
		1000: {"agility.startup_subsecond"},
		1001: {"agility.startup_seconds"},
		59999: {"agility.startup_seconds"},
		60000: set(),
		300000: set(),
	} {
		object.keys(agility.needs) == want with input as lib_test.with_fields({"startup_sla_ms": sla})
	}
}

test_each_preference_fires_on_its_input if {
	every rule, fields in {
		"agility.high_density": {"density": "high"},
		"agility.elastic_scaling": {"scaling": "elastic"},
		"agility.microservices": {"architecture": "microservices"},
		"agility.environment_drift": {"env_drift_pain": true},
		"agility.near_native_performance": {"performance_sensitive": true},
	} {
		object.keys(agility.preferences) == {rule} with input as lib_test.with_fields(fields)
	}
}

test_frequent_releases_are_weekly_or_daily if {
	every frequency, want in {
		"rare": set(),
		"monthly": set(),
		"weekly": {"agility.frequent_releases"},
		"daily": {"agility.frequent_releases"},
	} {
		object.keys(agility.preferences) == want with input as lib_test.with_fields({"release_frequency": frequency})
	}
}
