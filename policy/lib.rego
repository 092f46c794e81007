# METADATA
# title: Rule library
# description: |
#   Builds reasons, constraints and warnings from a rule's own METADATA, so that a
#   rule's title, summary, weight and citations live in its annotation and nowhere else.
package advise.lib

import data.advise.sources

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
