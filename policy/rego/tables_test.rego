# METADATA
# title: Placement table tests
# description: The tables lay out what the placements state; each test compares the whole table.
package advise.tables_test

import data.advise.tables

test_recommendations_patterns_and_levels if {
	tables.recommendations == {
		"vm": "vm",
		"container": "container",
		"os_container": "container",
		"containers_in_vms": "hybrid",
		"orchestrator_in_vms": "hybrid",
		"side_by_side": "hybrid",
	}
	tables.patterns == {
		"containers_in_vms": "containers_in_vms",
		"orchestrator_in_vms": "orchestrator_in_vms",
		"side_by_side": "side_by_side",
	}
	tables.levels == {"vm": 0, "containers_in_vms": 1, "orchestrator_in_vms": 1, "side_by_side": 1, "container": 2, "os_container": 2}
}

test_order_is_the_tie_order if {
	tables.order == ["vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side", "container", "os_container"]
}

test_every_capability_pulls_one_way if {
	tables.sides == {
		"other_os": "vm", "own_kernel": "vm", "tenant_walls": "vm", "host_protected": "vm",
		"root_contained": "vm", "hardware_isolation": "vm", "live_migration": "vm", "whole_os": "vm",
		"strict_isolation": "vm", "mature_ha": "vm", "central_management": "vm", "familiar_tooling": "vm",
		"native_windows": "vm",
		"starts_in_milliseconds": "container", "starts_in_seconds": "container", "density": "container",
		"elastic": "container", "one_service_per_unit": "container", "versioned_images": "container",
		"packaged_environment": "container", "near_native": "container", "orchestration": "container",
		"namespaces": "container", "light_separation": "container",
	}
}

test_every_placement_covers_every_capability if {
	every p, degrees in tables.degrees {
		object.keys(degrees) == tables.capabilities
		object.keys(tables.statements[p]) == tables.capabilities
	}
}

test_rivals_recommend_something_else if {
	tables.rivals == {
		"vm": {"container", "os_container", "containers_in_vms", "orchestrator_in_vms", "side_by_side"},
		"container": {"vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side"},
		"os_container": {"vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side"},
		"containers_in_vms": {"vm", "container", "os_container"},
		"orchestrator_in_vms": {"vm", "container", "os_container"},
		"side_by_side": {"vm", "container", "os_container"},
	}
}
