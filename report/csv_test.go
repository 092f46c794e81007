package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

func TestPortfolioCSV(t *testing.T) {
	e := engine(t)
	body, err := os.ReadFile("testdata/portfolio.json")
	if err != nil {
		t.Fatal(err)
	}
	items, err := api.SplitJSONArray(body, api.MaxBatch)
	if err != nil {
		t.Fatal(err)
	}
	bodies := make([][]byte, len(items))
	for i, it := range items {
		bodies[i] = it
	}
	for golden_, lang := range map[string]policy.Lang{"portfolio.csv": policy.English, "portfolio.zh.csv": policy.Chinese} {
		pf, err := e.AdvisePortfolio(context.Background(), bodies, lang)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.PortfolioCSV(&buf, pf, report.Lang(lang)); err != nil {
			t.Fatal(err)
		}
		golden(t, golden_, buf.Bytes())
		rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
		if err != nil {
			t.Fatalf("%s does not read back: %v", golden_, err)
		}
		if len(rows) != len(pf.Items)+1 {
			t.Fatalf("%s: %d rows, want a header and %d items", golden_, len(rows), len(pf.Items))
		}
		col := map[string]int{}
		for i, name := range rows[0] {
			col[name] = i
		}
		for i, it := range pf.Items {
			row := rows[i+1]
			if row[col["name"]] != it.Name {
				t.Errorf("%s row %d: name %q, want %q", golden_, i, row[col["name"]], it.Name)
			}
			if it.Answer != nil && row[col["recommendation"]] != it.Answer.Recommendation {
				t.Errorf("%s row %d: recommendation %q, want %q", golden_, i, row[col["recommendation"]], it.Answer.Recommendation)
			}
			if it.Error != nil && (row[col["error_fields"]] != "density" || row[col["error"]] == "") {
				t.Errorf("%s row %d: error columns %q, %q", golden_, i, row[col["error_fields"]], row[col["error"]])
			}
		}
	}
}

// TestPortfolioCSVDefusesFormulas checks that no cell a caller controls
// reaches a spreadsheet as a formula, and that cells with separators stay
// one cell.
func TestPortfolioCSVDefusesFormulas(t *testing.T) {
	tests := map[string]struct {
		item api.PortfolioItem
		col  string
		want string
	}{
		"equals": {api.PortfolioItem{Name: `=HYPERLINK("http://x","y")`}, "name", `'=HYPERLINK("http://x","y")`},
		"plus":   {api.PortfolioItem{Name: "+1+1"}, "name", "'+1+1"},
		"minus":  {api.PortfolioItem{Name: "-2+3"}, "name", "'-2+3"},
		"at":     {api.PortfolioItem{Name: "@SUM(A1)"}, "name", "'@SUM(A1)"},
		"tab":    {api.PortfolioItem{Name: "\t=1"}, "name", "'\t=1"},
		// csv.Writer drops a lone CR from a CRLF file: what is left
		// still starts with the apostrophe.
		"carriage return": {api.PortfolioItem{Name: "\r=1"}, "name", "'=1"},
		"inside is fine":  {api.PortfolioItem{Name: "a=b, c"}, "name", "a=b, c"},
		"error detail": {
			api.PortfolioItem{Error: &api.ItemError{Detail: "=cmd", Errors: []api.FieldError{{Field: "=x", Message: "=bad"}}}},
			"error_fields", "'=x",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := report.PortfolioCSV(&buf, api.Portfolio{Items: []api.PortfolioItem{tc.item}}, report.English); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || len(rows[1]) != len(report.CSVColumns) {
				t.Fatalf("rows = %q", rows)
			}
			for i, name := range report.CSVColumns {
				if name == tc.col && rows[1][i] != tc.want {
					t.Errorf("%s = %q, want %q", name, rows[1][i], tc.want)
				}
				if c := rows[1][i]; c != "" && c[0] != '\'' && bytes.ContainsAny([]byte(c[:1]), "=+-@\t\r") {
					t.Errorf("%s = %q starts a formula", name, c)
				}
			}
		})
	}
	t.Run("an empty batch is the header row", func(t *testing.T) {
		var buf bytes.Buffer
		if err := report.PortfolioCSV(&buf, api.Portfolio{}, report.English); err != nil {
			t.Fatal(err)
		}
		if buf.String() != "index,name,recommendation,hybrid_pattern,verdict,confidence,band,score_vm,score_container,score_hybrid,constraints,unmet,warnings,constraint_titles,error_fields,error\r\n" {
			t.Errorf("got %q", buf.String())
		}
	})
}
