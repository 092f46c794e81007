# METADATA
# title: Rule library
# description: |
#   Small helpers the other packages share. A placement's statement is one of
#   its annotated rules: how far the placement serves the capabilities the rule
#   names (custom.degree, 1 in full, 0 not at all), and the id by which the
#   answer cites the statement.
package advise.lib

# METADATA
# title: Statement
# description: What a placement's statement records for each capability it covers, read from the statement's own annotation.
statement(meta) := {"id": meta.custom.id, "degree": meta.custom.degree}
