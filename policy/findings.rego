# METADATA
# title: Findings
# description: |
#   Everything the factor packages found for the input, gathered in one place.
#   The packages are named one by one rather than walked as data.advise.factors:
#   walking the tree makes OPA build the whole subtree on every evaluation, which
#   cost a third of the evaluation time. A new factor package, or a first
#   constraint or warning in a package, must be added here; the tests catch a miss.
#   Each is keyed by rule id with the rule's annotation as the value: iterating a
#   set of annotations would hash every annotation again at each step.
package advise.findings

import data.advise.factors.agility
import data.advise.factors.isolation
import data.advise.factors.operations
import data.advise.factors.platform

# METADATA
# title: Reasons
# description: Every factor reason that fired, rule id to annotation.
reasons := object.union_n([platform.reasons, isolation.reasons, agility.reasons, operations.reasons])

# METADATA
# title: Constraints
# description: Every hard exclusion that fired, rule id to annotation.
constraints := object.union_n([platform.constraints, isolation.constraints, operations.constraints])

# METADATA
# title: Warnings
# description: Every warning that fired, rule id to annotation, before filtering by the recommended option.
warnings := object.union_n([platform.warnings, isolation.warnings, operations.warnings])
