package api

import "reflect"

// Resolve fills in the defaults of contract v1 and returns the workload the
// rules evaluate, with the JSON names of the fields that were defaulted, in
// contract order. Fields without a default (the optional numbers, the name)
// are never listed. Call it on a validated request: multi_tenant must be set.
func (r *Request) Resolve() (Workload, []string) {
	var defaulted []string
	w := r.resolve(&defaulted)
	return w, defaulted
}

// Workload is Resolve without the list of defaulted fields, for callers that
// resolve many variations of one request and need only the workload.
func (r *Request) Workload() Workload {
	return r.resolve(nil)
}

// resolve fills in the defaults, appending the name of every defaulted field
// to *defaulted unless it is nil. A defaulted field points at the field's
// shared default value.
func (r *Request) resolve(defaulted *[]string) Workload {
	w := Workload(*r)
	v := reflect.ValueOf(&w).Elem()
	for i := range fields {
		f := &fields[i]
		if f.Default == nil {
			continue
		}
		p := v.Field(f.index)
		if !p.IsNil() {
			continue
		}
		p.Set(f.defaultPtr)
		if defaulted != nil {
			*defaulted = append(*defaulted, f.Name)
		}
	}
	return w
}
