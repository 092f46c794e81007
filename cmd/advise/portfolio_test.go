package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/report"
)

func TestPortfolioInputs(t *testing.T) {
	tests := map[string]struct {
		args  []string
		stdin string
		names []string
	}{
		"several files":        {args: []string{"testdata/vm.json", "testdata/container.json"}, names: []string{"legacy-erp", "storefront"}},
		"a JSON array":         {args: []string{"-"}, stdin: `[{"name":"a","multi_tenant":false},{"name":"b","multi_tenant":true}]`, names: []string{"a", "b"}},
		"a YAML stream":        {args: []string{"testdata/portfolio.yaml"}, names: []string{"legacy-erp", "web-shop"}},
		"a YAML list on stdin": {args: []string{"-"}, stdin: "- name: a\n  multi_tenant: false\n- name: b\n  multi_tenant: true\n", names: []string{"a", "b"}},
		"files and a stream":   {args: []string{"testdata/portfolio.yaml", "testdata/container.json"}, names: []string{"legacy-erp", "web-shop", "storefront"}},
		"a CSV file":           {args: []string{"testdata/portfolio.csv"}, names: []string{"legacy-erp", "web-shop, EU"}},
		"a CSV table on stdin": {args: []string{"-"}, stdin: "name,multi_tenant\r\na,false\r\n", names: []string{"a"}},
		"CSV with a BOM":       {args: []string{"-"}, stdin: "\xef\xbb\xbfmulti_tenant,name\nfalse,b\n", names: []string{"b"}},
		"a CSV and a file":     {args: []string{"testdata/portfolio.csv", "testdata/container.json"}, names: []string{"legacy-erp", "web-shop, EU", "storefront"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, append([]string{"--output", "json"}, tc.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			var pf api.Portfolio
			if err := json.Unmarshal([]byte(r.stdout), &pf); err != nil {
				t.Fatalf("not a portfolio: %v\n%s", err, r.stdout)
			}
			if pf.Summary.Total != len(tc.names) || pf.Summary.Answered != len(tc.names) {
				t.Fatalf("summary %+v, want %d answered", pf.Summary, len(tc.names))
			}
			for i, want := range tc.names {
				if pf.Items[i].Index != i || pf.Items[i].Name != want || pf.Items[i].Answer == nil {
					t.Errorf("item %d = %+v, want %q answered", i, pf.Items[i], want)
				}
			}
		})
	}
}

func TestPortfolioTable(t *testing.T) {
	r := runCLI(t, "", "testdata/portfolio.yaml", "testdata/container.json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "#    workload") {
		t.Fatalf("no table header:\n%s", r.stdout)
	}
	for i, want := range []string{"legacy-erp", "web-shop", "storefront"} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("row %d = %q, want %s", i, lines[i+1], want)
		}
	}
	if !strings.Contains(r.stdout, "Summary: workloads 3 · answered 3 · failed 0") {
		t.Errorf("summary line missing:\n%s", r.stdout)
	}
}

func TestPortfolioWithABadItem(t *testing.T) {
	r := runCLI(t, "", "--output", "json", "testdata/portfolio_bad_item.json")
	if r.code != exitBadInput {
		t.Fatalf("exit %d, want %d: a bad item is bad input", r.code, exitBadInput)
	}
	var pf api.Portfolio
	if err := json.Unmarshal([]byte(r.stdout), &pf); err != nil {
		t.Fatalf("the portfolio must still be printed: %v\n%s", err, r.stdout)
	}
	if pf.Items[0].Answer == nil || pf.Items[1].Error == nil || pf.Items[1].Error.Errors[0].Field != "density" {
		t.Fatalf("item 0 answered, item 1 failing on density expected: %+v", pf.Items)
	}
	if want := "item 1 (testdata/portfolio_bad_item.json[1]): density: must be one of: low, medium, high"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

func TestExpect(t *testing.T) {
	tests := map[string]struct {
		args   []string
		code   int
		stderr []string
	}{
		"matches":            {args: []string{"--expect", "vm", "testdata/vm.json"}, code: exitOK},
		"differs":            {args: []string{"--expect", "container", "testdata/vm.json"}, code: exitExpected, stderr: []string{"legacy-erp: expected container, advice is vm", "constraint: Guest OS differs from the host OS rules out container"}},
		"differs, says how":  {args: []string{"--expect", "container", "testdata/hybrid.json"}, code: exitExpected, stderr: []string{"expected container, advice is hybrid (orchestrator_in_vms)", "would be container with: "}},
		"portfolio all":      {args: []string{"--expect", "vm", "testdata/vm.json", "testdata/vm.json"}, code: exitOK},
		"portfolio one miss": {args: []string{"--expect", "vm", "testdata/vm.json", "testdata/container.json"}, code: exitExpected, stderr: []string{"storefront: expected vm, advice is container", "1 of 2 workloads"}},
		"bad input wins":     {args: []string{"--expect", "vm", "testdata/portfolio_bad_item.json"}, code: exitBadInput},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if r.stdout == "" {
				t.Error("the advice must be printed whatever the gate says")
			}
			for _, want := range tc.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}

func TestOutputFormats(t *testing.T) {
	engine := testEngine(t)
	want := adviseFile(t, engine, "testdata/hybrid.json", "en")
	yamlOut := runCLI(t, "", "--output", "yaml", "testdata/hybrid.json")
	var fromYAML api.Answer
	if err := yaml.Unmarshal([]byte(yamlOut.stdout), &fromYAML); err != nil || yamlOut.code != exitOK {
		t.Fatalf("yaml output: exit %d, %v\n%s", yamlOut.code, err, yamlOut.stdout)
	}
	if !strings.Contains(yamlOut.stdout, "recommendation: hybrid\n") || !strings.Contains(yamlOut.stdout, "hybrid_pattern: "+want.HybridPattern) {
		t.Errorf("yaml output lacks the verdict with the contract's field names:\n%s", yamlOut.stdout)
	}
	md := runCLI(t, "", "--output", "markdown", "testdata/hybrid.json")
	if md.code != exitOK || !strings.HasPrefix(md.stdout, "## Workload placement: ") || !strings.Contains(md.stdout, "### Reviewer checklist") {
		t.Errorf("markdown output is not a review section:\n%s", md.stdout)
	}
	pmd := runCLI(t, "", "--output", "markdown", "testdata/vm.json", "testdata/container.json")
	if pmd.code != exitOK || !strings.HasPrefix(pmd.stdout, "# Portfolio placement") || strings.Count(pmd.stdout, "## Workload placement: ") != 2 {
		t.Errorf("portfolio markdown lacks the table or the two sections:\n%s", pmd.stdout)
	}
}

func TestPortfolioServerModeMatchesLocal(t *testing.T) {
	srv := realServer(t)
	for _, format := range []string{"text", "json", "yaml", "markdown", "csv"} {
		for _, lang := range []string{"en", "zh"} {
			args := []string{"--output", format, "--lang", lang, "testdata/portfolio.yaml", "testdata/container.json"}
			local := runCLI(t, "", args...)
			remote := runCLI(t, "", append([]string{"--server", srv.URL}, args...)...)
			if local.code != exitOK || remote.code != exitOK {
				t.Fatalf("%s/%s: exit local %d, remote %d: %s%s", format, lang, local.code, remote.code, local.stderr, remote.stderr)
			}
			if local.stdout != remote.stdout {
				t.Errorf("%s/%s: --server output differs from local:\nlocal:\n%s\nremote:\n%s", format, lang, local.stdout, remote.stdout)
			}
		}
	}
	bad := runCLI(t, "", "--server", srv.URL, "testdata/portfolio_bad_item.json")
	if bad.code != exitBadInput || !strings.Contains(bad.stderr, "density: must be one of") {
		t.Errorf("a bad item through --server: exit %d, stderr:\n%s", bad.code, bad.stderr)
	}
}

// TestCSV reads CSV portfolios and writes the CSV table, through run.
func TestCSV(t *testing.T) {
	t.Run("a table in, a table out", func(t *testing.T) {
		r := runCLI(t, "", "--output", "csv", "testdata/portfolio.csv")
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, r.stdout)
		}
		if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(report.CSVColumns, ",") {
			t.Fatalf("want the header and two rows:\n%s", r.stdout)
		}
		if rows[1][1] != "legacy-erp" || rows[1][2] != "vm" || rows[2][1] != "web-shop, EU" || rows[2][2] != "container" {
			t.Errorf("rows = %q", rows[1:])
		}
		if !strings.HasSuffix(r.stdout, "\r\n") {
			t.Error("CSV lines end in CRLF (RFC 4180)")
		}
	})
	t.Run("one workload is a table of one row", func(t *testing.T) {
		r := runCLI(t, "", "--output", "csv", "testdata/vm.json")
		rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if r.code != exitOK || err != nil || len(rows) != 2 || rows[1][0] != "0" || rows[1][1] != "legacy-erp" || rows[1][2] != "vm" {
			t.Fatalf("exit %d, %v: %q", r.code, err, rows)
		}
	})
	t.Run("a failed item is a row with its error", func(t *testing.T) {
		r := runCLI(t, "name,multi_tenant,density\r\nok,false,\r\nbad,false,extreme\r\n", "--output", "csv", "-")
		if r.code != exitBadInput {
			t.Fatalf("exit %d, want %d", r.code, exitBadInput)
		}
		if !strings.Contains(r.stdout, "\r\n1,bad,,,,,,,,,,,,,density,\"density: must be one of: low, medium, high\"\r\n") {
			t.Errorf("no error row:\n%s", r.stdout)
		}
		if !strings.Contains(r.stderr, "item 1 (stdin[1]): density: must be one of") {
			t.Errorf("stderr:\n%s", r.stderr)
		}
	})
	tests := map[string]struct {
		stdin, stderr string
	}{
		"yes for a boolean": {"name,multi_tenant\na,yes\n", `stdin is not a valid workload: field multi_tenant: CSV item 0 (line 2): "yes" is not a boolean; write true or false`},
		"unknown column":    {"multi_tenant,name,colour\ntrue,a,red\n", "stdin is not a valid workload: field colour: unknown field (CSV header cell 3)"},
		"short row":         {"multi_tenant,name\ntrue,a\nfalse\n", "stdin is not a valid workload: CSV item 1 (line 3) has 1 cells; the header names 2 columns"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, "-")
			if r.code != exitBadInput || r.stdout != "" {
				t.Fatalf("exit %d, want %d and nothing printed; stdout:\n%s", r.code, exitBadInput, r.stdout)
			}
			if !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, r.stderr)
			}
		})
	}
}
