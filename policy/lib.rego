# METADATA
# title: Rule library
# description: |
#   How a fired rule reads in an answer. A factor rule contributes its own METADATA
#   annotation (rego.metadata.rule()) to the findings, so its title, summary, weight
#   and citations live in the annotation and nowhere else; the decision reads weights,
#   sides and exclusions from those annotations and names the fired rules by id. The
#   builders below turn an annotation into the reason, constraint or warning an answer
#   shows. The engine does the same in Go from the compiled annotations, because
#   building these objects in Rego cost about 25 µs per fired rule on every evaluation,
#   what-if variations included; the Go tests check that it presents every rule
#   exactly as these builders do, and the Rego tests read findings through present.
package advise.lib

import data.advise.sources

# METADATA
# title: Present
# description: The answer's view of a set of fired rules' annotations, each built by its kind.
present(fired) := {_presented(m) | some m in fired}

_presented(m) := reason(m) if {
	m.custom.kind == "reason"
} else := constraint(m) if {
	m.custom.kind == "constraint"
} else := warning(m)

# METADATA
# title: Reason
# description: A rule that fired and pushes the answer towards the option it favours.
reason(meta) := {
	"rule": meta.custom.id,
	"title": meta.title,
	"favors": meta.custom.favors,
	"weight": meta.custom.weight,
	"summary": meta.description,
	"summary_zh": meta.custom.summary_zh,
	"citations": cite(meta),
	"conflict_side": object.get(meta.custom, "conflict_side", "none"),
}

# METADATA
# title: Constraint
# description: A hard exclusion; it also adds its weight to the option it favours.
constraint(meta) := {
	"rule": meta.custom.id,
	"title": meta.title,
	"excludes": meta.custom.excludes,
	"favors": meta.custom.favors,
	"weight": meta.custom.weight,
	"summary": meta.description,
	"summary_zh": meta.custom.summary_zh,
	"citations": cite(meta),
	"conflict_side": object.get(meta.custom, "conflict_side", "none"),
}

# METADATA
# title: Warning
# description: A risk to manage when the answer is one of the options it applies to.
warning(meta) := {
	"rule": meta.custom.id,
	"title": meta.title,
	"applies_to": meta.custom.applies_to,
	"summary": meta.description,
	"summary_zh": meta.custom.summary_zh,
	"citations": cite(meta),
}

# METADATA
# title: Citations
# description: The rule's citations with each source's title taken from the catalog.
cite(meta) := [{"source": c.source, "title": sources.catalog[c.source].title, "locator": c.locator} |
	some c in meta.custom.citations
]
