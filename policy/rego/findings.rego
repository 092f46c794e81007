# METADATA
# title: Findings
# description: |
#   Everything the factor packages found for the input, gathered from every
#   package under data.advise.factors by its path: a new factor package is
#   picked up without editing this file. needs, preferences and warnings are
#   keyed by rule id, with the rule's annotation as the value; totals is what
#   they add up to for each placement (see contribution).
#
#   The engine evaluates each factor package on its own, with its
#   contribution, remembers both by the input fields the package reads, and
#   hands the decision these documents gathered: the ids and annotations
#   united, the contributions added up. Contributions add up because a score
#   is a sum over preferences and the missed needs a union over needs. `opa
#   eval` and the Rego tests gather everything here.
package advise.findings

import data.advise.factors
import data.advise.tables

# METADATA
# title: Needs
# description: Every need that fired, rule id to annotation.
needs := {id: n | some pkg; some id, n in factors[pkg].needs}

# METADATA
# title: Preferences
# description: Every preference that fired, rule id to annotation.
preferences := {id: p | some pkg; some id, p in factors[pkg].preferences}

# METADATA
# title: Warnings
# description: Every warning that fired, rule id to annotation, before the decision keeps those that apply to the recommended placement.
warnings := {id: w | some pkg; some id, w in factors[pkg].warnings}

# METADATA
# title: Totals
# description: The contribution of all the findings.
totals := contribution(needs, preferences)

# METADATA
# title: Contribution
# description: |
#   What some needs and preferences (rule id to annotation) add to each
#   placement: its score, the weight of every preference times how far the
#   placement serves it; the needs it misses, each with its weight; and, for
#   each of its rivals (the placements that recommend something else), the
#   weight of preference on which the two differ (each preference's weight
#   times the difference in how far they serve it), which the decision's
#   confidence weighs a margin against.
contribution(ns, ps) := {
	"scores": {p: sum([x | some pull in pulls; x := pull[p]]) | some p, _ in tables.degrees},
	"missed": {p: {id: n.custom.weight | some id, n in ns; object.get(degrees, n.custom.capability, 0) < 1} |
		some p, degrees in tables.degrees
	},
	"contrast": {p: {q: sum([x | some pull in pulls; x := abs(pull[p] - pull[q])]) | some q in qs} |
		some p, qs in tables.rivals
	},
} if {
	pulls := [_pull(d) | some d in ps]
}

# What a preference adds to each placement: its weight times how far the
# placement serves it.
_pull(d) := {p: w | some p, degrees in tables.degrees; w := d.custom.weight * object.get(degrees, d.custom.capability, 0)}
