# METADATA
# title: Model checks
# description: |
#   What must hold of the placements for the decision to mean what it says.
#   The engine refuses to load a policy for which problems is not empty.
#   Monotone: along the scale from VMs to containers, every capability is
#   served no better at one end than at the other end and no worse in between;
#   so adding a demand that pulls towards VMs can only favour placements nearer
#   the VM end, and a need that rules out a hybrid rules out every container
#   placement too.
package advise.model

import data.advise.decision
import data.advise.placements
import data.advise.tables

# METADATA
# title: Problems
# description: Every way the placements or the tie order break the model, one sentence each.
problems contains msg if {
	some p, pl in placements
	not decision.scale[pl.recommendation]
	msg := sprintf("placement %s recommends %v, which is not one of %v", [p, object.get(pl, "recommendation", null), object.keys(decision.scale)])
}

problems contains msg if {
	some p, pl in placements
	pl.recommendation == "hybrid"
	not is_string(pl.pattern)
	msg := sprintf("placement %s is a hybrid without a pattern", [p])
}

problems contains msg if {
	some p, pl in placements
	some c, s in pl.serves
	not _unit(s.degree)
	msg := sprintf("placement %s serves %s to degree %v; a degree runs from 0 to 1", [p, c, s.degree])
}

problems contains msg if {
	some p in decision.tie_order
	not placements[p]
	msg := sprintf("tie_order names %s, which is not a placement", [p])
}

problems contains msg if {
	some i, p in decision.tie_order
	some j, q in decision.tie_order
	i < j
	_level(p) > _level(q)
	msg := sprintf("tie_order puts %s before %s, which sits nearer the VM end of the scale", [p, q])
}

problems contains msg if {
	some c, side in tables.sides
	some lower in _levels
	some upper in _levels
	lower < upper
	not _ordered(c, side, lower, upper)
	msg := sprintf("capability %s (side %s) is not served monotonically along the scale: %v at level %d against %v at level %d", [c, side, _degrees(lower, c), lower, _degrees(upper, c), upper])
}

_levels := {l | some l in tables.levels}

_level(p) := decision.scale[placements[p].recommendation]

_degrees(level, c) := {object.get(tables.degrees[p], c, 0) | some p, l in tables.levels; l == level}

_ordered(c, "vm", lower, upper) if max(_degrees(upper, c)) <= min(_degrees(lower, c))

_ordered(c, "container", lower, upper) if max(_degrees(lower, c)) <= min(_degrees(upper, c))

_ordered(c, "none", lower, upper) if count(_degrees(lower, c) | _degrees(upper, c)) == 1

_unit(x) if {
	is_number(x)
	x >= 0
	x <= 1
}
