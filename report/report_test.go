package report_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func engine(t *testing.T) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestMarkdown(t *testing.T) {
	e := engine(t)
	body, err := os.ReadFile("testdata/saas.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := api.NewValidator().Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	for golden_, langs := range map[string][2]string{"saas.md": {"en", "en"}, "saas.zh.md": {"zh", "zh"}} {
		ans, err := e.Advise(context.Background(), &req, policy.Lang(langs[0]))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.Markdown(&buf, ans, report.Lang(langs[1])); err != nil {
			t.Fatal(err)
		}
		golden(t, golden_, buf.Bytes())
		md := buf.String()
		for _, c := range ans.Constraints {
			if !strings.Contains(md, "- [ ] ") || !strings.Contains(md, c.Title) {
				t.Errorf("%s: constraint %s is not a checklist item", golden_, c.Rule)
			}
		}
		for _, r := range ans.Reasons {
			for _, c := range r.Citations {
				if !strings.Contains(md, c.Title) || !strings.Contains(md, c.Locator) {
					t.Errorf("%s: citation %s / %s of %s missing", golden_, c.Source, c.Locator, r.Rule)
				}
			}
		}
		if !strings.Contains(md, ans.Policy.Digest) {
			t.Errorf("%s: policy digest missing", golden_)
		}
	}
}

func TestPortfolioMarkdown(t *testing.T) {
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
	pf, err := e.AdvisePortfolio(context.Background(), bodies, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	if pf.Summary.Failed != 1 || pf.Items[2].Error == nil || pf.Items[2].Error.Errors[0].Field != "density" {
		t.Fatalf("the broken item should fail on density alone: %+v", pf.Items[2])
	}
	var buf bytes.Buffer
	if err := report.PortfolioMarkdown(&buf, pf, report.English); err != nil {
		t.Fatal(err)
	}
	golden(t, "portfolio.md", buf.Bytes())
}

func TestMarkdownEscapesTableCells(t *testing.T) {
	ans := api.Answer{
		Recommendation: "vm",
		Input:          api.Workload{Name: ptr("a | b")},
		Reasons:        []api.Reason{{Rule: "x", Title: "pipe | title", Kind: api.KindPreference, Favors: "vm", Summary: "line\nbreak", Citations: []api.Citation{{Source: "s", Title: "t", Locator: "l|m"}}}},
	}
	var buf bytes.Buffer
	if err := report.Markdown(&buf, ans, report.English); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.Contains(line, "pipe") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
			t.Errorf("reason row has stray cell separators: %q", line)
		}
	}
	if !strings.Contains(buf.String(), `a \| b`) {
		t.Errorf("name not escaped:\n%s", buf.String())
	}
}

func ptr[T any](v T) *T { return &v }
