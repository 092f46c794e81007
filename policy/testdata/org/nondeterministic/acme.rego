package advise.factors.acme

# METADATA
# title: Test rule
# description: A rule of a broken organisation's policy.
# custom:
#   id: acme.clock
#   kind: preference
#   capability: mature_ha
#   weight: 10
#   citations:
#     - source: acme-std
#       locator: 1. Scope
preferences[p.custom.id] := p if {
	time.now_ns() > 0
	p := rego.metadata.rule()
}
