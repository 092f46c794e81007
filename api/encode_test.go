package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// populate sets every field of v, recursively, to a value that is not its
// zero value, so an encoder that forgets a field is caught.
func populate(v reflect.Value, seed string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(seed)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat(1.25)
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		populate(v.Elem(), seed)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			populate(v.Index(i), seed)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			populate(v.Field(i), seed+"-"+v.Type().Field(i).Name)
		}
	case reflect.Interface:
		v.Set(reflect.ValueOf(seed))
	}
}

func assertSameJSON(t *testing.T, a *api.Answer) {
	t.Helper()
	want, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.AppendJSON(nil)
	if err != nil {
		t.Fatalf("AppendJSON: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
	if w := a.Input.AppendJSON([]byte("prefix")); !bytes.Equal(w, append([]byte("prefix"), mustMarshal(t, a.Input)...)) {
		t.Fatalf("Workload.AppendJSON differs: %s", w)
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	full := api.Answer{}
	populate(reflect.ValueOf(&full).Elem(), "x")
	int64p := func(n int64) *int64 { return &n }
	floatp := func(f float64) *float64 { return &f }
	cases := map[string]api.Answer{
		"every field set": full,
		"zero":            {},
		"strings that need escaping": {
			Recommendation: "a<b>&c\"d\\e\u2028f\u2029g",
			HybridPattern:  "\x00\x01\x1f\b\f\n\r\t\x7f",
			Defaulted:      []string{"caf\u00e9 \U0001F600", "bad \xff\xfe utf-8", "\xe2\x80"},
			Input:          api.Workload{Name: new("<script>alert(1)</script>")},
		},
		"numbers at the edges of the float format": {
			Confidence: 1e21,
			Scores:     api.Scores{VM: 1e-7, Container: -0.000001, Hybrid: 123456789.125},
			Input: api.Workload{
				StartupSLAMs:       int64p(math.MaxInt64),
				AvailabilityTarget: floatp(5e-324),
				Instances:          int64p(math.MinInt64),
			},
			Reasons: []api.Reason{{Weight: 1e20}, {Weight: -1e-6}, {Weight: 3.0e-9}},
		},
		"values of every kind": {
			WhatIf: []api.WhatIf{{Changes: []api.Change{
				{Field: "nil"}, {Field: "bool", Value: true}, {Field: "string", Value: "x<y"},
				{Field: "int64", Value: int64(-42)}, {Field: "int", Value: 7}, {Field: "float", Value: 99.99},
				{Field: "other", Value: []int{1, 2}}, {Field: "map", Value: map[string]bool{"b": true, "a": false}},
			}}},
			AskNext: []api.AskNext{{Assumed: false, Outcomes: []api.Outcome{{Value: 1e-9}, {Value: nil, HybridPattern: "p"}}}},
		},
		"empty and nil lists": {
			Reasons: []api.Reason{}, Constraints: nil, Warnings: []api.Warning{{Citations: nil}},
			WhatIf: []api.WhatIf{{Changes: []api.Change{}}}, AskNext: []api.AskNext{{Outcomes: nil}},
			Placements: []api.Placement{{Misses: nil}}, Unmet: []api.Unmet{},
			Layout: &api.Layout{VMLayer: []api.LayerPart{{Serves: nil}}, ContainerLayer: nil},
		},
		"a workload without its required field": {Input: api.Workload{HostOS: new("linux")}},
	}
	files, err := filepath.Glob(filepath.Join("..", "examples", "golden", "*.answer.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden answers: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var a api.Answer
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // keeps integers as integers; json.Number is written as is
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		cases["golden "+filepath.Base(f)] = a
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) { assertSameJSON(t, &a) })
	}
}

func TestAppendJSONRefusesWhatJSONCannotCarry(t *testing.T) {
	for name, a := range map[string]api.Answer{
		"NaN confidence":     {Confidence: math.NaN()},
		"infinite score":     {Scores: api.Scores{VM: math.Inf(1)}},
		"NaN in a change":    {WhatIf: []api.WhatIf{{Changes: []api.Change{{Value: math.NaN()}}}}},
		"channel in a value": {AskNext: []api.AskNext{{Assumed: make(chan int)}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := json.Marshal(&a); err == nil {
				t.Fatal("json.Marshal accepted it; the case is wrong")
			}
			_, err := a.AppendJSON(nil)
			if err == nil {
				t.Fatal("AppendJSON accepted it")
			}
			if name != "channel in a value" && !errors.Is(err, api.ErrUnsupportedValue) {
				t.Fatalf("error %v is not ErrUnsupportedValue", err)
			}
		})
	}
}

// FuzzAppendJSON puts arbitrary strings and numbers where an answer carries
// them and holds AppendJSON to json.Marshal.
func FuzzAppendJSON(f *testing.F) {
	f.Add("plain", 0.5, int64(1))
	f.Add("<&>\u2028\xff\x00", 1e21, int64(-1))
	f.Add("caf\u00e9", 1e-7, int64(1<<62))
	f.Fuzz(func(t *testing.T, s string, x float64, n int64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		a := api.Answer{
			Recommendation: s, HybridPattern: s, Confidence: x,
			Reasons:   []api.Reason{{Rule: s, Summary: s, Weight: x, Citations: []api.Citation{{Locator: s}}}},
			WhatIf:    []api.WhatIf{{Changes: []api.Change{{Field: s, Value: s}, {Field: s, Value: x}, {Field: s, Value: n}}, Summary: s}},
			AskNext:   []api.AskNext{{Field: s, Assumed: s, Outcomes: []api.Outcome{{Value: x}}}},
			Input:     api.Workload{Name: &s, HostOS: &s, StartupSLAMs: &n, AvailabilityTarget: &x},
			Unmet:     []api.Unmet{{Rule: s, Why: s, Citations: []api.Citation{{Title: s}}}},
			Layout:    &api.Layout{Grouping: api.Statement{Summary: s}, GuestOS: api.GuestOS{PerGuestMB: x, Guests: &n, TotalMB: &x}},
			Defaulted: []string{s},
		}
		assertSameJSON(t, &a)
	})
}
