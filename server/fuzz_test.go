package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/server"
)

// FuzzAdviseHandler sends arbitrary bodies through the whole advice path:
// middleware, decoding, validation, the rules and the renderer. Whatever the
// body, the server must not fail (no 5xx but the documented, retryable 503s),
// must answer every refusal with a problem document, and every answer it gives
// must conform to openapi.yaml and cite, for each reason, constraint and
// warning, at least one passage of one of the source documents.
func FuzzAdviseHandler(f *testing.F) {
	for _, mc := range malformedCorpus(f) {
		if len(mc.body(f)) <= 4<<10 { // the oversize cases would only slow the fuzzer
			f.Add(mc.body(f))
		}
	}
	for _, pattern := range []string{"testdata/requests/*.json", "../examples/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			body, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(body)
		}
	}
	f.Add([]byte(`{"multi_tenant":true,"startup_sla_ms":200,"isolation":"hardware","density":"high","scaling":"elastic"}`))

	// The deadline is generous so a slow machine under the fuzzer is not
	// mistaken for a failing server; an evaluation timeout is still allowed.
	handler := server.New(engine, server.Options{EvalTimeout: 10 * time.Second})
	_, router := loadSpec(f)
	sources := map[string]bool{}
	for _, s := range engine.Sources() {
		sources[s.File] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "http://localhost/advise", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		resp := rec.Result()

		switch {
		case resp.StatusCode == http.StatusOK:
			checkCited(t, rec.Body.Bytes(), sources)
		case resp.StatusCode >= 500:
			var p server.Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			if resp.StatusCode != http.StatusServiceUnavailable ||
				(p.Type != server.ProblemTypeBase+"overloaded" && p.Type != server.ProblemTypeBase+"evaluation-timeout") {
				t.Fatalf("body %q got %d: %s", body, resp.StatusCode, rec.Body.Bytes())
			}
		default:
			if mt := resp.Header.Get("Content-Type"); mt != server.MIMEProblemJSON {
				t.Fatalf("body %q got %d as %q, want a problem document", body, resp.StatusCode, mt)
			}
		}

		if err := checkConforms(t, router, req, resp, rec.Body.Bytes()); err != nil {
			t.Fatalf("body %q: the %d response does not conform to openapi.yaml: %v\n%.1000s", body, resp.StatusCode, err, rec.Body.Bytes())
		}
	})
}

// checkCited asserts that every reason, constraint and warning of an answer
// cites at least one passage of a known source document.
func checkCited(t *testing.T, body []byte, sources map[string]bool) {
	t.Helper()
	var ans api.Answer
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatalf("answer does not decode: %v", err)
	}
	check := func(kind, rule string, cites []api.Citation) {
		if len(cites) == 0 {
			t.Errorf("%s %s cites nothing", kind, rule)
		}
		for _, c := range cites {
			if !sources[c.Source] || strings.TrimSpace(c.Locator) == "" {
				t.Errorf("%s %s: citation %+v names no known source or no passage", kind, rule, c)
			}
		}
	}
	for _, r := range ans.Reasons {
		check("reason", r.Rule, r.Citations)
	}
	for _, c := range ans.Constraints {
		check("constraint", c.Rule, c.Citations)
	}
	for _, w := range ans.Warnings {
		check("warning", w.Rule, w.Citations)
	}
}
