# METADATA
# title: Rule library tests
# description: |
#   Tests of the builders in advise.lib, and the resolved input every other test
#   package starts from: all contract fields at their defaults, the optional
#   numbers absent, exactly as api.Request.Resolve and the engine build it.
package advise.lib_test

import data.advise.lib

# METADATA
# title: Base input
# description: A resolved single-tenant workload with every default applied; tests override fields with object.union.
base_input := {
	"name": "",
	"multi_tenant": false,
	"tenants_trusted": false,
	"needs_windows": false,
	"host_os": "linux",
	"custom_kernel": false,
	"requires_root": false,
	"untrusted_code": false,
	"isolation": "standard",
	"density": "medium",
	"scaling": "static",
	"architecture": "monolith",
	"full_os": false,
	"release_frequency": "monthly",
	"env_drift_pain": false,
	"performance_sensitive": false,
	"live_migration": false,
	"central_management": false,
	"orchestrator": "none",
	"team_container_experience": "some",
}

_meta := {
	"title": "A title",
	"description": "An English summary.",
	"custom": {
		"id": "pkg.example",
		"kind": "reason",
		"favors": "container",
		"excludes": "vm",
		"applies_to": ["container", "hybrid"],
		"weight": 12,
		"summary_zh": "中文摘要。",
		"citations": [
			{"source": "003_681de61063999d7b.txt", "locator": "docker is lighter"},
			{"source": "000_52410bb239ef2d82.txt", "locator": "总结"},
		],
	},
}

_citations := [
	{
		"source": "003_681de61063999d7b.txt",
		"title": "Docker containers and virtual machines difference",
		"locator": "docker is lighter",
	},
	{
		"source": "000_52410bb239ef2d82.txt",
		"title": "容器与虚拟机的区别与关系",
		"locator": "总结",
	},
]

test_cite_takes_titles_from_catalog_and_keeps_order if {
	lib.cite(_meta) == _citations
}

test_cite_without_citations_is_empty if {
	lib.cite({"custom": {"citations": []}}) == []
}

test_reason_built_from_metadata if {
	lib.reason(_meta) == {
		"rule": "pkg.example",
		"title": "A title",
		"favors": "container",
		"weight": 12,
		"summary": "An English summary.",
		"summary_zh": "中文摘要。",
		"citations": _citations,
		"conflict_side": "none",
	}
}

test_reason_keeps_conflict_side if {
	meta := object.union(_meta, {"custom": {"conflict_side": "vm"}})
	lib.reason(meta).conflict_side == "vm"
}

test_constraint_built_from_metadata if {
	meta := object.union(_meta, {"custom": {"favors": "vm", "excludes": "container", "conflict_side": "other_os"}})
	lib.constraint(meta) == {
		"rule": "pkg.example",
		"title": "A title",
		"excludes": "container",
		"favors": "vm",
		"weight": 12,
		"summary": "An English summary.",
		"summary_zh": "中文摘要。",
		"citations": _citations,
		"conflict_side": "other_os",
	}
}

test_constraint_conflict_side_defaults_to_none if {
	lib.constraint(_meta).conflict_side == "none"
}

test_warning_built_from_metadata if {
	lib.warning(_meta) == {
		"rule": "pkg.example",
		"title": "A title",
		"applies_to": ["container", "hybrid"],
		"summary": "An English summary.",
		"summary_zh": "中文摘要。",
		"citations": _citations,
	}
}

# A citation whose source is not in the catalog is dropped from the answer
# rather than failing evaluation; the Go tests catch such a citation in the
# annotations (its catalog title would be empty), so no rule can ship one.
test_cite_drops_a_source_missing_from_the_catalog if {
	lib.cite({"custom": {"citations": [
		{"source": "999_unknown.txt", "locator": "x"},
		{"source": "000_52410bb239ef2d82.txt", "locator": "总结"},
	]}}) == [{"source": "000_52410bb239ef2d82.txt", "title": "容器与虚拟机的区别与关系", "locator": "总结"}]
}

test_present_builds_each_annotation_by_its_kind if {
	constraint_meta := object.union(_meta, {"custom": {"id": "pkg.constraint", "kind": "constraint"}})
	warning_meta := object.union(_meta, {"custom": {"id": "pkg.warning", "kind": "warning"}})
	lib.present({_meta, constraint_meta, warning_meta}) == {
		lib.reason(_meta),
		lib.constraint(constraint_meta),
		lib.warning(warning_meta),
	}
}

test_present_of_nothing_is_empty if {
	lib.present(set()) == set()
}
