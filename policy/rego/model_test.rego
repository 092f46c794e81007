# METADATA
# title: Model check tests
# description: The shipped placements hold the model, and each kind of break is found and named.
package advise.model_test

import data.advise.model

test_the_shipped_placements_hold_the_model if {
	model.problems == set()
}

import data.advise.placements.vm

test_a_hybrid_serving_better_than_vms_breaks_monotony if {
	weaker := object.union(vm.serves, {"live_migration": {"id": "vm.virtualisation_platform", "degree": 0.5}})
	problems := model.problems with data.advise.placements.vm.serves as weaker
	problems == {"capability live_migration (side vm) is not served monotonically along the scale: {0.5} at level 0 against {0, 1} at level 1"}
}

test_a_degree_out_of_range if {
	broken := object.union(vm.serves, {"density": {"id": "vm.guest_os_weight", "degree": 2}})
	problems := model.problems with data.advise.placements.vm.serves as broken
	"placement vm serves density to degree 2; a degree runs from 0 to 1" in problems
}

test_a_tie_order_against_the_scale if {
	problems := model.problems with data.advise.decision.tie_order as ["container", "vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side", "os_container"]
	"tie_order puts container before vm, which sits nearer the VM end of the scale" in problems
	count(problems) == 4
}

test_a_placement_recommending_nothing_known if {
	problems := model.problems with data.advise.placements.vm.recommendation as "mainframe"
	"placement vm recommends mainframe, which is not one of {\"container\", \"hybrid\", \"vm\"}" in problems
}
