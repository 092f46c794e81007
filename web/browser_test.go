package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
	"github.com/placement-advisor/advise/server"
)

// screenshots, when set, is the directory the browser tests write their
// screenshots to, desktop and phone width; -update also rewrites the
// desktop one the README shows, ../docs/page-desktop.png.
var screenshots = os.Getenv("ADVISE_SCREENSHOTS")

// browser starts Debian's chromium, headless, for the length of the test,
// and returns a context for a tab of it. Without chromium the test skips,
// except under CI=true, where the browser tests must run.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it with apt-get")
		}
		t.Skip("chromium is not installed: the browser tests skip (apt-get install chromium to run them)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser and must have no deadline; the
	// steps then run under one that only stops a hung browser.
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspWatcher})
		return err
	})); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	stepCtx, cancelSteps := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelSteps)
	return stepCtx
}

// cspWatcher records, in every document the tab loads, what the page's
// Content-Security-Policy blocked: nothing may be, or the page relies on
// something its own policy forbids.
const cspWatcher = `window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));`

func checkCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	if v := run(t, ctx, "read the CSP violations", chromedp.Evaluate[[]string](`window.__cspViolations || []`)); len(v) > 0 {
		t.Errorf("the page's CSP blocked: %v", v)
	}
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func ptr[T any](v T) *T { return &v }

// sharedSaaS is the workload the browser types into the form, and the same
// workload as the contract's request, to ask the engine directly.
var sharedSaaS = struct {
	selects map[string]string
	request api.Request
}{
	selects: map[string]string{"multi_tenant": "true", "untrusted_code": "true", "architecture": "microservices"},
	request: api.Request{Name: ptr("Shared SaaS"), MultiTenant: ptr(true), UntrustedCode: ptr(true), Architecture: ptr("microservices")},
}

// fillSharedSaaS types the workload's name and picks its choices.
func fillSharedSaaS(t *testing.T, ctx context.Context) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.ID("in-multi_tenant")), chromedp.SendKeys(chromedp.ID("in-name"), *sharedSaaS.request.Name)}
	for field, v := range sharedSaaS.selects {
		steps = append(steps, chromedp.SetValue(chromedp.ID("in-"+field), v))
	}
	do(t, ctx, "fill the form", steps...)
}

// verdictOf is what #verdict's data-verdict holds for an answer.
func verdictOf(recommendation, pattern string) string { return recommendation + "/" + pattern }

// waitVerdict waits for the answer to show verdict, and returns its text.
func waitVerdict(t *testing.T, ctx context.Context, verdict string) string {
	t.Helper()
	sel := chromedp.CSS(`#verdict[data-verdict="` + verdict + `"]`)
	do(t, ctx, "wait for the verdict "+verdict, chromedp.WaitVisible(sel))
	return run(t, ctx, "read the verdict", chromedp.Text(sel))
}

// shoot takes a screenshot of the viewport at width × height, into
// $ADVISE_SCREENSHOTS and, for the committed one under -update, docs/.
// Chinese citations need a CJK font to show (fonts-wqy-microhei).
func shoot(t *testing.T, ctx context.Context, name string, width, height int64, commit bool) {
	t.Helper()
	if screenshots == "" && !(commit && *update) {
		return
	}
	do(t, ctx, "set the viewport", chromedp.EmulateViewport(width, height), chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	png := run(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	if screenshots != "" {
		if err := os.WriteFile(filepath.Join(screenshots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if commit && *update {
		if err := os.WriteFile(filepath.Join("..", "docs", name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// apiFieldError is the message POST /advise gives for field in its problem.
func apiFieldError(t *testing.T, srv string, header http.Header, body []byte, field string) string {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	for k, v := range header {
		h[k] = v
	}
	resp, b := fetch(t, http.MethodPost, srv+"/advise", h, string(body))
	var p server.Problem
	if err := json.Unmarshal([]byte(b), &p); err != nil || resp.StatusCode < 400 {
		t.Fatalf("POST /advise: %d %s", resp.StatusCode, b)
	}
	for _, fe := range p.Errors {
		if fe.Field == field {
			return fe.Message
		}
	}
	t.Fatalf("POST /advise names no error of %s: %s", field, b)
	return ""
}

// TestBrowserFlow drives the page in chromium as a reviewer would: fill
// the form and send it from the keyboard, read the verdict, try a what-if,
// switch to Chinese, send a bad value and read its error, upload a CSV
// portfolio and read the table; then all of it again on a server with a
// token, and the form once more with the script turned off.
func TestBrowserFlow(t *testing.T) {
	for name, tc := range map[string]struct {
		token string
	}{
		"open":       {},
		"with token": {token: testToken},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := browser(t)
			srv := start(t, server.Options{Token: tc.token})
			var auth http.Header
			if tc.token != "" {
				auth = http.Header{"Authorization": {"Bearer " + tc.token}}
			}

			do(t, ctx, "open the page", chromedp.Navigate(srv.URL+"/"))
			fillSharedSaaS(t, ctx)
			if tc.token != "" {
				do(t, ctx, "type the token", chromedp.SendKeys(chromedp.ID("in-token"), tc.token))
			}
			// Enter in a text field sends the form: no mouse needed.
			do(t, ctx, "send the form from the keyboard", chromedp.SendKeys(chromedp.ID("in-name"), "\r"))

			req := sharedSaaS.request
			want, err := engine.Advise(t.Context(), &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			got := waitVerdict(t, ctx, verdictOf(want.Recommendation, want.HybridPattern))
			if w := report.Verdict(want.Recommendation, want.HybridPattern, report.English); got != w {
				t.Errorf("verdict reads %q, want %q", got, w)
			}
			band := run(t, ctx, "read the band", chromedp.AttributeValue(chromedp.ID("band"), "data-band"))
			if band.Value != want.Band {
				t.Errorf("band = %q, want %q", band.Value, want.Band)
			}
			// The address is now the Share link: loading it again gives the
			// same answer (with a token, once the script has sent it).
			href := run(t, ctx, "read the address", chromedp.Location())
			if tc.token != "" && strings.Contains(href, tc.token) {
				t.Errorf("the token is in the address %s", href)
			}
			share := run(t, ctx, "read the share link", chromedp.AttributeValue(chromedp.ID("share"), "href"))
			if !strings.HasSuffix(href, share.Value) {
				t.Errorf("the address %s is not the Share link %s", href, share.Value)
			}
			do(t, ctx, "load the Share link", chromedp.Navigate(href))
			waitVerdict(t, ctx, verdictOf(want.Recommendation, want.HybridPattern))
			shoot(t, ctx, "page-desktop.png", 1280, 1000, tc.token == "")
			shoot(t, ctx, "page-phone.png", 390, 844, false)
			do(t, ctx, "set the phone viewport", chromedp.EmulateViewport(390, 800))
			if overflow := run(t, ctx, "measure the page", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); overflow {
				wide := run(t, ctx, "find the wide", chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => !e.closest(".scroll") && e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))`))
				t.Errorf("at phone width the page scrolls sideways: %v", wide)
			}
			do(t, ctx, "set the desktop viewport", chromedp.EmulateViewport(1280, 900))

			// Copy as Markdown copies the review section the API's Markdown
			// rendering gives.
			do(t, ctx, "copy as Markdown", chromedp.Click(chromedp.ID("copy-md")),
				chromedp.WaitVisible(chromedp.CSS(`#status:not(:empty)`)))
			if status := run(t, ctx, "read the status", chromedp.Text(chromedp.ID("status"))); status != "Copied." {
				t.Errorf("after Copy as Markdown the page says %q", status)
			}
			var md bytes.Buffer
			if err := report.Markdown(&md, want, report.English); err != nil {
				t.Fatal(err)
			}
			if got := run(t, ctx, "read the Markdown", chromedp.Value(chromedp.ID("review-md"))); got != md.String() {
				t.Errorf("the review section differs from report.Markdown:\n%s", got)
			}

			// Download JSON holds the answer the API gives.
			dl := run(t, ctx, "read the download", chromedp.AttributeValue(chromedp.ID("download-json"), "href"))
			var downloaded api.Answer
			if err := json.Unmarshal([]byte(dataURLBody(t, dl.Value, "application/json")), &downloaded); err != nil {
				t.Fatalf("Download JSON: %v", err)
			}
			if downloaded.Recommendation != want.Recommendation || downloaded.Policy != want.Policy || len(downloaded.Reasons) != len(want.Reasons) {
				t.Errorf("Download JSON holds %s under %v, want %s under %v", downloaded.Recommendation, downloaded.Policy, want.Recommendation, want.Policy)
			}

			// Tab moves from field to field, and the focused one shows it.
			do(t, ctx, "tab from the name", chromedp.SendKeys(chromedp.ID("in-name"), "\t"))
			focus := run(t, ctx, "read the focus", chromedp.Evaluate[[]string](`[document.activeElement.id, getComputedStyle(document.activeElement).outlineStyle, getComputedStyle(document.activeElement).outlineWidth]`))
			if focus[0] != "in-multi_tenant" || focus[1] == "none" || focus[2] == "0px" {
				t.Errorf("after Tab from the name, focus is on %q with outline %s %s; want multi_tenant, outlined", focus[0], focus[1], focus[2])
			}

			// Every ask_next field is highlighted with its question.
			for _, q := range want.AskNext {
				cls := run(t, ctx, "read "+q.Field, chromedp.AttributeValue(chromedp.ID("f-"+q.Field), "class"))
				if !slices.Contains(strings.Fields(cls.Value), "ask") {
					t.Errorf("field %s is asked next but not highlighted (class %q)", q.Field, cls.Value)
				}
			}

			if len(want.WhatIf) == 0 {
				t.Fatal("the workload has no what-if to try")
			}
			wi := want.WhatIf[0]
			do(t, ctx, "click the first what-if", chromedp.Click(chromedp.CSS("#whatifs button.whatif")))
			waitVerdict(t, ctx, verdictOf(wi.Recommendation, wi.HybridPattern))
			for _, c := range wi.Changes {
				v := run(t, ctx, "read "+c.Field, chromedp.Value(chromedp.ID("in-"+c.Field)))
				if v != report.Value(c.Value) && !(c.Value == nil && v == "") {
					t.Errorf("after the what-if %s holds %q, want %v", c.Field, v, c.Value)
				}
			}

			do(t, ctx, "switch to Chinese", chromedp.Click(chromedp.CSS(`button[name="switch_lang"][value="zh"]`)),
				chromedp.WaitReady(chromedp.CSS(`html[lang="zh-CN"] #verdict`)))
			zh := run(t, ctx, "read the verdict", chromedp.Text(chromedp.ID("verdict")))
			if w := report.Verdict(wi.Recommendation, wi.HybridPattern, report.Chinese); zh != w {
				t.Errorf("Chinese verdict reads %q, want %q", zh, w)
			}

			do(t, ctx, "enter a bad value", chromedp.SetValue(chromedp.ID("in-startup_sla_ms"), "0"),
				chromedp.Click(chromedp.ID("submit")),
				chromedp.WaitVisible(chromedp.ID("e-startup_sla_ms")))
			msg := run(t, ctx, "read the error", chromedp.Text(chromedp.ID("e-startup_sla_ms")))
			bad := want.Input
			bad.StartupSLAMs = ptr(int64(0))
			body, _ := json.Marshal(bad)
			if w := apiFieldError(t, srv.URL, auth, body, "startup_sla_ms"); msg != w {
				t.Errorf("the page says %q next to startup_sla_ms, the API %q", msg, w)
			}

			checkCSP(t, ctx)

			file, err := filepath.Abs(filepath.Join("testdata", "portfolio.csv"))
			if err != nil {
				t.Fatal(err)
			}
			do(t, ctx, "open the portfolio view", chromedp.Navigate(srv.URL+"/portfolio?lang=en"),
				chromedp.WaitVisible(chromedp.ID("in-file")),
				chromedp.SetUploadFiles(chromedp.ID("in-file"), []string{file}))
			if tc.token != "" {
				// The tab keeps the token: the script sends it in the header.
				if stored := run(t, ctx, "read the stored token", chromedp.Evaluate[string](`sessionStorage.getItem("advise.token") || ""`)); stored != tc.token {
					t.Fatalf("the tab keeps token %q", stored)
				}
			}
			do(t, ctx, "upload the portfolio", chromedp.Click(chromedp.ID("submit-portfolio")), chromedp.WaitVisible(chromedp.ID("pf-table")))
			checkPortfolioTable(t, ctx, file)
			checkCSP(t, ctx)
		})
	}
}

// checkPortfolioTable compares the table with the engine's answers to the
// same CSV file: a row per workload, the recommendation of each answered
// one, the index and fields of each refused one.
func checkPortfolioTable(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bodies, err := api.CSVDocuments(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := engine.AdvisePortfolio(t.Context(), bodies, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Index          string   `json:"index"`
		Recommendation string   `json:"recommendation"`
		Fields         []string `json:"fields"`
	}
	rows := run(t, ctx, "read the table", chromedp.Evaluate[[]row](`[...document.querySelectorAll("#pf-table tbody tr")].map(tr => ({
		index: tr.dataset.index,
		recommendation: (tr.querySelector("[data-recommendation]") || {dataset: {}}).dataset.recommendation || "",
		fields: [...tr.querySelectorAll("code.field-name")].map(c => c.textContent),
	}))`))
	if len(rows) != len(want.Items) {
		t.Fatalf("the table has %d rows, the portfolio %d workloads", len(rows), len(want.Items))
	}
	failed := 0
	for i, it := range want.Items {
		r := rows[i]
		if r.Index != strconvItoa(it.Index) {
			t.Errorf("row %d shows index %s, want %d", i, r.Index, it.Index)
		}
		if it.Answer != nil {
			if r.Recommendation != it.Answer.Recommendation {
				t.Errorf("row %d recommends %q, want %q", i, r.Recommendation, it.Answer.Recommendation)
			}
			continue
		}
		failed++
		var fields []string
		for _, fe := range it.Error.Errors {
			fields = append(fields, fe.Field)
		}
		if !slices.Equal(r.Fields, fields) {
			t.Errorf("row %d names fields %v, want %v", i, r.Fields, fields)
		}
	}
	if failed == 0 {
		t.Error("the portfolio has no bad row to show")
	}
	var csv, md bytes.Buffer
	if err := report.PortfolioCSV(&csv, want, report.English); err != nil {
		t.Fatal(err)
	}
	if err := report.PortfolioMarkdown(&md, want, report.English); err != nil {
		t.Fatal(err)
	}
	for id, d := range map[string]struct{ mediaType, body string }{"download-csv": {"text/csv", csv.String()}, "download-md": {"text/markdown", md.String()}} {
		href := run(t, ctx, "read "+id, chromedp.AttributeValue(chromedp.ID(id), "href"))
		if got := dataURLBody(t, href.Value, d.mediaType); got != d.body {
			t.Errorf("%s downloads:\n%s\nwant:\n%s", id, got, d.body)
		}
	}
}

// dataURLBody is what a data: download of mediaType holds.
func dataURLBody(t *testing.T, href, mediaType string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(href, "data:"+mediaType+";charset=utf-8,")
	if !ok {
		t.Fatalf("download %.80q is not a data: address of %s", href, mediaType)
	}
	body, err := url.PathUnescape(rest)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	return body
}

func strconvItoa(i int) string { return strconv.Itoa(i) }

// TestBrowserWithoutScript sends the form with the script turned off: the
// plain POST answers it, a what-if button is a plain submit, and with a
// token the password field carries it in the body.
func TestBrowserWithoutScript(t *testing.T) {
	for name, token := range map[string]string{"open": "", "with token": testToken} {
		t.Run(name, func(t *testing.T) {
			ctx := browser(t)
			srv := start(t, server.Options{Token: token})
			do(t, ctx, "turn the script off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
			do(t, ctx, "open the page", chromedp.Navigate(srv.URL+"/"))
			fillSharedSaaS(t, ctx)
			if token != "" {
				do(t, ctx, "type the token", chromedp.SendKeys(chromedp.ID("in-token"), token))
			}
			do(t, ctx, "send the form", chromedp.Click(chromedp.ID("submit")))
			req := sharedSaaS.request
			want, err := engine.Advise(t.Context(), &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			waitVerdict(t, ctx, verdictOf(want.Recommendation, want.HybridPattern))
			if hidden := run(t, ctx, "read the copy button", chromedp.AttributeValue(chromedp.ID("copy-md"), "hidden")); !hidden.Exists {
				t.Error("without the script the copy button shows, and cannot work")
			}
			share := run(t, ctx, "read the share link", chromedp.AttributeValue(chromedp.ID("share"), "href"))
			u, err := url.Parse(share.Value)
			if err != nil || strings.Contains(share.Value, testToken) {
				t.Fatalf("share link %q", share.Value)
			}
			if token == "" {
				// The link alone reproduces the answer.
				do(t, ctx, "follow the share link", chromedp.Navigate(srv.URL+u.String()))
				waitVerdict(t, ctx, verdictOf(want.Recommendation, want.HybridPattern))
			}
		})
	}
}
