package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
	"github.com/placement-advisor/advise/server"
)

// streamBatch is a JSON array of n distinct workloads, a quarter of them
// invalid unless valid is set, large enough an answer to span many chunks
// and windows.
func streamBatch(n int, valid bool) (string, [][]byte) {
	archs := []string{"monolith", "microservices", "batch"}
	densities := []string{"low", "medium", "high", "extreme"}
	if valid {
		densities = densities[:3]
	}
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"name":"w%d <&>","multi_tenant":%t,"architecture":%q,"density":%q}`,
			i, i%3 == 0, archs[i%len(archs)], densities[(i/3)%len(densities)])
	}
	return "[" + string(bytes.Join(bodies, []byte(","))) + "]", bodies
}

// TestBatchAnswerIsStreamedAsItWasRendered holds the streamed answer to
// the bytes the whole portfolio renders to, in every representation:
// what POST /advise/batch sent before it streamed.
func TestBatchAnswerIsStreamedAsItWasRendered(t *testing.T) {
	srv := start(t, engine, server.Options{})
	for _, n := range []int{0, 1, policy.BatchWindow, 3*policy.BatchWindow + 5} {
		array, bodies := streamBatch(n, false)
		pf, err := engine.AdvisePortfolio(context.Background(), bodies, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		render := map[string]func(*bytes.Buffer) error{
			"json": func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(pf) },
			"pretty json": func(b *bytes.Buffer) error {
				enc := json.NewEncoder(b)
				enc.SetIndent("", "  ")
				return enc.Encode(pf)
			},
			"markdown": func(b *bytes.Buffer) error { return report.PortfolioMarkdown(b, pf, report.English) },
			"csv":      func(b *bytes.Buffer) error { return report.PortfolioCSV(b, pf, report.English) },
		}
		accept := map[string]string{"json": "application/json", "pretty json": "application/json", "markdown": "text/markdown", "csv": "text/csv"}
		for format, write := range render {
			t.Run(fmt.Sprintf("%d items as %s", n, format), func(t *testing.T) {
				var want bytes.Buffer
				if err := write(&want); err != nil {
					t.Fatal(err)
				}
				c := batchCall(array)
				c.header["Accept"] = accept[format]
				if format == "pretty json" {
					c.path += "?pretty"
				}
				resp, got := c.do(t, srv)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), accept[format]) {
					t.Fatalf("status %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("streamed %d bytes differ from the %d rendered whole; first difference at byte %d", len(got), want.Len(), firstDifference(got, want.Bytes()))
				}
				if resp.Header.Get("Content-Language") != "en" || resp.Header.Get("Vary") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("headers %v", resp.Header)
				}
			})
		}
	}
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// failsAfter is the real engine whose batches fail after some items: an
// evaluation failure, or the deadline, in the middle of a batch.
type failsAfter struct {
	*policy.Engine
	items int
}

func (f failsAfter) AdviseEach(ctx context.Context, bodies [][]byte, lang policy.Lang, passes int, emit func(int, *api.PortfolioItem) error) (api.PolicyInfo, error) {
	n := 0
	return f.Engine.AdviseEach(ctx, bodies, lang, passes, func(pass int, it *api.PortfolioItem) error {
		if n++; n > f.items {
			return fmt.Errorf("%w: %s", policy.ErrEvaluation, secret)
		}
		return emit(pass, it)
	})
}

// TestBatchFailingMidAnswer checks what a batch that fails gets: a problem
// while nothing is sent, and once its answer has begun, a connection closed
// before the body's end, never a body that looks whole.
func TestBatchFailingMidAnswer(t *testing.T) {
	array, _ := streamBatch(600, false)
	t.Run("before the answer begins", func(t *testing.T) {
		srv := start(t, failsAfter{Engine: engine, items: 0}, server.Options{})
		resp, body := batchCall(array).do(t, srv)
		checkProblem(t, resp, body, http.StatusInternalServerError, "internal-error")
		checkNoInternals(t, body)
	})
	for _, accept := range []string{"application/json", "text/markdown", "text/csv"} {
		t.Run("after it began, as "+accept, func(t *testing.T) {
			srv := start(t, failsAfter{Engine: engine, items: 500}, server.Options{})
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/advise/batch", strings.NewReader(array))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", accept)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d, want the 200 that began the answer", resp.StatusCode)
			}
			body, err := io.ReadAll(resp.Body)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("reading the cut answer: %v after %d bytes, want an unexpected EOF", err, len(body))
			}
			if len(body) == 0 || bytes.Contains(body, []byte(secret)) {
				t.Errorf("%d bytes, leak %t", len(body), bytes.Contains(body, []byte(secret)))
			}
		})
	}
}

// TestSlowBatchReaderGivesUpItsSlot checks that a caller who stops reading
// its batch's answer does not hold the evaluation slot: with one slot, a
// single request is answered while the batch's answer waits to be read.
func TestSlowBatchReaderGivesUpItsSlot(t *testing.T) {
	// The single request may wait for the batch's window of 64 items to be
	// evaluated before the slot is given up: its deadline leaves room for
	// that under the race detector on a loaded machine.
	srv := start(t, engine, server.Options{MaxEvaluating: 1, BatchEvalTimeout: time.Minute, EvalTimeout: time.Minute})
	array, _ := streamBatch(api.MaxBatch, true)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A small receive buffer, read no further than the status line: the
	// Markdown answer (15 MB, more than the sockets' buffers hold) backs
	// up in the server.
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4 << 10)
	}
	fmt.Fprintf(conn, "POST /advise/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: text/markdown\r\nContent-Length: %d\r\n\r\n%s", len(array), array)
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("status line %q, %v", status, err)
	}
	done := make(chan error, 1)
	go func() {
		resp, body := postJSON(`{"multi_tenant":true}`).do(t, srv)
		if resp.StatusCode != http.StatusOK {
			done <- fmt.Errorf("status %d: %s", resp.StatusCode, body)
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("a single request waited behind a batch nobody reads")
	}
}

// outlivesDeadline answers a batch from one precomputed answer, pausing
// past the batch deadline once its answer has begun.
type outlivesDeadline struct {
	*policy.Engine
	answer api.Answer
	pause  time.Duration
}

func (o outlivesDeadline) AdviseEach(ctx context.Context, bodies [][]byte, _ policy.Lang, _ int, emit func(int, *api.PortfolioItem) error) (api.PolicyInfo, error) {
	for i := range bodies {
		if i == 100 { // some chunks are out: the answer has begun
			select {
			case <-time.After(o.pause):
			case <-ctx.Done():
				return api.PolicyInfo{}, ctx.Err()
			}
		}
		ans := o.answer
		if err := emit(0, &api.PortfolioItem{Index: i, Answer: &ans}); err != nil {
			return api.PolicyInfo{}, err
		}
	}
	return o.Engine.Info(), nil
}

// TestBatchBegunOutlivesItsDeadline checks that the deadline bounds how
// long a batch may wait to begin, not an answer already begun: that one
// is finished, not cut off.
func TestBatchBegunOutlivesItsDeadline(t *testing.T) {
	req, err := api.NewValidator().Parse([]byte(`{"multi_tenant":true,"requires_root":true}`))
	if err != nil {
		t.Fatal(err)
	}
	ans, err := engine.Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	// Long enough for the first chunks to go out before it, even under the
	// race detector; the pause then outlasts it.
	const deadline = 500 * time.Millisecond
	srv := start(t, outlivesDeadline{Engine: engine, answer: ans, pause: 2 * deadline}, server.Options{BatchEvalTimeout: deadline})
	array, _ := streamBatch(300, true)
	resp, body := batchCall(array).do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %.300s", resp.StatusCode, body)
	}
	var pf api.Portfolio
	decodeStrict(t, body, &pf)
	if len(pf.Items) != 300 || pf.Summary.Answered != 300 {
		t.Errorf("%d items, summary %+v", len(pf.Items), pf.Summary)
	}
}

// lateStart answers a batch from one precomputed answer, but only after
// the batch deadline has passed, without looking at its context.
type lateStart struct {
	*policy.Engine
	answer api.Answer
	after  time.Duration
}

func (l lateStart) AdviseEach(_ context.Context, bodies [][]byte, _ policy.Lang, _ int, emit func(int, *api.PortfolioItem) error) (api.PolicyInfo, error) {
	time.Sleep(l.after)
	for i := range bodies {
		ans := l.answer
		if err := emit(0, &api.PortfolioItem{Index: i, Answer: &ans}); err != nil {
			return api.PolicyInfo{}, err
		}
	}
	return l.Engine.Info(), nil
}

// TestBatchPastItsDeadlineNeverBegins checks the other side of
// TestBatchBegunOutlivesItsDeadline: a batch whose first output comes after
// the deadline is a 503 problem, not a 200 cut off at once. Whether the
// deadline or the first chunk came first is decided in one step, so the
// two cannot both win.
func TestBatchPastItsDeadlineNeverBegins(t *testing.T) {
	req, err := api.NewValidator().Parse([]byte(`{"multi_tenant":true}`))
	if err != nil {
		t.Fatal(err)
	}
	ans, err := engine.Advise(context.Background(), &req, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	const deadline = 50 * time.Millisecond
	srv := start(t, lateStart{Engine: engine, answer: ans, after: 4 * deadline}, server.Options{BatchEvalTimeout: deadline})
	array, _ := streamBatch(300, true)
	resp, body := batchCall(array).do(t, srv)
	checkProblem(t, resp, body, http.StatusServiceUnavailable, "evaluation-timeout")
}
