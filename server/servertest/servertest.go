// Package servertest drives a running advise server with sustained load and
// judges what each request got, for the tests that shut the server down under
// load, in process and as a separate binary. The rule it checks: a request the
// server accepted (one that got a status line back) gets a complete, valid
// answer; the only failures allowed are connections refused or dropped before
// any response began.
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
)

// Bodies returns n distinct valid workload bodies, the same for a given seed.
func Bodies(seed uint64, n int) [][]byte {
	gen := workloadgen.New(seed)
	out := make([][]byte, n)
	for i := range out {
		// A generated Request is pointers to strings, bools and numbers: it
		// always marshals.
		out[i], _ = json.Marshal(gen.Request())
	}
	return out
}

// Outcome is what one request of the load got.
type Outcome struct {
	Status  int    // 0 when no response began
	Err     error  // the transport error when Status is 0
	Body    []byte // the whole body, when it could be read
	BodyErr error  // the error reading the body after a status line
	Sent    time.Time
}

// Load posts bodies to baseURL+"/advise" from clients goroutines, each
// looping over keep-alive connections until ctx ends. Once stopping is closed
// a client also stops at its first request that gets no response, since the
// server it drives is going away. It returns every outcome.
func Load(ctx context.Context, baseURL string, bodies [][]byte, clients int, stopping <-chan struct{}) []Outcome {
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	var (
		mu  sync.Mutex
		all []Outcome
		wg  sync.WaitGroup
	)
	for w := range clients {
		wg.Go(func() {
			var mine []Outcome
			for i := w; ctx.Err() == nil; i += clients {
				o := post(ctx, client, baseURL+"/advise", bodies[i%len(bodies)])
				if o.Status == 0 && ctx.Err() != nil {
					break // the test ended the load, not the server
				}
				mine = append(mine, o)
				if o.Status == 0 && closed(stopping) {
					break
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all
}

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func post(ctx context.Context, client *http.Client, url string, body []byte) Outcome {
	o := Outcome{Sent: time.Now()}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		o.Err = err
		return o
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		o.Err = err
		return o
	}
	defer resp.Body.Close()
	o.Status = resp.StatusCode
	o.Body, o.BodyErr = io.ReadAll(resp.Body)
	return o
}

// Verdict sums up a load's outcomes.
type Verdict struct {
	Answered int      // complete 200 answers
	Refused  int      // no response: refused or dropped before acceptance
	Problems []string // every outcome that breaks the rule, described
}

// Judge applies the rule to every outcome: a status line must lead to a 200
// with a complete answer that decodes strictly; no status line is allowed only
// for a connection refused, reset or closed before the response began.
func Judge(outcomes []Outcome) Verdict {
	var v Verdict
	for i, o := range outcomes {
		if o.Status == 0 {
			if BeforeAcceptance(o.Err) {
				v.Refused++
				continue
			}
			v.Problems = append(v.Problems, fmt.Sprintf("request %d: %v", i, o.Err))
			continue
		}
		if problem := checkAnswer(o); problem != "" {
			v.Problems = append(v.Problems, fmt.Sprintf("request %d: %s", i, problem))
			continue
		}
		v.Answered++
	}
	return v
}

func checkAnswer(o Outcome) string {
	if o.Status != http.StatusOK {
		return fmt.Sprintf("accepted but answered %d: %.300s", o.Status, o.Body)
	}
	if o.BodyErr != nil {
		return fmt.Sprintf("accepted but the answer broke off after %d bytes: %v", len(o.Body), o.BodyErr)
	}
	var ans api.Answer
	dec := json.NewDecoder(bytes.NewReader(o.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ans); err != nil {
		return fmt.Sprintf("accepted but the answer does not decode: %v: %.300s", err, o.Body)
	}
	switch ans.Recommendation {
	case api.RecommendVM, api.RecommendContainer, api.RecommendHybrid:
	default:
		return fmt.Sprintf("accepted but the answer recommends %q", ans.Recommendation)
	}
	if ans.Policy.Digest == "" {
		return "accepted but the answer names no policy"
	}
	return ""
}

// BeforeAcceptance reports whether err is a transport failure that happened
// before the server could have answered: the connection was refused, or
// closed or reset with no response begun (an idle keep-alive connection the
// server closed as the request went out).
func BeforeAcceptance(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	// net/http's own words for a keep-alive connection closed under a request.
	return strings.Contains(err.Error(), "server closed idle connection")
}

// Reconcile checks the server's side of a load, its log (see ParseLog),
// against the clients' verdict: the access-line statuses of the advice
// requests and the decision lines. Every request the server saw must be one
// a client received: each access line a 200, with its decision, and as many
// as the clients' complete answers. A 499 (the caller left) cannot happen,
// since the load's clients never leave while the server runs; a 503
// server-closed-connection is a request the server cut off itself. Either is
// an accepted request that lost its answer, which a shutdown must never
// cause (golang/go#65802 is what used to).
func Reconcile(v Verdict, log []map[string]any) []string {
	var (
		problems  []string
		ok        int
		decisions int
	)
	for _, l := range log {
		switch {
		case l["msg"] == "request" && l["path"] == "/advise":
			status, _ := l["status"].(float64)
			if status == http.StatusOK {
				ok++
				continue
			}
			problems = append(problems, fmt.Sprintf("the server answered an advice request with status %v", status))
		case l["msg"] == "decision":
			decisions++
		}
	}
	if decisions != ok {
		problems = append(problems, fmt.Sprintf("the server logged %d decisions for %d answers", decisions, ok))
	}
	if ok != v.Answered {
		problems = append(problems, fmt.Sprintf("the server logged %d answers, the clients received %d: %d accepted requests lost their answer", ok, v.Answered, ok-v.Answered))
	}
	return problems
}

// LockedBuffer is a bytes.Buffer that a server's goroutines (or a process's
// stderr copier) and the test can write and read at once: the log the tests
// inspect.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ParseLog reads a server's JSON log, one object a line.
func ParseLog(log string) ([]map[string]any, error) {
	var out []map[string]any
	for line := range strings.Lines(log) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return nil, fmt.Errorf("log line is not JSON: %q", line)
		}
		out = append(out, m)
	}
	return out, nil
}
