# METADATA
# title: Decision
# description: |
#   How the factor rules' findings become one answer. A factor rule states a
#   need (a capability some placements lack) or a preference (a weighted
#   capability). Each placement, a package under data.advise.placements,
#   states with cited statements how far it serves each capability, from 1 in
#   full to 0 not at all. A placement that misses a need is out; among the rest
#   the preferences decide: a placement scores the weight of each preference
#   times how far it serves it, the best score wins, and ties go to the VM end
#   of the scale. Because every capability is served no better towards one end
#   of the scale than towards the other (advise.model checks it), a demand on
#   the VM side never moves the answer towards containers, and the other way
#   round.
#
#   The decision is written as functions of its facts (decide, choose,
#   confidence_of): the placement tables, the findings and what the
#   placements are for the workload (workload_facts), gathered by the facts
#   rule below. The functions read nothing else, input least of all: the
#   workload reaches the decision through the findings and workload_facts
#   (the engine refuses a policy whose functions read input). The rules of
#   this package are those functions applied to the facts; the engine applies
#   the same functions to the facts it gathers itself, and remembers what
#   they give.
package advise.decision

import data.advise.findings
import data.advise.layout as split
import data.advise.placements
import data.advise.tables

# METADATA
# title: Scale
# description: Where each recommendation sits on the scale the answer moves along, from VMs to containers.
scale := {"vm": 0, "hybrid": 1, "container": 2}

# METADATA
# title: Default parameters
# description: |
#   The decision's parameters as shipped. An organisation overrides any of
#   them by name in its data, data.advise.org.parameters; the engine refuses
#   a name not here and a value of another type than the default's.
default_parameters := {
	"tie_order": ["vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side", "container", "os_container"],
	"evidence_prior": 30,
	"firm_from": 0.7,
}

# METADATA
# title: Parameters
# description: The default parameters with the organisation's overrides.
parameters := object.union(default_parameters, _org_parameters)

_org_parameters := data.advise.org.parameters

default _org_parameters := {}

# METADATA
# title: Tie order
# description: Placements in the order a tie between their scores is broken, from the VM end of the scale to the container end, so a tie never moves the answer towards containers; among hybrids the simpler pattern first. advise.model refuses an order against the scale.
tie_order := parameters.tie_order

# METADATA
# title: Evidence prior
# description: Points of evidence that count as much as the doubt of knowing nothing (see confidence).
evidence_prior := parameters.evidence_prior

# METADATA
# title: Firm from
# description: The confidence from which an answer with enough data behind it is firm rather than leaning.
firm_from := parameters.firm_from

# METADATA
# title: Candidates
# description: The placements that apply to the workload, which is all of them but those whose applicable rule says otherwise.
candidates := object.keys(tables.recommendations) - {p | placements[p].applicable == false}

# METADATA
# title: Container forms
# description: For each candidate that runs containers, the form they take for the workload.
container_forms[p] := form if {
	some p in candidates
	form := placements[p].container_form
}

# METADATA
# title: Ranked candidates
# description: The candidates in the tables' order, the order ties are broken in.
ranked := [p | some p in tables.order; p in candidates]

# METADATA
# title: Workload facts
# description: What the decision needs to know of the placements for the workload in input, the only part of the facts that reads it.
workload_facts := {"candidates": candidates, "ranked": ranked, "container_forms": container_forms}

# METADATA
# title: Facts
# description: Everything the decision reads, in one object; the engine gathers the same object itself.
facts := object.union(workload_facts, {
	"tables": tables,
	"needs": findings.needs,
	"preferences": findings.preferences,
	"warnings": findings.warnings,
	"totals": findings.totals,
})

# METADATA
# title: Decide
# description: The decision over facts f (see facts), for the workload in input.
decide(f) := object.union_n([
	{
		"placement": p,
		"recommendation": f.tables.recommendations[p],
		"confidence": confidence_of(f, p),
		"scores": {q: f.totals.scores[q] | some q in f.candidates},
		"allowed": sort(_allowed(f, f.ranked)),
		"reasons": sort(object.keys(demands)),
		"constraints": _constraints(f),
		"unmet": _unmet(f, p, demands),
		"warnings": _warnings(f, p),
	},
	_optional("pattern", {x | x := f.tables.patterns[p]}),
	_optional("container_form", {x | x := f.container_forms[p]}),
	_optional("layout", {x | x := _layout(f, p, demands)}),
]) if {
	p := choose(f)
	demands := object.union(f.needs, f.preferences)
}

# METADATA
# title: Choose
# description: The allowed candidate with the best score, ties broken by their rank (tie_order first). Should no candidate meet every need (a policy can be written so), the ones that miss the least weight of needs compete instead, and the answer says what they miss.
choose(f) := [p | some p in field; f.totals.scores[p] == best][0] if {
	field := _field(f, f.ranked)
	best := max([f.totals.scores[p] | some p in field])
}

# METADATA
# title: Confidence of
# description: |
#   How clear-cut choosing placement p is, from 0.5 (a coin toss) to 1. It is
#   set by the closest alternative answer q, any candidate that recommends
#   something else:
#     margin(q) = (S - s(q) + N(q)) / (D(q) + N(q) + evidence_prior)
#   where S is p's score and s(q) the alternative's; D(q) is the weight of
#   preference on which the two differ (findings' contrast: evidence both
#   serve alike does not tell them apart), of which S - s(q) is the part for
#   the answer; and N(q) is the weight of the needs q misses that p meets, all
#   of it for the answer. confidence = 0.5 + 0.5 * max(0, the least margin),
#   rounded to 0.01. It is lower when preferences pull towards a placement
#   that needs rule out, and lower with little evidence. With p missing a
#   need it is 0.5.
confidence_of(f, p) := 0.5 if {
	count(f.totals.missed[p]) > 0
} else := _round2(0.5 + (0.5 * max({0, min(margins)}))) if {
	margins := _margins(f, p)
	count(margins) > 0
} else := 1

# METADATA
# title: Result
# description: The decision the engine remembers and presents, for the fired findings and the few input fields the placements read.
result := decide(facts)

# METADATA
# title: Verdict
# description: The recommended placement, all most what-if variations need; choose reads the findings' totals alone, as confidence_of does.
verdict := {"placement": choose(facts)}

# METADATA
# title: Placement
# description: The recommended placement.
placement := result.placement

# METADATA
# title: Recommendation
# description: What the recommended placement answers; with its pattern for a hybrid, and its container form where it runs containers.
recommendation := result.recommendation

# METADATA
# title: Pattern
# description: The hybrid pattern of the recommended placement.
pattern := result.pattern

# METADATA
# title: Container form
# description: Application containers, or OS containers where every instance runs a whole OS.
container_form := result.container_form

# METADATA
# title: Confidence
# description: How clear-cut the decision is (see confidence_of).
confidence := result.confidence

# METADATA
# title: Scores
# description: For each candidate, the weight of every fired preference times how far the candidate serves it.
scores := result.scores

# METADATA
# title: Missed needs
# description: For each candidate, the fired needs it does not serve in full, each with its weight.
missed := {p: findings.totals.missed[p] | some p in candidates}

# METADATA
# title: Allowed
# description: The candidates that meet every fired need.
allowed := {p | some p in result.allowed}

# METADATA
# title: Reasons
# description: Every need and preference that fired, by rule id.
reasons := result.reasons

# METADATA
# title: Constraints
# description: Each fired need that rules candidates out, with the candidates it rules out.
constraints := result.constraints

# METADATA
# title: Unmet
# description: Every fired need and preference the recommended placement does not serve in full, with how far it serves it and the id of the placement's statement that says why.
unmet := result.unmet

# METADATA
# title: Warnings
# description: The fired warnings that apply to the recommended placement, named in applies_to by the placement or by its recommendation.
warnings := result.warnings

# METADATA
# title: Layout
# description: For a hybrid, how it groups the containers into VMs and what each layer provides, each demand with the placement's statement that serves it.
layout := result.layout

# METADATA
# title: Answer
# description: The whole decision for the workload in input, with the band as far as the rules alone can tell it (the engine also counts the inputs left out that would change the answer, which takes asking the rules again) and, for a hybrid, what the guest operating systems cost.
answer := object.union(result, {"band": band(result.confidence, 0, count(_stated))}) if {
	not result.layout
} else := object.union(result, {
	"band": band(result.confidence, 0, count(_stated)),
	"layout": object.union(result.layout, {"guest_os": split.sizing(result.layout.grouping)}),
})

# METADATA
# title: Band
# description: The confidence band. Insufficient data when more of the inputs the caller left out would change the answer (decisive) than the caller gave inputs the rules read (stated); otherwise firm from firm_from, else leaning.
band(c, decisive, stated) := "insufficient_data" if {
	decisive > stated
} else := "firm" if {
	c >= firm_from
} else := "leaning"

# The inputs the caller gave, but for the name, which no rule reads.
_stated := {k | some k, _ in input; k != "name"}

# The ranked candidates that meet every need, and the ones that compete for
# the answer; choose reads only these and the totals.
_allowed(f, ranked) := [p | some p in ranked; count(f.totals.missed[p]) == 0]

_field(f, ranked) := allowed if {
	allowed := _allowed(f, ranked)
	count(allowed) > 0
} else := [p | some p in ranked; _missed_weight(f, p) == min({_missed_weight(f, q) | some q in ranked})]

_missed_weight(f, p) := sum([w | some w in f.totals.missed[p]])

_margins(f, p) := {m |
	some q in f.candidates
	f.tables.recommendations[q] != f.tables.recommendations[p]
	against := sum([w | some id, w in f.totals.missed[q]; not f.totals.missed[p][id]])
	m := ((f.totals.scores[p] - f.totals.scores[q]) + against) / ((f.totals.contrast[p][q] + against) + evidence_prior)
}

_constraints(f) := {id: out |
	some id, _ in f.needs
	out := sort([p | some p in f.candidates; f.totals.missed[p][id]])
	count(out) > 0
}

_unmet(f, p, demands) := {id: {"degree": d, "because": s} |
	some id, dem in demands
	d := object.get(f.tables.degrees[p], dem.custom.capability, 0)
	d < 1
	s := object.get(f.tables.statements[p], dem.custom.capability, null)
}

_warnings(f, p) := sort([id | some id, w in f.warnings; _applies(f, p, w.custom.applies_to)])

_applies(_, p, to) if p in to

_applies(f, p, to) if f.tables.recommendations[p] in to

_layout(f, p, demands) := {
	"grouping": split.grouping_of(demands),
	"vm_layer": _layer(f, p, demands, "vm"),
	"container_layer": _layer(f, p, demands, "container"),
} if f.tables.recommendations[p] == "hybrid"

_layer(f, p, demands, side) := {id: f.tables.statements[p][d.custom.capability] |
	some id, d in demands
	f.tables.sides[d.custom.capability] == side
	object.get(f.tables.degrees[p], d.custom.capability, 0) > 0
}

_optional(key, values) := {key: v | some v in values}

_round2(x) := round(x * 100) / 100
