package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/placement-advisor/advise/server"
)

// fakeClock stands in for time in the --server client: a wait is recorded
// and moves the clock on at once.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
	// onWait, if set, runs before the nth wait (from 1) returns.
	onWait func(n int)
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	n := len(c.waits)
	c.mu.Unlock()
	if c.onWait != nil {
		c.onWait(n)
	}
	return ctx.Err()
}

func (c *fakeClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// withClock makes the --server client of a run wait on clock, and take
// stderr for a terminal or not.
func withClock(ctx context.Context, clock *fakeClock, terminal bool) context.Context {
	return context.WithValue(ctx, remoteHooksKey{}, func(r *remote) {
		r.now, r.sleep = clock.Now, clock.Sleep
		r.isTerminal = func(io.Writer) bool { return terminal }
	})
}

// fakeTime is a whole second, so that an HTTP-date names it exactly.
var fakeTime = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// reply is one scripted answer of flakyServer.
type reply struct {
	status     int
	retryAfter string
	body       string
}

// flakyServer answers the scripted replies in turn, then hands every request
// to the real server on the embedded rules; attempts counts the requests.
func flakyServer(t *testing.T, script ...reply) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	real := server.New(testEngine(t), server.Options{})
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := attempts.Add(1)
		if int(n) > len(script) {
			real.ServeHTTP(w, r)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		s := script[n-1]
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(s.status)
		body := s.body
		if body == "" {
			body = fmt.Sprintf(`{"type":"about:blank","title":%q,"status":%d}`, http.StatusText(s.status), s.status)
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &attempts
}

const overloadedBody = `{"type":"https://placement-advisor.dev/problems/overloaded","title":"Server overloaded","status":503}`

// TestServerRetriesHonourRetryAfter is the case of issue 19 on the real
// clock: a server that answers 503 with Retry-After: 1 twice, then 200. The
// CLI waits as asked, succeeds on the third attempt and, its stderr not
// being a terminal, prints nothing about the waits.
func TestServerRetriesHonourRetryAfter(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	real := server.New(testEngine(t), server.Options{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		n := len(arrivals)
		mu.Unlock()
		if n <= 2 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, overloadedBody)
			return
		}
		real.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	r := runCLI(t, "", "--server", srv.URL, "testdata/vm.json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "Recommendation: ") {
		t.Errorf("stdout is not the answer:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Errorf("stderr is not a terminal, yet got %q", r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 3 {
		t.Fatalf("the server saw %d attempts, want 3", len(arrivals))
	}
	for i := 1; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-1]); gap < time.Second {
			t.Errorf("attempt %d came %s after the one before, sooner than the Retry-After of 1s", i+1, gap)
		}
	}
}

func TestServerRetries(t *testing.T) {
	overloaded := reply{status: http.StatusServiceUnavailable, retryAfter: "1", body: overloadedBody}
	tests := map[string]struct {
		script   []reply
		files    []string
		terminal bool
		code     int
		attempts int64
		waits    []time.Duration // nil: drawn by the backoff, checked against its bounds
		stderr   []string        // each line of stderr, in order
	}{
		"503 twice then 200, on a terminal": {
			script: []reply{overloaded, overloaded}, terminal: true, code: exitOK, attempts: 3,
			waits: []time.Duration{time.Second, time.Second},
			stderr: []string{
				"advise: server answered 503 Service Unavailable (Server overloaded); retrying in 1s (attempt 2 of 5)",
				"advise: server answered 503 Service Unavailable (Server overloaded); retrying in 1s (attempt 3 of 5)",
			},
		},
		"503 then 200, not a terminal: nothing printed": {
			script: []reply{overloaded}, code: exitOK, attempts: 2, waits: []time.Duration{time.Second},
		},
		"a batch is retried too": {
			script: []reply{overloaded}, files: []string{"testdata/vm.json", "testdata/container.json"}, terminal: true, code: exitOK, attempts: 2,
			waits:  []time.Duration{time.Second},
			stderr: []string{"advise: server answered 503 Service Unavailable (Server overloaded); retrying in 1s (attempt 2 of 5)"},
		},
		"429 with Retry-After as an HTTP-date": {
			script:   []reply{{status: http.StatusTooManyRequests, retryAfter: fakeTime.Add(3 * time.Second).Format(http.TimeFormat)}},
			terminal: true, code: exitOK, attempts: 2, waits: []time.Duration{3 * time.Second},
			stderr: []string{"advise: server answered 429 Too Many Requests; retrying in 3s (attempt 2 of 5)"},
		},
		"502 and 504 without Retry-After back off": {
			script: []reply{{status: http.StatusBadGateway}, {status: http.StatusGatewayTimeout}}, code: exitOK, attempts: 3,
		},
		"400 is not retried": {
			script: []reply{{status: http.StatusBadRequest, retryAfter: "1"}}, terminal: true, code: exitBadInput, attempts: 1,
			stderr: []string{"advise: server rejected the workload (400 Bad Request)"},
		},
		"422 is not retried": {
			script: []reply{{status: http.StatusUnprocessableEntity}}, terminal: true, code: exitBadInput, attempts: 1,
			stderr: []string{"advise: server rejected the workload (422 Unprocessable Entity)"},
		},
		"500 is not retried": {
			script: []reply{{status: http.StatusInternalServerError}}, terminal: true, code: exitFailure, attempts: 1,
			stderr: []string{"advise: server failed (500 Internal Server Error)"},
		},
		"Retry-After past the budget fails at once": {
			script: []reply{{status: http.StatusServiceUnavailable, retryAfter: "45", body: overloadedBody}}, terminal: true, code: exitFailure, attempts: 1,
			stderr: []string{"advise: server failed (503 Service Unavailable): Server overloaded; it asks to retry in 45s, past the 30s left of the 30s budget"},
		},
		"503 every time gives up after the last attempt": {
			script: []reply{overloaded, overloaded, overloaded, overloaded, overloaded}, code: exitFailure, attempts: 5,
			waits:  []time.Duration{time.Second, time.Second, time.Second, time.Second},
			stderr: []string{"advise: server failed (503 Service Unavailable): Server overloaded (gave up after 5 attempts)"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv, attempts := flakyServer(t, tc.script...)
			clock := &fakeClock{now: fakeTime}
			files := tc.files
			if files == nil {
				files = []string{"testdata/vm.json"}
			}
			r := runCLIContext(t, withClock(context.Background(), clock, tc.terminal), "", append([]string{"--server", srv.URL}, files...)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d: %s", r.code, tc.code, r.stderr)
			}
			if got := attempts.Load(); got != tc.attempts {
				t.Errorf("the server saw %d attempts, want %d", got, tc.attempts)
			}
			waits := clock.Waits()
			if tc.waits != nil && fmt.Sprint(waits) != fmt.Sprint(tc.waits) {
				t.Errorf("waited %v, want %v", waits, tc.waits)
			}
			if tc.waits == nil {
				checkBackoff(t, waits, int(tc.attempts)-1)
			}
			var lines []string
			if s := strings.TrimSuffix(r.stderr, "\n"); s != "" {
				lines = strings.Split(s, "\n")
			}
			if len(lines) != len(tc.stderr) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(tc.stderr), r.stderr)
			}
			for i, want := range tc.stderr {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("stderr line %d = %q, want it to start %q", i+1, lines[i], want)
				}
			}
		})
	}
}

// checkBackoff checks waits drawn by the backoff: n of them, the ith within
// [0, min(cap, base·2^i)).
func checkBackoff(t *testing.T, waits []time.Duration, n int) {
	t.Helper()
	if len(waits) != n {
		t.Fatalf("waited %d times (%v), want %d", len(waits), waits, n)
	}
	for i, w := range waits {
		if bound := min(backoffCap, backoffBase<<i); w < 0 || w >= bound {
			t.Errorf("wait %d = %s, outside [0, %s)", i+1, w, bound)
		}
	}
}

// TestServerRetriesUntilTheListenerIsUp: the service starts listening only
// after the first attempt was refused; the CLI tries again and gets its
// answer.
func TestServerRetriesUntilTheListenerIsUp(t *testing.T) {
	addr := freeAddr(t)
	clock := &fakeClock{now: fakeTime}
	srv := httptest.NewUnstartedServer(server.New(testEngine(t), server.Options{}))
	clock.onWait = func(n int) {
		if n != 1 {
			return
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		srv.Listener = l
		srv.Start()
	}
	t.Cleanup(srv.Close)

	r := runCLIContext(t, withClock(context.Background(), clock, true), "", "--server", "http://"+addr, "testdata/vm.json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "advise: cannot connect to http://" + addr + " (connection refused); retrying in "
	if !strings.HasPrefix(r.stderr, want) || !strings.HasSuffix(r.stderr, " (attempt 2 of 5)\n") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr = %q, want one line %q…", r.stderr, want)
	}
	checkBackoff(t, clock.Waits(), 1)
}

// TestServerDoesNotRetryABrokenReply: a 200 whose body breaks off part-way
// is reported, not asked again.
func TestServerDoesNotRetryABrokenReply(t *testing.T) {
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "4096")
		_, _ = io.WriteString(w, `{"recommendation":"vm",`) // and the connection closes
	}))
	t.Cleanup(srv.Close)
	clock := &fakeClock{now: fakeTime}
	r := runCLIContext(t, withClock(context.Background(), clock, true), "", "--server", srv.URL, "testdata/vm.json")
	if r.code != exitFailure || !strings.HasPrefix(r.stderr, "advise: read reply from "+srv.URL+": unexpected EOF") {
		t.Errorf("exit %d, stderr %q; want 1 and the broken reply", r.code, r.stderr)
	}
	if n := attempts.Load(); n != 1 || len(clock.Waits()) != 0 {
		t.Errorf("%d attempts and waits %v, want 1 attempt and no wait", n, clock.Waits())
	}
}
