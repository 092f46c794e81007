package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

// saturated starts a server whose every slot is taken by a request held
// inside the engine, so the next request finds it at its concurrency limit.
// The held requests are released, and answered, when the test ends.
func saturated(t *testing.T, opts server.Options) *httptest.Server {
	t.Helper()
	if opts.MaxInFlight == 0 {
		opts.MaxInFlight = 2
	}
	opts.MaxEvaluating = opts.MaxInFlight // every held request is inside the engine
	entered := make(chan struct{}, opts.MaxInFlight)
	release := make(chan struct{})
	held := stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		entered <- struct{}{}
		select {
		case <-release:
			return api.Answer{Recommendation: api.RecommendVM}, nil
		case <-ctx.Done():
			return api.Answer{}, fmt.Errorf("evaluate: %w", ctx.Err())
		}
	}}
	opts.EvalTimeout = time.Hour // only the release ends the held requests
	srv := httptest.NewServer(server.New(held, opts))
	done := make(chan struct{}, opts.MaxInFlight)
	for range opts.MaxInFlight {
		go func() {
			defer func() { done <- struct{}{} }()
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/advise", strings.NewReader(`{"multi_tenant":true}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+opts.Token)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	for range opts.MaxInFlight {
		<-entered
	}
	t.Cleanup(func() {
		close(release)
		for range opts.MaxInFlight {
			<-done
		}
		srv.Close()
	})
	return srv
}

func TestConcurrencyLimit(t *testing.T) {
	srv := saturated(t, server.Options{MaxInFlight: 2})
	tests := map[string]struct {
		call   call
		status int
	}{
		"advise is refused":        {call: postJSON(`{"multi_tenant":true}`), status: http.StatusServiceUnavailable},
		"the catalog is refused":   {call: call{path: "/v1/rules"}, status: http.StatusServiceUnavailable},
		"liveness still answers":   {call: call{path: "/healthz"}, status: http.StatusOK},
		"readiness says saturated": {call: call{path: "/readyz"}, status: http.StatusServiceUnavailable},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := tc.call.do(t, srv)
			checkSecureHeaders(t, resp)
			if tc.status == http.StatusOK {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200: probes are exempt; body: %s", resp.StatusCode, body)
				}
				return
			}
			p := checkProblem(t, resp, body, tc.status, "overloaded")
			if got := resp.Header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			want := "2 requests"
			if tc.call.path == "/readyz" {
				want = "2 of 2 requests in flight" // answered, not refused: probes are exempt
			}
			if !strings.Contains(p.Detail, want) {
				t.Errorf("detail %q does not say %q", p.Detail, want)
			}
		})
	}
}

// TestConcurrencyLimitFreesSlots checks that a slot comes back when a request
// ends, whatever its outcome: answered, refused as malformed or failed.
func TestConcurrencyLimitFreesSlots(t *testing.T) {
	srv := start(t, engine, server.Options{MaxInFlight: 1})
	for i, c := range []call{
		postJSON(`{"multi_tenant":true}`),
		postJSON(`{"multi_tenant":`),
		postJSON(`{}`),
		{path: "/v1/sources"},
		{path: "/nowhere"},
		postJSON(`{"multi_tenant":false}`),
	} {
		resp, body := c.do(t, srv)
		if resp.StatusCode == http.StatusServiceUnavailable {
			t.Fatalf("request %d (%s %s) found no free slot with nothing else in flight: %s", i, c.method, c.path, body)
		}
	}
}

func TestDefaultMaxInFlightScalesWithCPUs(t *testing.T) {
	if got := server.DefaultMaxInFlight(); got < 32 {
		t.Errorf("DefaultMaxInFlight() = %d, want at least 32 (one CPU)", got)
	}
}

const token = "test-token-0123456789-abcdefghij"

func TestBearerToken(t *testing.T) {
	srv := start(t, engine, server.Options{Token: token})
	tests := map[string]struct {
		call   call
		auth   string // Authorization header; "" sends none
		status int
	}{
		"advise with the token":             {call: postJSON(`{"multi_tenant":true}`), auth: "Bearer " + token, status: http.StatusOK},
		"scheme in lower case":              {call: postJSON(`{"multi_tenant":true}`), auth: "bearer " + token, status: http.StatusOK},
		"rules with the token":              {call: call{path: "/v1/rules"}, auth: "Bearer " + token, status: http.StatusOK},
		"openapi with the token":            {call: call{path: "/openapi.yaml"}, auth: "Bearer " + token, status: http.StatusOK},
		"healthz without a token":           {call: call{path: "/healthz"}, status: http.StatusOK},
		"readyz without a token":            {call: call{path: "/readyz"}, status: http.StatusOK},
		"healthz with a wrong token":        {call: call{path: "/healthz"}, auth: "Bearer nope", status: http.StatusOK},
		"sources without a token":           {call: call{path: "/v1/sources"}, status: http.StatusUnauthorized},
		"openapi without a token":           {call: call{path: "/openapi.yaml"}, status: http.StatusUnauthorized},
		"token with a trailing character":   {call: postJSON(`{"multi_tenant":true}`), auth: "Bearer " + token + "x", status: http.StatusUnauthorized},
		"token in the wrong case":           {call: postJSON(`{"multi_tenant":true}`), auth: "Bearer " + strings.ToUpper(token), status: http.StatusUnauthorized},
		"token without a scheme":            {call: postJSON(`{"multi_tenant":true}`), auth: token, status: http.StatusUnauthorized},
		"bad input with the token is a 422": {call: postJSON(`{}`), auth: "Bearer " + token, status: http.StatusUnprocessableEntity},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.auth != "" {
				if tc.call.header == nil {
					tc.call.header = map[string]string{}
				}
				tc.call.header["Authorization"] = tc.auth
			}
			resp, body := tc.call.do(t, srv)
			checkSecureHeaders(t, resp)
			switch tc.status {
			case http.StatusOK:
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status = %d, want 200; body: %s", resp.StatusCode, body)
				}
			case http.StatusUnauthorized:
				checkProblem(t, resp, body, tc.status, "unauthorized")
				if !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), `Bearer realm="advise"`) {
					t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
				}
				if strings.Contains(string(body), token[:8]) {
					t.Errorf("the problem echoes the token: %s", body)
				}
			default:
				checkProblem(t, resp, body, tc.status, "invalid-request")
			}
		})
	}
}

func TestCheckToken(t *testing.T) {
	tests := map[string]struct {
		token string
		ok    bool
	}{
		"random hex":           {token: "9f86d081884c7d659a2feaa0c55ad015", ok: true},
		"base64 with padding":  {token: "c2VjcmV0LXRva2VuLXZhbHVl+/==", ok: true},
		"url-safe characters":  {token: "abc-def_ghi.jkl~mnop", ok: true},
		"too short":            {token: "short-token"},
		"space inside":         {token: "0123456789 abcdefghij"},
		"quote inside":         {token: `0123456789"abcdefghij`},
		"non-ascii":            {token: "0123456789abcdefghé"},
		"padding in the midst": {token: "0123456789=abcdefghij"},
		"only padding":         {token: "================"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := server.CheckToken(tc.token)
			if (err == nil) != tc.ok {
				t.Errorf("CheckToken(%q) = %v, want ok=%v", tc.token, err, tc.ok)
			}
			if err != nil && !errors.Is(err, server.ErrBadOption) {
				t.Errorf("error %v is not ErrBadOption", err)
			}
		})
	}
}

func TestCheckOrigin(t *testing.T) {
	tests := map[string]struct {
		origin string
		ok     bool
	}{
		"https host":        {origin: "https://tools.example.com", ok: true},
		"http with port":    {origin: "http://localhost:3000", ok: true},
		"wildcard":          {origin: "*"},
		"wildcard host":     {origin: "https://*.example.com"},
		"trailing slash":    {origin: "https://tools.example.com/"},
		"with a path":       {origin: "https://tools.example.com/app"},
		"no scheme":         {origin: "tools.example.com"},
		"other scheme":      {origin: "ftp://tools.example.com"},
		"with credentials":  {origin: "https://user@tools.example.com"},
		"with a query":      {origin: "https://tools.example.com?x=1"},
		"empty":             {origin: ""},
		"null origin":       {origin: "null"},
		"question wildcard": {origin: "https://tool?.example.com"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := server.CheckOrigin(tc.origin)
			if (err == nil) != tc.ok {
				t.Errorf("CheckOrigin(%q) = %v, want ok=%v", tc.origin, err, tc.ok)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	const allowed = "https://tools.example.com"
	on := start(t, engine, server.Options{CORSOrigins: []string{allowed}, Token: token})
	off := start(t, engine, server.Options{})
	preflight := func(origin string) call {
		return call{method: http.MethodOptions, path: "/advise", header: map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization, content-type",
		}}
	}
	simple := func(origin string) call {
		c := postJSON(`{"multi_tenant":true}`)
		c.header["Origin"] = origin
		c.header["Authorization"] = "Bearer " + token
		return c
	}
	tests := map[string]struct {
		srv        *httptest.Server
		call       call
		status     int
		wantOrigin string // Access-Control-Allow-Origin; "" means absent
	}{
		"preflight from the allowed origin": {srv: on, call: preflight(allowed), status: http.StatusNoContent, wantOrigin: allowed},
		"preflight from another origin":     {srv: on, call: preflight("https://evil.example.net"), status: http.StatusNoContent},
		"preflight from a look-alike":       {srv: on, call: preflight(allowed + ".evil.net"), status: http.StatusNoContent},
		"request from the allowed origin":   {srv: on, call: simple(allowed), status: http.StatusOK, wantOrigin: allowed},
		"request from another origin":       {srv: on, call: simple("https://evil.example.net"), status: http.StatusOK},
		"cors off: no headers":              {srv: off, call: simple(allowed), status: http.StatusOK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := tc.call.do(t, tc.srv)
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d; body: %s", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q", got, tc.wantOrigin)
			}
			if tc.wantOrigin == "" {
				return
			}
			if tc.call.method == http.MethodOptions {
				methods := resp.Header.Get("Access-Control-Allow-Methods")
				headers := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
				if !strings.Contains(methods, "POST") || !strings.Contains(headers, "authorization") {
					t.Errorf("preflight allows methods %q, headers %q", methods, headers)
				}
			} else if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
				t.Errorf("Access-Control-Expose-Headers = %q, want X-Request-ID exposed", resp.Header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

func TestSecureHeadersOnEveryResponse(t *testing.T) {
	srv := start(t, engine, server.Options{})
	for _, c := range []call{
		postJSON(`{"multi_tenant":true}`),
		{path: "/healthz"},
		{path: "/readyz"},
		{path: "/v1/rules"},
		{path: "/v1/sources"},
		{path: "/openapi.yaml"},
		{path: "/missing"},
		{method: http.MethodDelete, path: "/advise"},
	} {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			resp, _ := c.do(t, srv)
			checkSecureHeaders(t, resp)
		})
	}
}

// TestBodyReadTimeout sends the headers and part of a body, then stalls: the
// server's read timeout ends the wait with a 408 problem, not a hung handler.
func TestBodyReadTimeout(t *testing.T) {
	srv := httptest.NewUnstartedServer(server.New(engine, server.Options{}))
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"multi_tenant\":")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response after the read timeout: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read the problem: %v", err)
	}
	resp.Request = &http.Request{URL: &url.URL{Path: "/advise"}}
	checkProblem(t, resp, body, http.StatusRequestTimeout, "request-timeout")
}

// TestEvaluationsWaitInLine admits more requests than evaluations may run at
// once: the request beyond MaxEvaluating waits for the running one and is
// answered once it ends, instead of competing with it for the CPU; a request
// whose deadline passes while it waits gets evaluation-timeout.
func TestEvaluationsWaitInLine(t *testing.T) {
	entered := make(chan struct{}, 4)
	release := make(chan struct{})
	var calls atomic.Int32
	held := stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		if calls.Add(1) == 1 {
			entered <- struct{}{}
			<-release
		}
		multiTenant := true
		return engine.Advise(ctx, &api.Request{MultiTenant: &multiTenant}, policy.English)
	}}
	srv := start(t, held, server.Options{MaxEvaluating: 1, MaxInFlight: 8, EvalTimeout: time.Hour})
	first := make(chan int, 1)
	go func() {
		resp, _ := postJSON(`{"multi_tenant":true}`).do(t, srv)
		first <- resp.StatusCode
	}()
	<-entered
	second := make(chan int, 1)
	go func() {
		resp, _ := postJSON(`{"multi_tenant":true}`).do(t, srv)
		second <- resp.StatusCode
	}()
	select {
	case code := <-second:
		t.Fatalf("the second request was answered %d while the only evaluation slot was taken", code)
	case <-time.After(100 * time.Millisecond): // it waits; a guard, not a timing assertion
	}
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Errorf("first request: %d", code)
	}
	if code := <-second; code != http.StatusOK {
		t.Errorf("second request, after waiting: %d", code)
	}

	// A deadline that passes in line is an evaluation timeout.
	busyEntered := make(chan struct{}, 1)
	hold := make(chan struct{})
	busy := stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		busyEntered <- struct{}{}
		<-hold
		return api.Answer{}, fmt.Errorf("evaluate: %w", context.Canceled)
	}}
	slow := start(t, busy, server.Options{MaxEvaluating: 1, MaxInFlight: 8, EvalTimeout: 50 * time.Millisecond})
	heldDone := make(chan struct{})
	t.Cleanup(func() { // before the server closes, which waits for the held handler
		close(hold)
		<-heldDone
	})
	go func() {
		defer close(heldDone)
		if resp, err := http.Post(slow.URL+"/advise", "application/json", strings.NewReader(`{"multi_tenant":true}`)); err == nil {
			resp.Body.Close()
		}
	}()
	<-busyEntered
	resp, body := postJSON(`{"multi_tenant":true}`).do(t, slow)
	checkProblem(t, resp, body, http.StatusServiceUnavailable, "evaluation-timeout")
}
