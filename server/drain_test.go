package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
	"github.com/placement-advisor/advise/server/servertest"
)

// heldEngine is the real engine, except that once armed it holds the next
// request inside the evaluation until released: a request certain to be in
// flight when shutdown begins.
type heldEngine struct {
	*policy.Engine
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (h *heldEngine) Advise(ctx context.Context, req *api.Request, lang policy.Lang) (api.Answer, error) {
	if h.armed.CompareAndSwap(true, false) {
		close(h.entered)
		<-h.release
	}
	return h.Engine.Advise(ctx, req, lang)
}

// TestServeShutdownUnderLoad runs sustained load from many clients, then
// cancels Serve's context with one request held in flight. /readyz must turn
// 503 while the server still accepts connections, the listener must then
// refuse new ones, the held request must still get its answer, and across the
// whole run every request the server accepted must get a complete answer.
func TestServeShutdownUnderLoad(t *testing.T) {
	held := &heldEngine{Engine: engine, entered: make(chan struct{}), release: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	base := "http://" + addr
	var log servertest.LockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(ctx, ln, held, server.Options{
			// Long enough to see /readyz answer 503 before the listener
			// closes. The evaluation deadline and the grace leave room for
			// the race detector, which slows evaluation tenfold: an answer
			// that times out would be a 503, not the drain this is about.
			DrainDelay:    time.Second,
			EvalTimeout:   20 * time.Second,
			ShutdownGrace: time.Minute,
			Logger:        slog.New(slog.NewJSONHandler(&log, nil)),
		})
	}()

	stopping := make(chan struct{})
	loadCtx, stopLoad := context.WithCancel(t.Context())
	defer stopLoad()
	loaded := make(chan []servertest.Outcome, 1)
	go func() { loaded <- servertest.Load(loadCtx, base, servertest.Bodies(7, 256), 8, stopping) }()
	time.Sleep(2 * time.Second) // sustained load before the shutdown

	held.armed.Store(true)
	<-held.entered
	close(stopping)
	cancel()

	// /readyz turns 503 first, with a documented problem.
	readyClient := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for {
		resp, err := readyClient.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("/readyz never answered 503 before the listener closed: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			continue
		}
		checkProblem(t, resp, body, http.StatusServiceUnavailable, "shutting-down")
		checkReadyzDocumented(t, resp, body)
		break
	}
	// Then the listener closes while the held request is still in flight.
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		time.Sleep(10 * time.Millisecond)
	}
	close(held.release)

	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v, want nil after a clean shutdown", err)
	}
	stopLoad()
	outcomes := <-loaded
	verdict := servertest.Judge(outcomes)
	for _, p := range verdict.Problems {
		t.Error(p)
	}
	if verdict.Answered == 0 {
		t.Fatal("no request was answered: the load never ran")
	}
	t.Logf("%d requests: %d answered, %d refused before acceptance", len(outcomes), verdict.Answered, verdict.Refused)

	// Every request the server accepted was answered: the access log and the
	// clients agree, and every decision has its request.
	for _, p := range servertest.Reconcile(verdict, logLines(t, log.String())) {
		t.Error(p)
	}
	for _, msg := range []string{"draining", "shutting down", "stopped"} {
		if !strings.Contains(log.String(), `"msg":"`+msg+`"`) {
			t.Errorf("the log does not record %q", msg)
		}
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Error("the address still accepts connections after Serve returned")
	}
}

// checkReadyzDocumented validates a /readyz response against openapi.yaml.
func checkReadyzDocumented(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	_, router := loadSpec(t)
	req, err := http.NewRequest(http.MethodGet, "http://localhost/readyz", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkConforms(t, router, req, resp, body); err != nil {
		t.Errorf("the /readyz answer does not conform to openapi.yaml: %v\nbody: %s", err, body)
	}
}

// logLines parses JSON log lines, failing on any line that is not JSON.
func logLines(t *testing.T, log string) []map[string]any {
	t.Helper()
	lines, err := servertest.ParseLog(log)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}
