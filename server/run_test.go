package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/server"
)

func TestHTTPServerSetsEveryTimeout(t *testing.T) {
	srv := server.HTTPServer(":0", http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Errorf("timeouts: header %v, read %v, write %v, idle %v; all must be set",
			srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout)
	}
	if srv.WriteTimeout <= server.DefaultEvalTimeout {
		t.Errorf("write timeout %v leaves no room for an evaluation of %v", srv.WriteTimeout, server.DefaultEvalTimeout)
	}
}

// TestServeDrainsOnShutdown cancels Serve's context while a request is being
// evaluated: the request still gets its answer and Serve returns nil.
func TestServeDrainsOnShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	advisor := stubAdvisor{Engine: engine, advise: func(ctx context.Context) (api.Answer, error) {
		close(started)
		<-release
		return api.Answer{Recommendation: api.RecommendVM}, nil
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, ln, advisor, server.Options{}) }()

	url := "http://" + ln.Addr().String()
	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Post(url+"/advise", "application/json", strings.NewReader(`{"multi_tenant":true}`))
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- result{status: resp.StatusCode, body: string(b), err: err}
	}()

	<-started
	cancel() // shutdown begins with the request in flight
	// New connections are refused once shutdown has begun; wait for that
	// before letting the request finish, so the drain is really exercised.
	for {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		conn.Close()
	}
	close(release)

	res := <-answered
	if res.err != nil || res.status != http.StatusOK || !strings.Contains(res.body, `"recommendation":"vm"`) {
		t.Errorf("in-flight request: %d %q %v; want its answer", res.status, res.body, res.err)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve returned %v, want nil after a clean shutdown", err)
	}
}

func TestRunFailsOnABusyAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	err = server.Run(t.Context(), ln.Addr().String(), engine, server.Options{})
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("Run on a busy address: %v, want a listen error", err)
	}
}

// TestAfterFirstRequestRunsOnceTheFirstAnswerIsOut: the hook waits for the
// first request (here a caller's mistake: any outcome counts), runs once
// however many requests follow or race it, and never holds an answer back.
func TestAfterFirstRequestRunsOnceTheFirstAnswerIsOut(t *testing.T) {
	var runs atomic.Int32
	ran := make(chan struct{}, 16)
	srv := start(t, engine, server.Options{AfterFirstRequest: func() {
		runs.Add(1)
		ran <- struct{}{}
	}})
	select {
	case <-ran:
		t.Fatal("the hook ran before any request")
	case <-time.After(20 * time.Millisecond):
	}
	if resp, _ := postJSON(`{"multi_tenant":"yes"}`).do(t, srv); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", resp.StatusCode)
	}
	<-ran
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if resp, _ := postJSON(`{"multi_tenant":false}`).do(t, srv); resp.StatusCode != http.StatusOK {
				t.Errorf("status %d, want 200", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	select {
	case <-ran:
		t.Fatal("the hook ran again")
	case <-time.After(20 * time.Millisecond):
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("the hook ran %d times, want once", n)
	}
}
