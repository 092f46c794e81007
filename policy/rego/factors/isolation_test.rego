# METADATA
# title: Isolation factor tests
# description: Each isolation rule fires on the input it is about and stays quiet otherwise; each test compares the whole document.
package advise.factors_test.isolation

import data.advise.factors.isolation
import data.advise.lib_test

test_one_organisation_prefers_containers if {
	isolation.needs == {} with input as lib_test.base_input
	object.keys(isolation.preferences) == {"isolation.single_organisation"} with input as lib_test.base_input
	isolation.warnings == {} with input as lib_test.base_input
}

test_tenants_that_do_not_trust_each_other_need_vms if {
	w := lib_test.with_fields({"multi_tenant": true})
	object.keys(isolation.needs) == {"isolation.untrusted_tenants"} with input as w
	isolation.preferences == {} with input as w
}

test_trusted_tenants_are_one_organisation if {
	w := lib_test.with_fields({"multi_tenant": true, "tenants_trusted": true})
	isolation.needs == {} with input as w
	object.keys(isolation.preferences) == {"isolation.single_organisation"} with input as w
}

test_outsiders_code_needs_a_vm_and_is_not_one_organisation if {
	w := lib_test.with_fields({"untrusted_code": true, "architecture": "microservices"})
	object.keys(isolation.needs) == {"isolation.untrusted_code"} with input as w
	isolation.preferences == {} with input as w
}

test_root_needs_a_vm_and_is_contained if {
	w := lib_test.with_fields({"requires_root": true})
	object.keys(isolation.needs) == {"isolation.requires_root"} with input as w
	object.keys(isolation.warnings) == {"isolation.contain_root"} with input as w
}

test_strict_isolation_is_a_preference if {
	w := lib_test.with_fields({"isolation": "strict"})
	isolation.needs == {} with input as w
	object.keys(isolation.preferences) == {"isolation.strict", "isolation.single_organisation"} with input as w
}

test_hardware_isolation_is_a_need_and_strict_too if {
	w := lib_test.with_fields({"isolation": "hardware"})
	object.keys(isolation.needs) == {"isolation.hardware"} with input as w
	object.keys(isolation.preferences) == {"isolation.strict", "isolation.single_organisation"} with input as w
}

test_namespaces_per_component_for_split_workloads_of_one_organisation if {
	object.keys(isolation.preferences) == {"isolation.single_organisation", "isolation.component_namespaces"} with input as lib_test.with_fields({"architecture": "batch"})
	object.keys(isolation.preferences) == {"isolation.single_organisation", "isolation.component_namespaces"} with input as lib_test.with_fields({"architecture": "microservices"})
	object.keys(isolation.preferences) == {"isolation.single_organisation", "isolation.strict"} with input as lib_test.with_fields({"architecture": "microservices", "isolation": "strict"})
	object.keys(isolation.preferences) == set() with input as lib_test.with_fields({"architecture": "microservices", "multi_tenant": true})
}
