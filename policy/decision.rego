# METADATA
# title: Decision
# description: |
#   Combines what the factor rules found into one answer: hard constraints exclude
#   options, the remaining reasons are weighted points, and conflicts between VM-only
#   and container-only demands resolve to the hybrid pattern that serves both.
package advise.decision

import data.advise.findings
import data.advise.hybrid

# METADATA
# title: Answer
# description: The advice for the workload in input, naming each fired rule by its id; the engine presents the rules from their annotations.
answer := object.union(
	{
		"recommendation": recommendation,
		"confidence": confidence,
		"scores": scores,
		"reasons": object.keys(reasons),
		"constraints": object.keys(constraints),
		"warnings": object.keys(warnings),
	},
	_pattern_field,
)

# METADATA
# title: Reasons
# description: Every reason that fired, factor rules and the hybrid pattern alike.
reasons := object.union(findings.reasons, hybrid.reasons)

# METADATA
# title: Constraints
# description: Every hard exclusion that fired.
constraints := findings.constraints

# METADATA
# title: Excluded options
# description: The options a constraint rules out.
excluded := {c.custom.excludes | some c in constraints}

# METADATA
# title: Warnings
# description: The warnings that apply to the recommended option.
warnings := {id: w |
	some id, w in findings.warnings
	recommendation in w.custom.applies_to
}

# METADATA
# title: Scores
# description: |
#   Points per option: VM and container collect the weights of the reasons and
#   constraints favouring them; hybrid collects the weights of the demands its
#   pattern reconciles, and is zero when no pattern applies.
scores := {
	"vm": sum([w | some [favors, w] in _favoured; favors == "vm"]),
	"container": sum([w | some [favors, w] in _favoured; favors == "container"]),
	"hybrid": _hybrid_points,
}

# METADATA
# title: Recommendation
# description: A hybrid pattern wins when one applies; otherwise a constraint decides; otherwise the higher score, with ties going to VMs, the conservative choice.
recommendation := "hybrid" if {
	hybrid.pattern
} else := "vm" if {
	"container" in excluded
} else := "container" if {
	"vm" in excluded
} else := "container" if {
	scores.container > scores.vm
} else := "vm"

# METADATA
# title: Confidence
# description: |
#   0.5 means a coin toss, 1 a clear-cut case. For VM or container it grows with the
#   margin over the other option, damped by how little evidence there is; a
#   constraint that excludes the other option lifts it to at least 0.9. For a hybrid
#   it grows with the weaker of the two sides the pattern reconciles.
confidence := _round2(0.5 + ((0.5 * _weaker_side) / (_weaker_side + evidence_prior))) if {
	recommendation == "hybrid"
} else := _round2(max([_margin_confidence, 0.9])) if {
	_other_option in excluded
} else := _round2(_margin_confidence)

# METADATA
# title: Evidence prior
# description: Points of evidence that count as much as the doubt of knowing nothing; a one-sided case with this many points scores 0.75.
evidence_prior := 30

# _favoured reads each fired rule's side and weight once per evaluation.
_favoured := [[x.custom.favors, x.custom.weight] |
	some fired in [findings.reasons, hybrid.reasons, findings.constraints]
	some x in fired
]

_hybrid_points := sum([w | some w in hybrid.vm_side]) + sum([w | some w in hybrid.container_side]) if {
	hybrid.pattern
} else := 0

_other_option := "container" if {
	recommendation == "vm"
} else := "vm"

_other_points := 0 if {
	_other_option in excluded
} else := scores[_other_option]

_margin_confidence := 0.5 + ((0.5 * (scores[recommendation] - _other_points)) / ((scores[recommendation] + _other_points) + evidence_prior))

_weaker_side := min([
	sum([w | some w in hybrid.vm_side]),
	sum([w | some w in hybrid.container_side]),
])

_round2(x) := round(x * 100) / 100

_pattern_field := {"hybrid_pattern": hybrid.pattern} if {
	hybrid.pattern
} else := {}

# METADATA
# title: Verdict
# description: The recommendation alone, for evaluating many variations of one input cheaply (what-if and ask-next).
verdict := object.union(
	{"recommendation": recommendation, "confidence": confidence},
	_pattern_field,
)
