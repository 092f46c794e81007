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
# title: Tie order
# description: Placements in the order a tie between their scores is broken, from the VM end of the scale to the container end, so a tie never moves the answer towards containers; among hybrids the simpler pattern first.
tie_order := ["vm", "containers_in_vms", "orchestrator_in_vms", "side_by_side", "container", "os_container"]

# METADATA
# title: Evidence prior
# description: Points of evidence that count as much as the doubt of knowing nothing (see confidence).
evidence_prior := 30

# METADATA
# title: Firm from
# description: The confidence from which an answer with enough data behind it is firm rather than leaning.
firm_from := 0.7

# METADATA
# title: Candidates
# description: The placements that apply to the workload, which is all of them but those whose applicable rule says otherwise.
candidates := object.keys(tables.recommendations) - {p | placements[p].applicable == false}

# METADATA
# title: Missed needs
# description: For each candidate, the fired needs it does not serve in full, each with its weight.
missed := {p: findings.totals.missed[p] | some p in candidates}

# METADATA
# title: Allowed
# description: The candidates that meet every fired need.
allowed := {p | some p in _allowed}

# METADATA
# title: Scores
# description: For each candidate, the weight of every fired preference times how far the candidate serves it.
scores := {p: findings.totals.scores[p] | some p in candidates}

# METADATA
# title: Placement
# description: The allowed placement with the best score, ties broken by tie_order. Should no placement meet every need (a policy can be written so), the ones that miss the least weight of needs compete instead, and the answer says what they miss.
placement := [p | some p in _field; findings.totals.scores[p] == _best][0]

# METADATA
# title: Recommendation
# description: What the recommended placement answers; with its pattern for a hybrid, and its container form where it runs containers.
recommendation := tables.recommendations[placement]

# METADATA
# title: Pattern
# description: The hybrid pattern of the recommended placement.
pattern := tables.patterns[placement]

# METADATA
# title: Container form
# description: Application containers, or OS containers where every instance runs a whole OS.
container_form := placements[placement].container_form

# METADATA
# title: Confidence
# description: |
#   How clear-cut the decision is, from 0.5 (a coin toss) to 1. It is set by
#   the closest alternative answer q, any candidate that recommends something
#   else:
#     margin(q) = (S - s(q) + N(q)) / (D(q) + N(q) + evidence_prior)
#   where S is the recommended placement's score and s(q) the alternative's;
#   D(q) is the weight of preference on which the two differ (findings'
#   contrast: evidence both serve alike does not tell them apart), of which
#   S - s(q) is the part for the answer; and N(q) is the weight of the needs
#   q misses that the answer meets, all of it for the answer.
#   confidence = 0.5 + 0.5 * max(0, the least margin), rounded to 0.01. It
#   is lower when preferences pull towards a placement that needs rule out,
#   and lower with little evidence. With no placement meeting every need it
#   is 0.5.
confidence := 0.5 if {
	count(findings.totals.missed[placement]) > 0
} else := _round2(0.5 + (0.5 * max({0, min(_margins)}))) if {
	count(_alternatives) > 0
} else := 1

# METADATA
# title: Reasons
# description: Every need and preference that fired, by rule id.
reasons := sort(object.keys(_demands))

# METADATA
# title: Constraints
# description: Each fired need that rules candidates out, with the candidates it rules out.
constraints[id] := out if {
	some id, n in findings.needs
	out := sort([p | some p in candidates; missed[p][id]])
	count(out) > 0
}

# METADATA
# title: Unmet
# description: Every fired need and preference the recommended placement does not serve in full, with how far it serves it and the id of the placement's statement that says why.
unmet[id] := {"degree": d, "because": s} if {
	some id, dem in _demands
	d := object.get(tables.degrees[placement], dem.custom.capability, 0)
	d < 1
	s := object.get(tables.statements[placement], dem.custom.capability, null)
}

# METADATA
# title: Warnings
# description: The fired warnings that apply to the recommended placement, named in applies_to by the placement or by its recommendation.
warnings := sort([id | some id, w in findings.warnings; _applies(w.custom.applies_to)])

# METADATA
# title: Layout
# description: For a hybrid, how it groups the containers into VMs and what each layer provides, each demand with the placement's statement that serves it.
layout := {
	"grouping": split.grouping,
	"vm_layer": _layer("vm"),
	"container_layer": _layer("container"),
} if recommendation == "hybrid"

# METADATA
# title: Verdict
# description: The recommended placement, all most what-if variations need; it reads the findings' totals alone, as confidence does.
verdict := {"placement": placement}

# METADATA
# title: Result
# description: The decision the engine remembers and presents, for the fired findings and the few input fields the placements read.
result := object.union_n([
	{
		"placement": placement,
		"recommendation": recommendation,
		"confidence": confidence,
		"scores": scores,
		"allowed": sort(allowed),
		"reasons": reasons,
		"constraints": constraints,
		"unmet": unmet,
		"warnings": warnings,
	},
	_optional("pattern", {x | x := pattern}),
	_optional("container_form", {x | x := container_form}),
	_optional("layout", {x | x := layout}),
])

# METADATA
# title: Answer
# description: The whole decision for the workload in input, with the band as far as the rules alone can tell it (the engine also counts the inputs left out that would change the answer, which takes asking the rules again) and, for a hybrid, what the guest operating systems cost.
answer := object.union(result, {"band": band(confidence, 0, count(_stated))}) if {
	not layout
} else := object.union(result, {
	"band": band(confidence, 0, count(_stated)),
	"layout": object.union(layout, {"guest_os": split.sizing(layout.grouping)}),
})

# METADATA
# title: Band
# description: The confidence band. Insufficient data when more of the inputs the caller left out would change the answer (decisive) than the caller gave inputs the rules read (stated); otherwise firm from firm_from, else leaning.
band(c, decisive, stated) := "insufficient_data" if {
	decisive > stated
} else := "firm" if {
	c >= firm_from
} else := "leaning"

_demands := object.union(findings.needs, findings.preferences)

# The inputs the caller gave, but for the name, which no rule reads.
_stated := {k | some k, _ in input; k != "name"}

# The candidates in tie order, those that meet every need, and the ones that
# compete for the answer; the verdict reads only these and the totals.
_ranked := [p | some p in tables.order; p in candidates]

_allowed := [p | some p in _ranked; count(findings.totals.missed[p]) == 0]

_field := _allowed if {
	count(_allowed) > 0
} else := [p | some p in _ranked; _missed_weight(p) == min({_missed_weight(q) | some q in _ranked})]

_missed_weight(p) := sum([w | some w in findings.totals.missed[p]])

_best := max([findings.totals.scores[p] | some p in _field])

_alternatives := {q | some q in candidates; tables.recommendations[q] != recommendation}

_margins := {m |
	some q in _alternatives
	against := sum([w | some id, w in findings.totals.missed[q]; not findings.totals.missed[placement][id]])
	m := ((_score - findings.totals.scores[q]) + against) / ((findings.totals.contrast[placement][q] + against) + evidence_prior)
}

_score := findings.totals.scores[placement]

_applies(to) if placement in to

_applies(to) if recommendation in to

_layer(side) := {id: tables.statements[placement][d.custom.capability] |
	some id, d in _demands
	tables.sides[d.custom.capability] == side
	object.get(tables.degrees[placement], d.custom.capability, 0) > 0
}

_optional(key, values) := {key: v | some v in values}

_round2(x) := round(x * 100) / 100
