package advise.factors.acme

preferences[p.custom.id] := p if {
	input.availability_target >=
}
