package api_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// TestPortfolioEncoderMatchesEncodingJSON holds the streamed portfolio to
// what json.Encoder writes for the whole of it, compact and indented: the
// bytes POST /advise/batch sent before it streamed.
func TestPortfolioEncoderMatchesEncodingJSON(t *testing.T) {
	var full api.PortfolioItem
	populate(reflect.ValueOf(&full).Elem(), "<&> \u2028 \"q\"")
	failed := api.PortfolioItem{Index: 1, Name: "bad <one>", Error: &api.ItemError{Title: "Malformed workload", Detail: "d", Errors: []api.FieldError{}}}
	answered := api.PortfolioItem{Index: 2, Answer: full.Answer}
	tests := map[string][]api.PortfolioItem{
		"empty":                     {},
		"one answered":              {answered},
		"failed and answered":       {full, failed, answered},
		"failed only, no name":      {{Index: 0, Error: &api.ItemError{Errors: []api.FieldError{{Field: "density", Rule: "oneof", Message: "m"}}}}},
		"an item with name and all": {full},
	}
	for name, items := range tests {
		for _, indent := range []bool{false, true} {
			summary := api.NewPortfolioSummary(len(items))
			for i := range items {
				summary.Count(&items[i])
			}
			pf := api.Portfolio{Items: items, Summary: summary, Policy: api.PolicyInfo{Version: "2.0.0", Digest: "sha256:<x>"}}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			if indent {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(pf); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			pe := api.NewPortfolioEncoder(&got, indent)
			for i := range items {
				if err := pe.Item(&items[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := pe.Close(summary, pf.Policy); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s, indent %t:\ngot  %s\nwant %s", name, indent, got.String(), want.String())
			}
		}
	}
}

func TestPortfolioSummaryCount(t *testing.T) {
	s := api.NewPortfolioSummary(4)
	for _, it := range []api.PortfolioItem{
		{Index: 0, Answer: &api.Answer{Recommendation: api.RecommendVM, Constraints: []api.Constraint{{Rule: "r"}}}},
		{Index: 1, Error: &api.ItemError{}},
		{Index: 2, Answer: &api.Answer{Recommendation: api.RecommendHybrid}},
		{Index: 3, Error: &api.ItemError{}},
	} {
		s.Count(&it)
	}
	want := api.PortfolioSummary{Total: 4, Answered: 2, Failed: 2,
		ByRecommendation: map[string]int{"vm": 1, "container": 0, "hybrid": 1},
		WithConstraints:  []int{0}, FailedItems: []int{1, 3}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("summary = %+v, want %+v", s, want)
	}
}
