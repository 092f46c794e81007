package advise.factors.acme

# METADATA
# title: Test rule
# description: A rule of a broken organisation's policy.
# custom:
#   id: acme.heavy
#   kind: preference
#   capability: mature_ha
#   weight: heavy
#   citations:
#     - source: acme-std
#       locator: 1. Scope
preferences[p.custom.id] := p if {
	input.availability_target >= 99.9
	p := rego.metadata.rule()
}
