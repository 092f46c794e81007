# METADATA
# title: Rule library tests
# description: |
#   Tests of the helpers in advise.lib, and the resolved input every other test
#   package starts from: all contract fields at their defaults, the optional
#   numbers absent, as api.Request.Resolve and the engine build it.
package advise.lib_test

import data.advise.lib

# METADATA
# title: Base input
# description: A resolved single-tenant workload with every default applied; tests override fields with object.union.
base_input := {
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
	"mixed_components": false,
	"release_frequency": "monthly",
	"env_drift_pain": false,
	"performance_sensitive": false,
	"live_migration": false,
	"central_management": false,
	"orchestrator": "none",
	"team_container_experience": "some",
}

# METADATA
# title: With
# description: The base input with some fields changed.
with_fields(changes) := object.union(base_input, changes)

test_statement_reads_id_and_degree if {
	lib.statement({"title": "t", "custom": {"id": "p.s", "degree": 0.5, "citations": []}}) == {"id": "p.s", "degree": 0.5}
}
