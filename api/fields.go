package api

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Kind is what a field of the contract holds.
type Kind int

// The kinds of field. A field of KindText takes any string, KindEnum one of
// its Values.
const (
	KindBool Kind = iota + 1
	KindEnum
	KindText
	KindInteger
	KindNumber
)

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "boolean"
	case KindEnum, KindText:
		return "string"
	case KindInteger:
		return "integer"
	case KindNumber:
		return "number"
	}
	return "unknown"
}

// What what-if does with a field: it tries other values of a choice, an
// architect's decision, before those of a fact about the workload; it leaves
// the others alone.
const (
	Choice = "choice"
	Fact   = "fact"
)

// Field is one field of contract v1, as Request's struct tags declare it.
type Field struct {
	// Name is the field's JSON name.
	Name string
	Kind Kind
	// Required fields have no default; a request must give them.
	Required bool
	// Values are an enum's values, in the contract's order.
	Values []string
	// Default is the value a left-out field takes (a bool or a string), nil
	// for a field without one.
	Default any
	// Min and Max bound a number or a text's length, where the contract
	// bounds them.
	Min, Max *float64
	// WhatIf is Choice, Fact or empty (see the constants).
	WhatIf string
	// Vary are the values what-if tries for a number; a nil entry leaves the
	// field out. Booleans try their other value, enums every other value.
	Vary []any
	// Examples are the numbers the workload generator picks from.
	Examples []any
	// Question is what ask_next asks about the field, in English and
	// Chinese; empty for a field never asked about.
	Question [2]string
	// Doc says what the field means, in a few words.
	Doc string

	index int
	// defaultPtr points at the default, shared by every workload that takes
	// it; nothing writes through it.
	defaultPtr reflect.Value
}

// fields is the registry, in the contract's order.
var fields = mustReadFields()

// fieldIndex finds a field by its JSON name.
var fieldIndex = func() map[string]int {
	out := make(map[string]int, len(fields))
	for i, f := range fields {
		out[f.Name] = i
	}
	return out
}()

// Fields lists the contract's fields in order. The slice is shared: do not
// modify it.
func Fields() []Field { return fields }

// FieldIndex is the position in Fields of the field with the JSON name.
func FieldIndex(name string) (int, bool) {
	i, ok := fieldIndex[name]
	return i, ok
}

// mustReadFields reads the registry from Request's struct tags; a tag that
// does not parse is a programming error, caught by every test.
func mustReadFields() []Field {
	out, err := readFields(reflect.TypeFor[Request]())
	if err != nil {
		panic("api: " + err.Error())
	}
	return out
}

func readFields(t reflect.Type) ([]Field, error) {
	if t.NumField() > 64 {
		return nil, fmt.Errorf("Request has %d fields; the engine's field masks hold 64", t.NumField())
	}
	out := make([]Field, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Type.Kind() != reflect.Pointer {
			return nil, fmt.Errorf("%s is not a pointer", sf.Name)
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		f := Field{Name: name, index: i, WhatIf: sf.Tag.Get("whatif")}
		switch f.WhatIf {
		case "", Choice, Fact:
		default:
			return nil, fmt.Errorf("%s: whatif %q is not choice or fact", name, f.WhatIf)
		}
		for _, rule := range strings.Split(sf.Tag.Get("validate"), ",") {
			key, value, _ := strings.Cut(rule, "=")
			switch key {
			case "required":
				f.Required = true
			case "oneof":
				f.Values = strings.Fields(value)
			case "min", "max":
				n, err := strconv.ParseFloat(value, 64)
				if err != nil {
					return nil, fmt.Errorf("%s: %s=%s: %w", name, key, value, err)
				}
				if key == "min" {
					f.Min = &n
				} else {
					f.Max = &n
				}
			}
		}
		switch sf.Type.Elem().Kind() {
		case reflect.Bool:
			f.Kind = KindBool
		case reflect.String:
			f.Kind = KindText
			if f.Values != nil {
				f.Kind = KindEnum
			}
		case reflect.Int64:
			f.Kind = KindInteger
		case reflect.Float64:
			f.Kind = KindNumber
		default:
			return nil, fmt.Errorf("%s: %s is not a type of the contract", name, sf.Type)
		}
		if def, ok := sf.Tag.Lookup("default"); ok {
			v, err := f.parse(def)
			if err != nil {
				return nil, fmt.Errorf("%s: default: %w", name, err)
			}
			f.Default = v
			f.defaultPtr = reflect.New(sf.Type.Elem())
			f.defaultPtr.Elem().Set(reflect.ValueOf(v))
		}
		for _, tag := range []string{"vary", "examples"} {
			list, ok := sf.Tag.Lookup(tag)
			if !ok {
				continue
			}
			if f.Kind != KindInteger && f.Kind != KindNumber {
				return nil, fmt.Errorf("%s: %s is for numbers", name, tag)
			}
			var values []any
			for _, s := range strings.Split(list, ",") {
				if s == "-" {
					values = append(values, nil)
					continue
				}
				v, err := f.parse(s)
				if err != nil {
					return nil, fmt.Errorf("%s: %s: %w", name, tag, err)
				}
				values = append(values, v)
			}
			if tag == "vary" {
				f.Vary = values
			} else {
				f.Examples = values
			}
		}
		if f.Doc = sf.Tag.Get("doc"); f.Doc == "" {
			return nil, fmt.Errorf("%s: no doc", name)
		}
		f.Question = [2]string{sf.Tag.Get("ask"), sf.Tag.Get("ask_zh")}
		if (f.Question[0] == "") != (f.Question[1] == "") {
			return nil, fmt.Errorf("%s: ask and ask_zh go together", name)
		}
		out = append(out, f)
	}
	return out, nil
}

// parse reads a value of the field's kind from a tag.
func (f *Field) parse(s string) (any, error) {
	switch f.Kind {
	case KindBool:
		return strconv.ParseBool(s)
	case KindEnum:
		if !slices.Contains(f.Values, s) {
			return nil, fmt.Errorf("%q is not one of %v", s, f.Values)
		}
		return s, nil
	case KindText:
		return s, nil
	case KindInteger:
		return strconv.ParseInt(s, 10, 64)
	}
	return strconv.ParseFloat(s, 64)
}

// Value is one field of a workload or request as the rules see it: unset,
// or a bool, a string or a number.
type Value struct {
	Set  bool
	Bool bool
	Text string
	// Number holds an integer or a number; an integer is also Integer,
	// exactly.
	Number  float64
	Integer int64
}

// Any is the value as encoding/json would decode it into an any (bool,
// string, int64 for an integer, float64), nil when unset.
func (v Value) Any(k Kind) any {
	switch {
	case !v.Set:
		return nil
	case k == KindBool:
		return v.Bool
	case k == KindEnum || k == KindText:
		return v.Text
	case k == KindInteger:
		return v.Integer
	}
	return v.Number
}

// Get reads field i (an index into Fields) of a workload.
func (w *Workload) Get(i int) Value {
	return get(reflect.ValueOf(w).Elem().Field(fields[i].index), fields[i].Kind)
}

// Get reads field i (an index into Fields) of a request.
func (r *Request) Get(i int) Value {
	return get(reflect.ValueOf(r).Elem().Field(fields[i].index), fields[i].Kind)
}

func get(p reflect.Value, k Kind) Value {
	if p.IsNil() {
		return Value{}
	}
	v := p.Elem()
	switch k {
	case KindBool:
		return Value{Set: true, Bool: v.Bool()}
	case KindEnum, KindText:
		return Value{Set: true, Text: v.String()}
	case KindInteger:
		n := v.Int()
		return Value{Set: true, Number: float64(n), Integer: n}
	}
	return Value{Set: true, Number: v.Float()}
}

// Setting is a value ready to be set into field i of requests and workloads
// without allocating: the pointer they will share. Build it once (NewSetting)
// and set it as often as needed; nothing writes through it.
type Setting struct {
	Field int
	// Value is the value as a Change carries it: nil leaves the field out.
	Value any
	ptr   reflect.Value
}

// NewSetting prepares v (of the field's kind: bool, string, int64 or
// float64; nil to leave the field out) for field i.
func NewSetting(i int, v any) (Setting, error) {
	f := &fields[i]
	s := Setting{Field: i, Value: v, ptr: reflect.Zero(reflect.TypeFor[Request]().Field(f.index).Type)}
	if v == nil {
		return s, nil
	}
	rv := reflect.ValueOf(v)
	elem := reflect.TypeFor[Request]().Field(f.index).Type.Elem()
	if rv.Type() != elem {
		return Setting{}, fmt.Errorf("%s takes a %s, not %T", f.Name, elem, v)
	}
	s.ptr = reflect.New(elem)
	s.ptr.Elem().Set(rv)
	return s, nil
}

// Apply sets the setting's field of a request.
func (s *Setting) Apply(r *Request) {
	reflect.ValueOf(r).Elem().Field(fields[s.Field].index).Set(s.ptr)
}

// ApplyTo sets the setting's field of a workload, with the field's default
// where the setting leaves it out, as resolving the changed request would.
func (s *Setting) ApplyTo(w *Workload) {
	p := s.ptr
	if p.IsNil() && fields[s.Field].Default != nil {
		p = fields[s.Field].defaultPtr
	}
	reflect.ValueOf(w).Elem().Field(fields[s.Field].index).Set(p)
}
