# METADATA
# title: Placement tables
# description: |
#   What the placements state, laid out as the decision looks it up: for each
#   placement its recommendation and place on the scale, and how far, and by
#   which statement, it serves each capability; for each capability the end of
#   the scale it pulls towards. Nothing here reads the input, so the engine
#   evaluates this package once, when it loads the policy, and hands the
#   result to every decision (it checks that nothing here reads the input).
package advise.tables

import data.advise.decision
import data.advise.placements

# METADATA
# title: Recommendations
# description: What each placement recommends.
recommendations[p] := r if r := placements[p].recommendation

# METADATA
# title: Patterns
# description: The pattern of each hybrid placement.
patterns[p] := pattern if pattern := placements[p].pattern

# METADATA
# title: Order
# description: Every placement in the order ties are broken, the decision's tie_order first and any other placement after it by name.
order := array.concat(decision.tie_order, sort([p | some p, _ in recommendations; not p in decision.tie_order]))

# METADATA
# title: Levels
# description: Where each placement sits on the scale from VMs to containers.
levels[p] := decision.scale[r] if some p, r in recommendations

# METADATA
# title: Degrees
# description: For each placement, how far it serves each capability one of its statements covers.
degrees[p] := {c: s.degree | some c, s in placements[p].serves} if some p, _ in recommendations

# METADATA
# title: Statements
# description: For each placement, the statement that says how far it serves each capability.
statements[p] := {c: s.id | some c, s in placements[p].serves} if some p, _ in recommendations

# METADATA
# title: Capabilities
# description: Every capability a placement states how far it serves.
capabilities := {c | some table in degrees; some c, _ in table}

# METADATA
# title: Rivals
# description: For each placement, the placements that recommend something else, the alternatives the confidence in it is measured against.
rivals[p] := {q | some q, r in recommendations; r != recommendations[p]} if some p, _ in recommendations

# METADATA
# title: Sides
# description: The end of the scale each capability pulls towards, from how the placements at either end serve it, none where they serve it alike. How the placements at one end serve it is their worst and their best degree together, so that one placement apart at an end (OS containers serve a whole OS, application containers do not) still tells.
sides[c] := _side(c) if some c in capabilities

_side(c) := "vm" if {
	_end(0, c) > _end(2, c)
} else := "container" if {
	_end(0, c) < _end(2, c)
} else := "none"

_end(level, c) := min(ds) + max(ds) if {
	ds := {object.get(degrees[p], c, 0) | some p, l in levels; l == level}
}
