# METADATA
# title: ACME availability standard tests
# description: The silver and gold tiers start at 99.9 %.
package advise.factors.acme_test

import data.advise.factors.acme

test_silver_fires if {
	ids := {id | some id, _ in acme.preferences} with input as {"availability_target": 99.9}
	ids == {"acme.availability_tier"}
}

test_bronze_does_not_fire if {
	ids := {id | some id, _ in acme.preferences} with input as {"availability_target": 99.5}
	ids == set()
}

test_no_target_does_not_fire if {
	ids := {id | some id, _ in acme.preferences} with input as {}
	ids == set()
}

test_the_rule_gives_its_annotation if {
	p := acme.preferences["acme.availability_tier"] with input as {"availability_target": 99.99}
	p.custom == {
		"id": "acme.availability_tier",
		"kind": "preference",
		"capability": "mature_ha",
		"weight": 15,
		"citations": [{"source": "acme-arc-9", "locator": "2. Where silver and gold services run"}],
	}
}

test_the_data_overrides_central_management if {
	data.advise.org.weights == {"operations.central_management": 25}
}

test_the_data_adds_the_standard_to_the_catalog if {
	data.advise.org.sources["acme-arc-9"].title == "ACME Architecture Standard ARC-9: Availability tiers"
}
