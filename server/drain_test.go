package server_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
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

// rawConn is one HTTP/1.1 connection a test drives by hand, to see what the
// server does with the connection itself.
type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, addr string) rawConn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return rawConn{conn, bufio.NewReader(conn)}
}

// advise sends one POST /advise and reads its answer whole.
func (c rawConn) advise(t *testing.T) *http.Response {
	t.Helper()
	const body = `{"multi_tenant":true}`
	if _, err := io.WriteString(c, "POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// closedByPeer reports whether the server has closed the connection: a read
// gets EOF (or a reset) rather than waiting.
func (c rawConn) closedByPeer(t *testing.T) bool {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a hang guard
	_, err := c.r.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
}

// TestServeDrainEndsEachConnectionItself follows two kept-alive connections
// through a drain: one used during the drain gets an answer with
// Connection: close and is closed after it; one left idle is closed once it
// has sat idle through DrainIdle of the drain, once the listener has closed. Neither is
// closed by http.Server's idle sweep, which can close a connection that has
// just read a request (golang/go#65802).
func TestServeDrainEndsEachConnectionItself(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(ctx, ln, engine, server.Options{DrainDelay: 300 * time.Millisecond, DrainIdle: 200 * time.Millisecond})
	}()

	used, idle := dialRaw(t, addr), dialRaw(t, addr)
	for name, c := range map[string]rawConn{"used": used, "idle": idle} {
		if resp := c.advise(t); resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("%s connection before the drain: status %d, Connection: close %v; want 200 kept alive", name, resp.StatusCode, resp.Close)
		}
	}
	drainStart := time.Now()
	cancel()
	// Wait until the drain is visible, then use one connection again.
	for {
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Get("http://" + addr + "/readyz")
		if err != nil {
			t.Fatalf("/readyz: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable {
			break
		}
	}
	if resp := used.advise(t); resp.StatusCode != http.StatusOK || !resp.Close {
		t.Errorf("answer during the drain: status %d, Connection: close %v; want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	if !used.closedByPeer(t) {
		t.Error("the connection used during the drain stays open after its answer")
	}
	if !idle.closedByPeer(t) {
		t.Error("the idle connection was never closed")
	}
	if took := time.Since(drainStart); took < 300*time.Millisecond {
		// Not a timing threshold on speed: the close must not come before
		// the drain delay (longer than the idle window) has passed.
		t.Errorf("the idle connection was closed %s after the drain began, before the 300ms drain delay", took)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v, want nil after a clean shutdown", err)
	}
}

// TestServeLogsTheConnectionsItCuts holds a request in flight past the
// shutdown grace, so the server closes its connection itself. The access
// line must record that as the server's doing (503, with an error line),
// never as a caller who left (499), and Serve must report the grace ran out.
func TestServeLogsTheConnectionsItCuts(t *testing.T) {
	held := &heldEngine{Engine: engine, entered: make(chan struct{}), release: make(chan struct{})}
	held.armed.Store(true)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var log servertest.LockedBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() {
		served <- server.Serve(ctx, ln, held, server.Options{ShutdownGrace: 200 * time.Millisecond, EvalTimeout: time.Minute,
			Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	}()
	c := dialRaw(t, ln.Addr().String())
	const body = `{"multi_tenant":true}`
	if _, err := io.WriteString(c, "POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	<-held.entered
	cancel()
	err = <-served
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve returned %v, want the grace's deadline", err)
	}
	close(held.release)
	if !c.closedByPeer(t) {
		t.Error("the held request's connection is still open")
	}
	// The handler ends after Serve returned; wait for its access line.
	var access map[string]any
	for access == nil {
		for _, l := range logLines(t, log.String()) {
			if l["msg"] == "request" {
				access = l
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	if access["status"] != float64(http.StatusServiceUnavailable) {
		t.Errorf("the access line records status %v, want 503 (the server cut the connection)", access["status"])
	}
	if !strings.Contains(log.String(), `"msg":"request failed"`) || !strings.Contains(log.String(), "server-closed-connection") {
		t.Errorf("no error line says the server closed the connection:\n%s", log.String())
	}
}
