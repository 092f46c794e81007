package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/report"
	"github.com/placement-advisor/advise/server"
)

func batchCall(body string) call {
	c := postJSON(body)
	c.path = "/advise/batch"
	return c
}

func TestAdviseBatch(t *testing.T) {
	srv := start(t, engine, server.Options{})
	resp, body := batchCall(`[
		{"name":"erp","multi_tenant":false,"needs_windows":true},
		{"name":"shop","multi_tenant":false,"architecture":"microservices","scaling":"elastic"},
		{"name":"typo","multi_tenant":false,"density":"extreme","instances":0},
		{"multi_tenant":true,"colour":"red"},
		"not an object"
	]`).do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var pf api.Portfolio
	decodeStrict(t, body, &pf)
	if len(pf.Items) != 5 {
		t.Fatalf("%d items, want 5", len(pf.Items))
	}
	for i, it := range pf.Items {
		if it.Index != i {
			t.Errorf("item %d has index %d", i, it.Index)
		}
		if (it.Answer == nil) == (it.Error == nil) {
			t.Errorf("item %d must have exactly one of answer and error: %+v", i, it)
		}
	}
	if a := pf.Items[0].Answer; a == nil || a.Recommendation != api.RecommendVM || len(a.Constraints) == 0 {
		t.Errorf("erp: %+v, want vm with a constraint", a)
	}
	if a := pf.Items[1].Answer; a == nil || a.Recommendation != api.RecommendContainer {
		t.Errorf("shop: %+v, want container", a)
	}
	wantErrors := map[int][]string{2: {"density", "instances"}, 3: {"colour"}, 4: {}}
	for i, fields := range wantErrors {
		e := pf.Items[i].Error
		if e == nil {
			t.Fatalf("item %d should have failed", i)
		}
		var got []string
		for _, f := range e.Errors {
			got = append(got, f.Field)
		}
		if strings.Join(got, ",") != strings.Join(fields, ",") {
			t.Errorf("item %d names fields %v, want %v (%s)", i, got, fields, e.Detail)
		}
	}
	if pf.Items[2].Name != "typo" {
		t.Errorf("a failed item keeps its name: got %q", pf.Items[2].Name)
	}
	s := pf.Summary
	if s.Total != 5 || s.Answered != 2 || s.Failed != 3 || s.ByRecommendation["vm"] != 1 || s.ByRecommendation["container"] != 1 ||
		fmt.Sprint(s.WithConstraints) != "[0]" || fmt.Sprint(s.FailedItems) != "[2 3 4]" {
		t.Errorf("summary = %+v", s)
	}
	if pf.Policy != engine.Info() {
		t.Errorf("policy = %+v, want %+v", pf.Policy, engine.Info())
	}
}

func TestAdviseBatchRejectsTheWholeBody(t *testing.T) {
	srv := start(t, engine, server.Options{BatchBodyLimit: 64 << 10})
	tests := map[string]struct {
		body   string
		status int
		slug   string
	}{
		"an object":          {`{"multi_tenant":true}`, http.StatusBadRequest, "malformed-request"},
		"truncated":          {`[{"multi_tenant":true}`, http.StatusBadRequest, "malformed-request"},
		"trailing data":      {`[] []`, http.StatusBadRequest, "malformed-request"},
		"1001 items":         {"[" + strings.TrimSuffix(strings.Repeat("1,", 1001), ",") + "]", http.StatusBadRequest, "malformed-request"},
		"over the body size": {"[" + strings.Repeat(" ", 64<<10) + "]", http.StatusRequestEntityTooLarge, "body-too-large"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := batchCall(tc.body).do(t, srv)
			checkProblem(t, resp, body, tc.status, tc.slug)
		})
	}
	t.Run("an empty array is an empty portfolio", func(t *testing.T) {
		resp, body := batchCall(`[]`).do(t, srv)
		var pf api.Portfolio
		decodeStrict(t, body, &pf)
		if resp.StatusCode != http.StatusOK || len(pf.Items) != 0 || pf.Summary.Total != 0 {
			t.Fatalf("status %d, %+v", resp.StatusCode, pf)
		}
	})
}

func TestMarkdownRepresentation(t *testing.T) {
	srv := start(t, engine, server.Options{})
	tests := map[string]struct {
		path, accept string
		want         []string
	}{
		"one workload":      {"/advise", "text/markdown", []string{"## Workload placement: md", "### Reviewer checklist", "_Policy "}},
		"preferred by q":    {"/advise", "application/json;q=0.4, text/markdown;q=0.9", []string{"## Workload placement: md"}},
		"text wildcard":     {"/advise", "text/*", []string{"## Workload placement: md"}},
		"chinese":           {"/advise?lang=zh", "text/markdown", []string{"## 工作负载部署建议: md", "### 评审检查项"}},
		"portfolio":         {"/advise/batch", "text/markdown", []string{"# Portfolio placement", "| 0 | md |", "## Workload placement: md"}},
		"portfolio chinese": {"/advise/batch?lang=zh", "text/markdown", []string{"# 工作负载组合部署建议"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			body := `{"name":"md","multi_tenant":true,"requires_root":true}`
			if strings.HasPrefix(tc.path, "/advise/batch") {
				body = "[" + body + "]"
			}
			c := postJSON(body)
			c.path = tc.path
			c.header["Accept"] = tc.accept
			resp, got := c.do(t, srv)
			if resp.StatusCode != http.StatusOK || mediaType(t, resp) != server.MIMEMarkdown {
				t.Fatalf("status %d, type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), got)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(got), w) {
					t.Errorf("markdown lacks %q:\n%s", w, got)
				}
			}
			if !strings.Contains(resp.Header.Get("Vary"), "Accept") {
				t.Errorf("Vary = %q, want it to name Accept", resp.Header.Get("Vary"))
			}
		})
	}
	t.Run("nothing acceptable", func(t *testing.T) {
		c := postJSON(`{"multi_tenant":true}`)
		c.header["Accept"] = "text/html, application/xml"
		resp, body := c.do(t, srv)
		checkProblem(t, resp, body, http.StatusNotAcceptable, "not-acceptable")
	})
}

// TestAdviseBatchCSV sends a batch as a CSV table and asks for its answer
// as a table: a CSV body gets the answer its JSON twin gets, in every
// representation, and a CSV answer is the report's table.
func TestAdviseBatchCSV(t *testing.T) {
	srv := start(t, engine, server.Options{})
	const table = "\xef\xbb\xbfname,multi_tenant,needs_windows,architecture,scaling,density\r\n" +
		"erp,FALSE,TRUE,,,\r\n" +
		"\"shop, EU\",false,,microservices,elastic,\r\n" +
		"typo,false,,,,extreme\r\n"
	const twin = `[{"name":"erp","multi_tenant":false,"needs_windows":true},` +
		`{"name":"shop, EU","multi_tenant":false,"architecture":"microservices","scaling":"elastic"},` +
		`{"name":"typo","multi_tenant":false,"density":"extreme"}]`
	post := func(contentType, body, accept string) (*http.Response, []byte) {
		c := batchCall(body)
		c.header["Content-Type"] = contentType
		if accept != "" {
			c.header["Accept"] = accept
		}
		return c.do(t, srv)
	}
	for _, accept := range []string{"", "text/markdown", "text/csv"} {
		t.Run("the same answer as JSON, accept "+accept, func(t *testing.T) {
			fromCSV, got := post("text/csv", table, accept)
			fromJSON, want := post("application/json", twin, accept)
			if fromCSV.StatusCode != http.StatusOK || fromJSON.StatusCode != http.StatusOK {
				t.Fatalf("status %d and %d: %s", fromCSV.StatusCode, fromJSON.StatusCode, got)
			}
			if string(got) != string(want) {
				t.Errorf("the CSV batch is answered\n%s\nits JSON twin\n%s", got, want)
			}
		})
	}
	t.Run("a CSV answer", func(t *testing.T) {
		resp, body := post("text/csv; charset=utf-8", table, "application/json;q=0.5, text/csv")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8; header=present" {
			t.Fatalf("status %d, Content-Type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		var pf api.Portfolio
		_, jsonBody := post("text/csv", table, "")
		decodeStrict(t, jsonBody, &pf)
		var want strings.Builder
		if err := report.PortfolioCSV(&want, pf, report.English); err != nil {
			t.Fatal(err)
		}
		if string(body) != want.String() {
			t.Errorf("the CSV answer is\n%s\nwant the report's table\n%s", body, want.String())
		}
		if !strings.Contains(string(body), "\r\n2,typo,,,,,,,,,,,,,density,") {
			t.Errorf("the bad item is not a row with its error:\n%s", body)
		}
		if resp.Header.Get("Content-Language") != "en" || !strings.Contains(resp.Header.Get("Vary"), "Accept") {
			t.Errorf("Content-Language %q, Vary %q", resp.Header.Get("Content-Language"), resp.Header.Get("Vary"))
		}
	})
	t.Run("text/* is still Markdown", func(t *testing.T) {
		resp, body := post("text/csv", table, "text/*")
		if resp.StatusCode != http.StatusOK || mediaType(t, resp) != server.MIMEMarkdown {
			t.Fatalf("status %d, %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("a table's fault names the item and the column", func(t *testing.T) {
		resp, body := post("text/csv", "name,multi_tenant\r\nerp,false\r\nshop,yes\r\n", "text/csv")
		p := checkProblem(t, resp, body, http.StatusBadRequest, "malformed-request")
		if !strings.Contains(p.Detail, `multi_tenant: CSV item 1 (line 3): "yes" is not a boolean`) {
			t.Errorf("detail = %q", p.Detail)
		}
	})
}
