# METADATA
# title: Decision tests
# description: |
#   The decision for realistic workloads, each compared as a whole (placement,
#   confidence, constraints, unmet, warnings, scores and grouping), the cases
#   the model was rewritten for among them; and the model's mechanics on
#   findings made up for the test: the tie order, a placement ruled out by a
#   need, no placement meeting every need, the band.
package advise.decision_test

import data.advise.decision
import data.advise.lib_test

_summary(fields) := {
	"placement": decision.placement,
	"confidence": decision.confidence,
	"constraints": decision.constraints,
	"unmet": decision.unmet,
	"warnings": decision.warnings,
	"scores": decision.scores,
	"grouping": object.get(decision, ["layout", "grouping"], null),
} if {
	lib_test.with_fields(fields) == input
}

# Code from outsiders is a need only a VM boundary meets: the container
# preferences do not outvote it; the orchestrator runs inside VMs, one per
# trust boundary.
test_code_from_outsiders if {
	w := lib_test.with_fields({"untrusted_code": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "weekly"})
	_summary({"untrusted_code": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "weekly"}) == {
		"placement": "orchestrator_in_vms",
		"confidence": 0.8,
		"constraints": {"isolation.untrusted_code": ["container"]},
		"unmet": {},
		"warnings": [],
		"scores": {"container": 45, "containers_in_vms": 35, "orchestrator_in_vms": 45, "vm": 0},
		"grouping": "layout.per_trust_boundary",
	} with input as w
}

# Root is contained by VMs, and the warning says how to contain it rather
# than to do without it.
test_root if {
	w := lib_test.with_fields({"requires_root": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily"})
	_summary({"requires_root": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily"}) == {
		"placement": "orchestrator_in_vms",
		"confidence": 0.72,
		"constraints": {"isolation.requires_root": ["container"]},
		"unmet": {"isolation.single_organisation": {"because": "containers_in_vms.two_layers", "degree": 0}},
		"warnings": ["isolation.contain_root"],
		"scores": {"container": 65, "containers_in_vms": 45, "orchestrator_in_vms": 55, "vm": 0},
		"grouping": "layout.per_trust_boundary",
	} with input as w
}

# Tenants that do not trust each other get VMs of their own, and the answer
# says what that costs in performance.
test_tenants_that_do_not_trust_each_other if {
	fields := {"multi_tenant": true, "architecture": "microservices", "orchestrator": "kubernetes", "release_frequency": "daily", "env_drift_pain": true, "performance_sensitive": true}
	_summary(fields) == {
		"placement": "orchestrator_in_vms",
		"confidence": 0.76,
		"constraints": {"isolation.untrusted_tenants": ["container"]},
		"unmet": {"agility.near_native_performance": {"because": "containers_in_vms.hypervisor_in_the_path", "degree": 0}},
		"warnings": [],
		"scores": {"container": 80, "containers_in_vms": 55, "orchestrator_in_vms": 65, "vm": 0},
		"grouping": "layout.per_tenant",
	} with input as lib_test.with_fields(fields)
}

# An own kernel and a 500 ms SLA: VMs miss the one, containers the other, so
# containers and their orchestrator run inside VMs that carry the kernel, and
# the density they pay for it is said. The orchestrator is part of the answer,
# so there is no warning that one is missing.
test_own_kernel_with_fast_start_and_density if {
	fields := {"custom_kernel": true, "startup_sla_ms": 500, "density": "high", "scaling": "elastic"}
	_summary(fields) == {
		"placement": "orchestrator_in_vms",
		"confidence": 0.75,
		"constraints": {"agility.startup_subsecond": ["vm"], "platform.custom_kernel": ["container"]},
		"unmet": {
			"agility.high_density": {"because": "containers_in_vms.guest_os_per_vm", "degree": 0.5},
			"isolation.single_organisation": {"because": "containers_in_vms.two_layers", "degree": 0},
		},
		"warnings": ["operations.warm_vm_capacity"],
		"scores": {"container": 60, "containers_in_vms": 25, "orchestrator_in_vms": 37.5, "vm": 0},
		"grouping": "layout.per_os",
	} with input as lib_test.with_fields(fields)
}

# Linux services on Windows hosts: Linux VMs carry the orchestrator.
test_linux_services_on_windows_hosts if {
	fields := {"host_os": "windows", "architecture": "microservices", "scaling": "elastic", "orchestrator": "kubernetes"}
	_summary(fields) == {
		"placement": "orchestrator_in_vms",
		"confidence": 0.82,
		"constraints": {"platform.guest_os_differs": ["container"]},
		"unmet": {"isolation.single_organisation": {"because": "containers_in_vms.two_layers", "degree": 0}},
		"warnings": ["operations.warm_vm_capacity"],
		"scores": {"container": 75, "containers_in_vms": 42.5, "orchestrator_in_vms": 65, "vm": 0},
		"grouping": "layout.per_os",
	} with input as lib_test.with_fields(fields)
}

# Side by side only where the workload has parts of both kinds.
test_side_by_side_for_mixed_components if {
	fields := {"needs_windows": true, "architecture": "microservices", "mixed_components": true, "scaling": "elastic", "orchestrator": "kubernetes"}
	decision.placement == "side_by_side" with input as lib_test.with_fields(fields)
	decision.placement == "orchestrator_in_vms" with input as lib_test.with_fields(object.union(fields, {"mixed_components": false}))
}

# A fleet of whole-OS instances gets OS containers, not application
# containers, and no Kubernetes advice.
test_whole_os_fleet if {
	fields := {"full_os": true, "density": "high", "instances": 500}
	_summary(fields) == {
		"placement": "os_container",
		"confidence": 0.71,
		"constraints": {"operations.full_os": ["container"]},
		"unmet": {},
		"warnings": ["operations.os_container_templates"],
		"scores": {"container": 35, "containers_in_vms": 12.5, "orchestrator_in_vms": 12.5, "os_container": 35, "vm": 0},
		"grouping": null,
	} with input as lib_test.with_fields(fields)
	decision.container_form == "os" with input as lib_test.with_fields(fields)
}

test_the_defaults if {
	_summary({}) == {
		"placement": "container",
		"confidence": 0.63,
		"constraints": {},
		"unmet": {},
		"warnings": [],
		"scores": {"container": 10, "containers_in_vms": 0, "orchestrator_in_vms": 0, "vm": 0},
		"grouping": null,
	} with input as lib_test.base_input
}

# The mechanics, on totals made up for the test.

_totals(scores, missed) := {
	"scores": object.union({p: 0 | some p in _all}, scores),
	"missed": object.union({p: {} | some p in _all}, missed),
	"contrast": {p: {q: abs(object.get(scores, p, 0) - object.get(scores, q, 0)) | some q in _all} | some p in _all},
}

_all := {"vm", "container", "containers_in_vms", "orchestrator_in_vms"}

test_a_tie_goes_to_the_vm_end_of_the_scale if {
	decision.placement == "vm" with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"vm": 10, "container": 10}, {})
	decision.placement == "containers_in_vms" with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"containers_in_vms": 10, "orchestrator_in_vms": 10, "container": 10}, {})
}

test_a_need_rules_a_placement_out_whatever_it_scores if {
	decision.placement == "vm" with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"vm": 1, "container": 100}, {"container": {"n": 50}, "containers_in_vms": {"n": 50}, "orchestrator_in_vms": {"n": 50}})
}

test_with_no_placement_meeting_every_need_the_fewest_missed_compete if {
	missed := {"vm": {"a": 50, "b": 50}, "container": {"a": 50}, "containers_in_vms": {"a": 50, "b": 50}, "orchestrator_in_vms": {"a": 50, "b": 50}}
	decision.placement == "container" with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"vm": 100}, missed)
	decision.confidence == 0.5 with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"vm": 100}, missed)
}

# margin against vm: (40 - 0 + 0) / (40 + 0 + 30); against the hybrids
# (40 - 20) / (20 + 30): the least margin is 0.4, the confidence 0.7.
test_confidence_is_set_by_the_closest_alternative if {
	decision.confidence == 0.7 with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"container": 40, "containers_in_vms": 20, "orchestrator_in_vms": 20}, {})
}

# The need the others miss counts for the answer against them: against the
# hybrids (40 - 20 + 60) / (20 + 60 + 30) = 0.727 against 0.4 without it.
test_a_need_against_an_alternative_counts_for_the_answer if {
	decision.confidence == 0.86 with input as lib_test.base_input
		with data.advise.findings.totals as _totals({"vm": 0, "container": 40, "containers_in_vms": 20, "orchestrator_in_vms": 20}, {"containers_in_vms": {"n": 60}, "orchestrator_in_vms": {"n": 60}, "vm": {"n": 60}})
}

test_bands if {
	decision.band(0.9, 3, 2) == "insufficient_data"
	decision.band(0.7, 2, 2) == "firm"
	decision.band(0.69, 0, 5) == "leaning"
}

test_the_verdict_is_the_placement if {
	decision.verdict == {"placement": "container"} with input as lib_test.base_input
}
