# METADATA
# title: Layout tests
# description: The grouping follows the most demanding reason for a VM boundary, and the guest OS cost follows the grouping and the counts the workload gives.
package advise.layout_test

import data.advise.layout
import data.advise.lib_test

test_grouping_follows_the_most_demanding_reason if {
	every fields, want in {
		{"multi_tenant": true, "requires_root": true}: "layout.per_tenant",
		{"requires_root": true, "custom_kernel": true}: "layout.per_trust_boundary",
		{"isolation": "strict"}: "layout.per_trust_boundary",
		{"custom_kernel": true}: "layout.per_os",
		{"host_os": "windows"}: "layout.per_os",
		{"live_migration": true}: "layout.pooled",
	} {
		layout.grouping == want with input as lib_test.with_fields(fields)
	}
}

test_guest_os_cost_per_tenant if {
	layout.sizing("layout.per_tenant") == {"per_guest_mb": 700, "because": "layout.guest_os_size", "guests": 300, "basis": "tenants", "total_mb": 210000} with input as lib_test.with_fields({"multi_tenant": true, "tenants": 300, "instances": 900})
}

test_guest_os_cost_bounded_by_the_instances if {
	layout.sizing("layout.per_tenant") == {"per_guest_mb": 700, "because": "layout.guest_os_size", "guests": 900, "basis": "instances", "total_mb": 630000} with input as lib_test.with_fields({"multi_tenant": true, "instances": 900})
	layout.sizing("layout.per_trust_boundary") == {"per_guest_mb": 700, "because": "layout.guest_os_size", "guests": 4, "basis": "instances", "total_mb": 2800} with input as lib_test.with_fields({"instances": 4})
}

test_guest_os_cost_without_a_count if {
	layout.sizing("layout.per_os") == {"per_guest_mb": 700, "because": "layout.guest_os_size"} with input as lib_test.with_fields({"instances": 4})
	layout.sizing("layout.per_tenant") == {"per_guest_mb": 700, "because": "layout.guest_os_size"} with input as lib_test.base_input
}
