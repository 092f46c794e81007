package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
	"github.com/placement-advisor/advise/server/servertest"
)

func TestAdviseAnswers(t *testing.T) {
	srv := start(t, engine, server.Options{})
	tests := map[string]struct {
		fixture     string
		contentType string
		wantRec     string
		wantPattern string
		wantRule    string // a rule the answer must list among its reasons or constraints
	}{
		"windows guest on linux hosts is a vm": {
			fixture: "windows-erp.json", wantRec: api.RecommendVM, wantRule: "platform.guest_os_differs",
		},
		"single-org microservices are containers": {
			fixture: "shop-frontend.json", wantRec: api.RecommendContainer, wantRule: "agility.microservices",
		},
		"hardware isolation with high density is containers in vms": {
			fixture: "shared-platform.json", wantRec: api.RecommendHybrid, wantPattern: api.PatternContainersInVMs, wantRule: "isolation.hardware",
		},
		"untrusted tenants with sub-second start-up run the orchestrator in vms": {
			fixture: "payments-api.json", wantRec: api.RecommendHybrid, wantPattern: api.PatternOrchestratorInVMs, wantRule: "agility.startup_subsecond",
		},
		"charset utf-8 is accepted": {
			fixture: "windows-erp.json", contentType: "application/json; charset=UTF-8", wantRec: api.RecommendVM, wantRule: "platform.guest_os_differs",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := postJSON(fixture(t, tc.fixture))
			if tc.contentType != "" {
				c.header["Content-Type"] = tc.contentType
			}
			resp, body := c.do(t, srv)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, body)
			}
			if mt := mediaType(t, resp); mt != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", mt)
			}
			var ans api.Answer
			decodeStrict(t, body, &ans)
			if ans.Recommendation != tc.wantRec || ans.HybridPattern != tc.wantPattern {
				t.Errorf("got %s/%s, want %s/%s", ans.Recommendation, ans.HybridPattern, tc.wantRec, tc.wantPattern)
			}
			var fired []string
			for _, r := range ans.Reasons {
				fired = append(fired, r.Rule)
			}
			for _, c := range ans.Constraints {
				fired = append(fired, c.Rule)
			}
			if !slices.Contains(fired, tc.wantRule) {
				t.Errorf("rules fired %v, want %s among them", fired, tc.wantRule)
			}
			if ans.Policy != engine.Info() {
				t.Errorf("policy = %+v, want %+v", ans.Policy, engine.Info())
			}
			// The service must answer exactly what the engine answers.
			var req api.Request
			decodeStrict(t, []byte(fixture(t, tc.fixture)), &req)
			direct, err := engine.Advise(t.Context(), &req, policy.English)
			if err != nil {
				t.Fatal(err)
			}
			// Byte for byte what encoding/json writes, as echo's c.JSON
			// would: the server writes answers by hand (api.AppendJSON).
			want, _ := json.Marshal(direct)
			want = append(want, '\n')
			if !bytes.Equal(body, want) {
				t.Errorf("served answer differs from the engine's:\n got %s\nwant %s", body, want)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length = %d, body has %d bytes", resp.ContentLength, len(body))
			}
		})
	}
}

// TestAdvisePrettyIndents keeps echo's ?pretty: the answer indented, the
// same answer.
func TestAdvisePrettyIndents(t *testing.T) {
	srv := start(t, engine, server.Options{})
	c := postJSON(fixture(t, "payments-api.json"))
	c.path = "/advise?pretty"
	resp, body := c.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, body)
	}
	var req api.Request
	decodeStrict(t, []byte(fixture(t, "payments-api.json")), &req)
	direct, err := engine.Advise(t.Context(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.MarshalIndent(direct, "", "  ")
	want = append(want, '\n')
	if !bytes.Equal(body, want) {
		t.Errorf("pretty answer:\n got %s\nwant %s", body, want)
	}
}

func TestAdviseAllowHeaderListsMethods(t *testing.T) {
	srv := start(t, engine, server.Options{})
	resp, body := call{method: http.MethodGet, path: "/advise"}.do(t, srv)
	checkProblem(t, resp, body, http.StatusMethodNotAllowed, "method-not-allowed")
	if allow := resp.Header.Get("Allow"); !strings.Contains(allow, http.MethodPost) || strings.Contains(allow, http.MethodGet) {
		t.Errorf("Allow = %q, want POST listed and GET not", allow)
	}
}

// chunked sends body with no Content-Length, so Go's client streams it with
// chunked transfer encoding; the handler wrapper records that it did.
func chunked(t *testing.T, opts server.Options, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	var (
		mu         sync.Mutex
		sawChunked bool
	)
	h := server.New(engine, opts)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sawChunked = r.ContentLength == -1 && slices.Contains(r.TransferEncoding, "chunked")
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/advise", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	resp, respBody := send(t, req)
	mu.Lock()
	defer mu.Unlock()
	if !sawChunked {
		t.Fatal("the request did not reach the server chunked")
	}
	return resp, respBody
}

// onlyReader hides everything but Read, so nothing can learn the body's size.
type onlyReader struct{ io.Reader }

func TestAdviseChunkedBodyIsHeldToTheLimit(t *testing.T) {
	tests := map[string]struct {
		body   string
		status int
	}{
		"under the limit": {body: `{"multi_tenant":true}`, status: http.StatusOK},
		"well over the limit": {
			body:   `{"multi_tenant":true,"name":"` + strings.Repeat("x", 1<<20) + `"}`,
			status: http.StatusRequestEntityTooLarge,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := chunked(t, server.Options{}, onlyReader{strings.NewReader(tc.body)})
			if tc.status == http.StatusOK {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, body)
				}
				return
			}
			p := checkProblem(t, resp, body, tc.status, "body-too-large")
			if !strings.Contains(p.Detail, "65536") {
				t.Errorf("detail %q does not state the limit", p.Detail)
			}
		})
	}
}

// TestAdviseBodyLimitBoundary pins the limit to the byte, declared and chunked.
func TestAdviseBodyLimitBoundary(t *testing.T) {
	const limit = 256
	exactly := func(n int) string {
		obj := `{"multi_tenant":true}`
		return obj + strings.Repeat(" ", n-len(obj))
	}
	opts := server.Options{BodyLimit: limit}
	srv := start(t, engine, opts)
	tests := map[string]struct {
		size    int
		chunked bool
		status  int
	}{
		"declared, at the limit":    {size: limit, status: http.StatusOK},
		"declared, one byte over":   {size: limit + 1, status: http.StatusRequestEntityTooLarge},
		"chunked, at the limit":     {size: limit, chunked: true, status: http.StatusOK},
		"chunked, one byte over":    {size: limit + 1, chunked: true, status: http.StatusRequestEntityTooLarge},
		"chunked, far over the cap": {size: 64 * limit, chunked: true, status: http.StatusRequestEntityTooLarge},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var resp *http.Response
			var body []byte
			if tc.chunked {
				resp, body = chunked(t, opts, onlyReader{strings.NewReader(exactly(tc.size))})
			} else {
				resp, body = postJSON(exactly(tc.size)).do(t, srv)
			}
			if tc.status == http.StatusOK {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, body)
				}
				return
			}
			checkProblem(t, resp, body, tc.status, "body-too-large")
		})
	}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

func TestAdviseLanguage(t *testing.T) {
	srv := start(t, engine, server.Options{})
	tests := map[string]struct {
		query          string
		acceptLanguage string
		want           policy.Lang
	}{
		"default is english":                {want: policy.English},
		"lang=zh":                           {query: "?lang=zh", want: policy.Chinese},
		"lang=ZH":                           {query: "?lang=ZH", want: policy.Chinese},
		"lang=en":                           {query: "?lang=en", want: policy.English},
		"lang wins over accept-language":    {query: "?lang=en", acceptLanguage: "zh-CN", want: policy.English},
		"accept-language zh-CN":             {acceptLanguage: "zh-CN,zh;q=0.9", want: policy.Chinese},
		"accept-language zh-Hant-TW":        {acceptLanguage: "zh-Hant-TW", want: policy.Chinese},
		"english weighted higher":           {acceptLanguage: "zh;q=0.5, en;q=0.9", want: policy.English},
		"chinese weighted higher":           {acceptLanguage: "en;q=0.4, zh;q=0.8", want: policy.Chinese},
		"unsupported first, chinese second": {acceptLanguage: "fr-FR, zh;q=0.5", want: policy.Chinese},
		"only unsupported":                  {acceptLanguage: "fr, de;q=0.9", want: policy.English},
		"chinese refused with q=0":          {acceptLanguage: "zh;q=0", want: policy.English},
		"malformed q is skipped":            {acceptLanguage: "zh;q=high, en;q=0.1", want: policy.English},
		"wildcard":                          {acceptLanguage: "*", want: policy.English},
	}
	answers := map[policy.Lang]api.Answer{}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := postJSON(fixture(t, "shared-platform.json"))
			c.path += tc.query
			if tc.acceptLanguage != "" {
				c.header["Accept-Language"] = tc.acceptLanguage
			}
			resp, body := c.do(t, srv)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d; body: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Language"); got != string(tc.want) {
				t.Errorf("Content-Language = %q, want %q", got, tc.want)
			}
			var ans api.Answer
			decodeStrict(t, body, &ans)
			var texts []string
			for _, r := range ans.Reasons {
				texts = append(texts, r.Summary)
			}
			for _, c := range ans.Constraints {
				texts = append(texts, c.Summary)
			}
			for _, w := range ans.Warnings {
				texts = append(texts, w.Summary)
			}
			for _, w := range ans.WhatIf {
				texts = append(texts, w.Summary)
			}
			if len(texts) == 0 {
				t.Fatal("the answer has no text to check")
			}
			for _, s := range texts {
				if hasHan(s) != (tc.want == policy.Chinese) {
					t.Errorf("%s answer has %q", tc.want, s)
				}
			}
			answers[tc.want] = ans
		})
	}
	// Only the words change with the language: the reasoning and its sources do not.
	en, zh := answers[policy.English], answers[policy.Chinese]
	strip := func(a api.Answer) string {
		b, _ := json.Marshal(a)
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		b, _ = json.Marshal(withoutText(doc))
		return string(b)
	}
	if len(en.Reasons) == 0 || strip(en) != strip(zh) {
		t.Errorf("english and chinese answers differ beyond their text:\n en %s\n zh %s", strip(en), strip(zh))
	}
}

// withoutText drops the words of a decoded answer, every title, summary,
// why and question, keeping what it decides and what it cites.
func withoutText(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range []string{"title", "summary", "why", "question"} {
			delete(x, k)
		}
		for k, e := range x {
			x[k] = withoutText(e)
		}
	case []any:
		for i, e := range x {
			x[i] = withoutText(e)
		}
	}
	return v
}

func TestRequestID(t *testing.T) {
	srv := start(t, engine, server.Options{})
	tests := map[string]struct {
		sent string
		keep bool
	}{
		"none sent":          {},
		"sane id kept":       {sent: "abc-123_X.9", keep: true},
		"64 characters kept": {sent: strings.Repeat("a", 64), keep: true},
		"65 characters":      {sent: strings.Repeat("a", 65)},
		"space":              {sent: "abc 123"},
		"markup":             {sent: "<script>"},
		"slash":              {sent: "a/b"},
		"non-ascii":          {sent: "請求"},
		"one character kept": {sent: "7", keep: true},
		"colon":              {sent: "a:b"},
		"at sign":            {sent: "a@b"},
		"backquote":          {sent: "a`b"},
		"brace":              {sent: "a{b"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for _, c := range []call{{path: "/healthz"}, postJSON(`{}`)} {
				if tc.sent != "" {
					if c.header == nil {
						c.header = map[string]string{}
					}
					c.header["X-Request-ID"] = tc.sent
				}
				resp, body := c.do(t, srv)
				got := resp.Header.Get("X-Request-ID")
				if tc.keep && got != tc.sent {
					t.Errorf("%s: X-Request-ID = %q, want the caller's %q", c.path, got, tc.sent)
				}
				if !tc.keep && (got == tc.sent || !sane.MatchString(got)) {
					t.Errorf("%s: X-Request-ID = %q, want a fresh sane id", c.path, got)
				}
				if resp.StatusCode != http.StatusOK {
					p := checkProblem(t, resp, body, http.StatusUnprocessableEntity, "invalid-request")
					if p.RequestID != got {
						t.Errorf("request_id %q differs from header %q", p.RequestID, got)
					}
				}
			}
		})
	}
	// Generated ids are not reused.
	first, _ := call{path: "/healthz"}.do(t, srv)
	second, _ := call{path: "/healthz"}.do(t, srv)
	if first.Header.Get("X-Request-ID") == second.Header.Get("X-Request-ID") {
		t.Error("two requests got the same generated id")
	}
}

// stubAdvisor is the real engine with Advise replaced, to make the engine
// fail in ways the real rules never do.
type stubAdvisor struct {
	*policy.Engine
	advise func(ctx context.Context) (api.Answer, error)
}

func (s stubAdvisor) Advise(ctx context.Context, _ *api.Request, _ policy.Lang) (api.Answer, error) {
	return s.advise(ctx)
}

const secret = "secret-internal-detail /srv/policy/decision.rego:42"

var (
	// waitsForDeadline stands in for an evaluation slower than any timeout: it
	// returns only when its context ends, as the engine does.
	waitsForDeadline = stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		<-ctx.Done()
		return api.Answer{}, fmt.Errorf("evaluate: %w", ctx.Err())
	}}
	failsInside = stubAdvisor{Engine: engine, advise: func(context.Context) (api.Answer, error) {
		return api.Answer{}, fmt.Errorf("%w: %s", policy.ErrEvaluation, secret)
	}}
	panics = stubAdvisor{Engine: engine, advise: func(context.Context) (api.Answer, error) {
		panic(secret)
	}}
)

func TestEngineFailures(t *testing.T) {
	tests := map[string]struct {
		advisor server.Advisor
		status  int
		slug    string
	}{
		"evaluation times out": {advisor: waitsForDeadline, status: http.StatusServiceUnavailable, slug: "evaluation-timeout"},
		"engine fails":         {advisor: failsInside, status: http.StatusInternalServerError, slug: "internal-error"},
		"engine panics":        {advisor: panics, status: http.StatusInternalServerError, slug: "internal-error"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var log servertest.LockedBuffer
			srv := start(t, tc.advisor, server.Options{
				EvalTimeout: 1, // nanosecond: the deadline passes before evaluation could end
				Logger:      slog.New(slog.NewJSONHandler(&log, nil)),
			})
			resp, body := postJSON(`{"multi_tenant":true}`).do(t, srv)
			p := checkProblem(t, resp, body, tc.status, tc.slug)
			if strings.Contains(string(body), "secret") || strings.Contains(string(body), ".rego") {
				t.Errorf("the problem leaks internals: %s", body)
			}
			if tc.status == http.StatusInternalServerError {
				logged := log.String()
				if !strings.Contains(logged, secret) || !strings.Contains(logged, p.RequestID) {
					t.Errorf("the log must keep the cause under the request id %s; log: %s", p.RequestID, logged)
				}
			}
			// The server survives and keeps answering.
			resp, body = call{path: "/healthz"}.do(t, srv)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("healthz after the failure: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestClientHangingUpCancelsEvaluation(t *testing.T) {
	started := make(chan struct{})
	ended := make(chan error, 1)
	advisor := stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return api.Answer{}, fmt.Errorf("evaluate: %w", ctx.Err())
	}}
	// The server's own timeout is out of reach: only the client can end it.
	var log servertest.LockedBuffer
	srv := start(t, advisor, server.Options{EvalTimeout: time.Hour, Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/advise", strings.NewReader(`{"multi_tenant":true}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	go func() {
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("evaluation context ended with %v, want context.Canceled", err)
	}
	// The access line tells a caller who left (499) from a server that was
	// too slow (503), and a caller leaving is not logged as a server error.
	srv.Close() // waits for the handler, and so for its access line
	checkCallerLeft(t, log.String())
}

// brokenPipe is a ResponseWriter whose connection is gone: every write
// fails as a write to a socket the peer closed does.
type brokenPipe struct{ header http.Header }

func (w *brokenPipe) Header() http.Header { return w.header }
func (w *brokenPipe) WriteHeader(int)     {}
func (w *brokenPipe) Write([]byte) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
}

// TestClientHangingUpDuringTheAnswer covers a caller who leaves while the
// answer is written: no "request failed" at error level for what is the
// caller's doing, and an access line with 499, not the 200 never delivered.
func TestClientHangingUpDuringTheAnswer(t *testing.T) {
	var log servertest.LockedBuffer
	h := server.New(engine, server.Options{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	req := httptest.NewRequest(http.MethodPost, "/advise", strings.NewReader(`{"multi_tenant":true}`))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(&brokenPipe{header: http.Header{}}, req)
	checkCallerLeft(t, log.String())
}

// checkCallerLeft checks the log of one request whose caller went away: one
// access line, with 499, and no "request failed", since the caller leaving is
// not a server failure.
func checkCallerLeft(t *testing.T, log string) {
	t.Helper()
	var access []map[string]any
	for _, l := range logLines(t, log) {
		switch l["msg"] {
		case "request":
			access = append(access, l)
		case "request failed":
			t.Errorf("a caller hanging up was logged as a failure: %v", l)
		}
	}
	if len(access) != 1 || access[0]["status"] != float64(499) {
		t.Errorf("access lines %v, want one with status 499", access)
	}
}

// TestConcurrentAnswersKeepTheirInputs sends many different workloads at
// once, singly and in batches, and checks each answer echoes its own input.
// Request bodies are read into recycled buffers: one given back while its
// request still used it would show here as an answer for another workload
// (and, under -race, as a data race).
func TestConcurrentAnswersKeepTheirInputs(t *testing.T) {
	srv := start(t, engine, server.Options{})
	const workers, perWorker = 8, 25
	workload := func(w, i int) (string, string) {
		name := fmt.Sprintf("svc-%d-%d-%s", w, i, strings.Repeat("x", (w*perWorker+i)%97))
		return name, fmt.Sprintf(`{"name":%q,"instances":%d,"multi_tenant":%t}`, name, w*perWorker+i+1, i%2 == 0)
	}
	errs := make(chan error, workers*perWorker)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				name, body := workload(w, i)
				if i%5 == 4 { // every fifth as a batch of two: this one and a bad item
					errs <- checkBatchItem(srv.URL, name, "["+body+`,{"isolation":"none"}]`)
					continue
				}
				errs <- checkSingle(srv.URL, name, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func checkSingle(url, name, body string) error {
	var a api.Answer
	if err := postForJSON(url+"/advise", body, &a); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if a.Input.Name == nil || *a.Input.Name != name {
		return fmt.Errorf("answer for %q echoes the input of %v", name, a.Input.Name)
	}
	return nil
}

func checkBatchItem(url, name, body string) error {
	var p api.Portfolio
	if err := postForJSON(url+"/advise/batch", body, &p); err != nil {
		return fmt.Errorf("batch %s: %w", name, err)
	}
	if len(p.Items) != 2 || p.Items[0].Answer == nil || p.Items[0].Answer.Input.Name == nil || *p.Items[0].Answer.Input.Name != name || p.Items[1].Error == nil {
		return fmt.Errorf("batch %s: items %+v, want an answer for %q and an error for the second", name, p.Items, name)
	}
	return nil
}

// postForJSON posts a JSON body and decodes a 200 answer into v. It returns
// errors rather than failing the test, so goroutines may call it.
func postForJSON(url, body string, v any) error {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d, decode: %v", resp.StatusCode, err)
	}
	return nil
}
