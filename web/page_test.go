package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/placement-advisor/advise/server"
)

// pagePolicy is the Content-Security-Policy every page response carries.
const pagePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// upload is a portfolio form as the page posts it.
func upload(t *testing.T, fields map[string]string) (http.Header, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return http.Header{"Content-Type": {mw.FormDataContentType()}}, buf.String()
}

// pageCall is one request to the page.
type pageCall struct {
	method string
	path   string
	header http.Header
	body   string
}

func get(path string, header http.Header) pageCall {
	return pageCall{method: http.MethodGet, path: path, header: header}
}

func post(path string, values url.Values) pageCall {
	h, b := form(values)
	return pageCall{method: http.MethodPost, path: path, header: h, body: b}
}

// TestPageGolden renders the page for a few workloads and compares the
// HTML with testdata/golden (go test -update rewrites it). Every page
// carries the page's own CSP, and what it repeats of the input is escaped:
// no control character or bidirectional override reaches the HTML raw.
func TestPageGolden(t *testing.T) {
	srv := start(t, server.Options{})
	portfolioHeader, portfolioBody := upload(t, map[string]string{"text": "- name: erp\n  multi_tenant: false\n  needs_windows: true\n- name: typo\n  multi_tenant: false\n  density: extreme\n", "format": "auto", "lang": "en"})
	badHeader, badBody := upload(t, map[string]string{"text": "[{\"multi_tenant\": true}", "format": "json"})
	for name, tc := range map[string]struct {
		call   pageCall
		status int
	}{
		"form":              {get("/", nil), http.StatusOK},
		"form-zh":           {get("/", http.Header{"Accept-Language": {"zh-CN,zh;q=0.9,en;q=0.5"}}), http.StatusOK},
		"share-answer":      {get("/?name=Shared+SaaS&multi_tenant=true&untrusted_code=true&architecture=microservices", nil), http.StatusOK},
		"hybrid-layout-zh":  {post("/", url.Values{"lang": {"zh"}, "name": {"ERP + web"}, "multi_tenant": {"false"}, "needs_windows": {"true"}, "architecture": {"microservices"}, "mixed_components": {"true"}, "instances": {"40"}}), http.StatusOK},
		"control-chars":     {post("/", url.Values{"name": {"evil\x1b[2J\u202ename<script>"}, "multi_tenant": {"true"}, "density": {"extreme"}}), http.StatusUnprocessableEntity},
		"decode-error":      {get("/?multi_tenant=maybe&bogus=1", nil), http.StatusBadRequest},
		"portfolio-form":    {get("/portfolio", nil), http.StatusOK},
		"portfolio-yaml":    {pageCall{method: http.MethodPost, path: "/portfolio", header: portfolioHeader, body: portfolioBody}, http.StatusOK},
		"portfolio-refused": {pageCall{method: http.MethodPost, path: "/portfolio", header: badHeader, body: badBody}, http.StatusBadRequest},
		"rules":             {get("/rules", nil), http.StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := fetch(t, tc.call.method, srv.URL+tc.call.path, tc.call.header, tc.call.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d\n%.3000s", resp.StatusCode, tc.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); csp != pagePolicy {
				t.Errorf("Content-Security-Policy = %q, want %q", csp, pagePolicy)
			}
			for i, r := range body {
				if (unicode.IsControl(r) && r != '\n' && r != '\t') || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Fatalf("raw %U at byte %d: %q", r, i, body[max(0, i-60):min(len(body), i+60)])
				}
			}
			if strings.Contains(body, "<script>") {
				t.Error("input reached the page as markup")
			}
			golden := filepath.Join("testdata", "golden", name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if body != string(want) {
				t.Errorf("the page differs from %s (go test -update rewrites it); got:\n%.4000s", golden, body)
			}
		})
	}
}

// TestPageToken holds the page to the server's token: what answers a
// workload or shows the policy needs it, in the Authorization header or
// the posted form, never from the address; the empty form, the style sheet
// and the script need none, so the page can load to ask for it. The API
// keeps its own check and its own CSP.
func TestPageToken(t *testing.T) {
	srv := start(t, server.Options{Token: testToken})
	bearer := http.Header{"Authorization": {"Bearer " + testToken}}
	workload := url.Values{"multi_tenant": {"true"}, "untrusted_code": {"true"}}
	with := func(extra url.Values) url.Values {
		out := url.Values{}
		for k, v := range workload {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	portfolioNoToken := func() pageCall {
		h, b := upload(t, map[string]string{"text": `[{"multi_tenant": true}]`})
		return pageCall{method: http.MethodPost, path: "/portfolio", header: h, body: b}
	}
	portfolioToken := func() pageCall {
		h, b := upload(t, map[string]string{"text": `[{"multi_tenant": true}]`, "token": testToken})
		return pageCall{method: http.MethodPost, path: "/portfolio", header: h, body: b}
	}
	for name, tc := range map[string]struct {
		call    pageCall
		status  int
		has     []string
		hasNot  []string
		api     bool // an API route: problem+json and default-src 'none'
		noCheck bool // a static file: no page markup to look for
	}{
		"empty form asks for the token": {call: get("/", nil), status: http.StatusOK, has: []string{`id="in-token"`}, hasNot: []string{`id="verdict"`}},
		"shared link waits for it":      {call: get("/?"+workload.Encode(), nil), status: http.StatusOK, has: []string{`id="pending"`, `data-autosubmit="true"`}, hasNot: []string{`id="verdict"`}},
		"token in the query is ignored": {call: get("/?"+with(url.Values{"token": {testToken}}).Encode(), nil), status: http.StatusOK, has: []string{`id="pending"`}, hasNot: []string{`id="verdict"`}},
		"shared link with the header":   {call: get("/?"+workload.Encode(), bearer), status: http.StatusOK, has: []string{`id="verdict"`}},
		"post without a token":          {call: post("/", workload), status: http.StatusUnauthorized, has: []string{`id="e-token"`, "Enter the access token"}, hasNot: []string{`id="verdict"`}},
		"post with a wrong token":       {call: post("/", with(url.Values{"token": {"not-the-token-at-all"}})), status: http.StatusUnauthorized, has: []string{"The access token is not valid."}, hasNot: []string{`id="verdict"`}},
		"post with the token in the body": {call: post("/", with(url.Values{"token": {testToken}})), status: http.StatusOK, has: []string{`id="verdict"`},
			hasNot: []string{testToken}},
		"post with the header": {call: func() pageCall {
			c := post("/", workload)
			c.header["Authorization"] = bearer["Authorization"]
			return c
		}(), status: http.StatusOK, has: []string{`id="verdict"`}},
		"rules ask for the token": {call: get("/rules", nil), status: http.StatusOK, has: []string{`id="rules-token"`}, hasNot: []string{`id="rules"`}},
		"rules with the header":   {call: get("/rules", bearer), status: http.StatusOK, has: []string{`id="rules"`}},
		"rules with the token":    {call: post("/rules", url.Values{"token": {testToken}}), status: http.StatusOK, has: []string{`id="rules"`}},
		"portfolio without it":    {call: portfolioNoToken(), status: http.StatusUnauthorized, hasNot: []string{`id="pf-table"`}},
		"portfolio with it":       {call: portfolioToken(), status: http.StatusOK, has: []string{`id="pf-table"`}},
		"style sheet needs none":  {call: get("/static/page.css", nil), status: http.StatusOK, noCheck: true},
		"script needs none":       {call: get("/static/page.js", nil), status: http.StatusOK, noCheck: true},
		"no such asset":           {call: get("/static/nothing.js", nil), status: http.StatusNotFound, api: true},
		"API still needs it":      {call: get("/v1/rules", nil), status: http.StatusUnauthorized, api: true},
		"API form is not JSON": {call: func() pageCall {
			c := post("/", workload)
			c.header["Content-Type"] = []string{"application/json"}
			return c
		}(), status: http.StatusUnsupportedMediaType, api: true},
	} {
		t.Run(name, func(t *testing.T) {
			resp, body := fetch(t, tc.call.method, srv.URL+tc.call.path, tc.call.header, tc.call.body)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d\n%.2000s", resp.StatusCode, tc.status, body)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			switch {
			case tc.api && tc.call.path == "/v1/rules":
				if csp != "default-src 'none'; frame-ancestors 'none'" {
					t.Errorf("API CSP = %q", csp)
				}
			case !tc.api && csp != pagePolicy:
				t.Errorf("page CSP = %q", csp)
			}
			if tc.api && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("Content-Type = %q, want a problem", resp.Header.Get("Content-Type"))
			}
			if tc.noCheck || tc.api {
				return
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("the page holds %q", s)
				}
			}
		})
	}
}
