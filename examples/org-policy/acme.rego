# METADATA
# title: ACME availability standard
# description: Rules of ACME's architecture standard ARC-9, an organisation's own policy for the advisor (see the README's "Bring your own rules").
package advise.factors.acme

# METADATA
# title: ACME silver or gold availability tier
# description: The business asks for 99.9 % or more, ACME's silver or gold tier. ACME's standard ARC-9 places those services on the HA clusters of its virtualisation platform, whose failover operations run around the clock, while its Kubernetes platform is not yet certified for them.
# custom:
#   id: acme.availability_tier
#   kind: preference
#   capability: mature_ha
#   weight: 15
#   citations:
#     - source: acme-arc-9
#       locator: 2. Where silver and gold services run
preferences[p.custom.id] := p if {
	input.availability_target >= 99.9
	p := rego.metadata.rule()
}
