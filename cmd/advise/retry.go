package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/placement-advisor/advise/api"
)

// Retrying --server calls. The CLI posts only to /advise and /advise/batch,
// whose answers are pure functions of the body: the same request asked twice
// gets the same answer and changes nothing on the server, so a call may be
// repeated. Only failures that say nothing of the workload are retried: a
// connection refused (the request never left), 502, 503 and 504 (a proxy or
// a replica not ready, overloaded or shutting down) and 429. Any other 4xx is
// the caller's to fix and is reported at once, and a reply whose body fails
// part-way is not retried.
//
// The loop is our own rather than hashicorp/go-retryablehttp: its defaults
// retry other errors and statuses, log by default and honour Retry-After
// only for some statuses, so CheckRetry, Backoff and the logger would all be
// replaced, and what remained would be the loop below.

const (
	// remoteBudget bounds a call to --server, every attempt and wait included.
	remoteBudget = 30 * time.Second
	// remoteAttempts is how many times a call is tried at most.
	remoteAttempts = 5
	// The backoff without Retry-After is full jitter over a capped
	// exponential: a wait drawn from [0, min(backoffCap, backoffBase·2ⁿ)).
	backoffBase = 500 * time.Millisecond
	backoffCap  = 8 * time.Second
)

// remote is the client of one --server.
type remote struct {
	server string
	client *http.Client
	// now and sleep are the clock the waits are measured and spent on.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
	// isTerminal decides whether waits are announced on stderr.
	isTerminal func(io.Writer) bool
	// progress is where each wait is announced: stderr when it is a
	// terminal, else nil and nothing is printed.
	progress io.Writer
}

// remoteHooksKey carries a func(*remote) that tests use to stand in a clock
// and a terminal; see newRemote.
type remoteHooksKey struct{}

// newRemote is the client of server, announcing waits on stderr if it is a
// terminal.
func newRemote(ctx context.Context, server string, stderr io.Writer) *remote {
	r := &remote{
		server:     server,
		client:     &http.Client{}, // the budget's context bounds each attempt
		now:        time.Now,
		sleep:      sleepContext,
		isTerminal: isTerminal,
	}
	if hook, ok := ctx.Value(remoteHooksKey{}).(func(*remote)); ok {
		hook(r)
	}
	if r.isTerminal(stderr) {
		r.progress = stderr
	}
	return r
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryableError marks an attempt's failure as worth another attempt;
// retryAfter is the wait the server asked for, zero when it named none.
type retryableError struct {
	err        error
	retryAfter time.Duration
	what       string // what failed, for the progress line
}

func (e *retryableError) Error() string { return e.err.Error() }
func (e *retryableError) Unwrap() error { return e.err }

// do runs attempt until it succeeds, fails for good, or the budget or the
// attempts are spent, waiting between attempts as described above.
func (r *remote) do(ctx context.Context, attempt func(context.Context) error) error {
	deadline := r.now().Add(remoteBudget)
	ctx, cancel := context.WithTimeout(ctx, remoteBudget)
	defer cancel()
	for n := 1; ; n++ {
		err := attempt(ctx)
		var retry *retryableError
		if !errors.As(err, &retry) {
			return err
		}
		if n == remoteAttempts {
			return &gaveUpError{err: retry.err, why: fmt.Sprintf(" (gave up after %d attempts)", n)}
		}
		left := deadline.Sub(r.now())
		wait := retry.retryAfter
		if wait > 0 && wait >= left {
			return &gaveUpError{err: retry.err, why: fmt.Sprintf("; it asks to retry in %s, past the %s left of the %s budget", wait, max(0, left).Round(time.Second), remoteBudget)}
		}
		if wait <= 0 {
			wait = rand.N(min(backoffCap, backoffBase<<(n-1)))
			if wait >= left {
				return &gaveUpError{err: retry.err, why: fmt.Sprintf(" (gave up after %d attempts: the %s budget is spent)", n, remoteBudget)}
			}
		}
		if r.progress != nil {
			// retry.what can hold a problem title from the server: escaped,
			// like every other line the CLI prints of a reply.
			fmt.Fprintf(r.progress, "advise: %s; retrying in %s (attempt %d of %d)\n", api.SafeText(retry.what), wait.Round(100*time.Millisecond), n+1, remoteAttempts)
		}
		if err := r.sleep(ctx, wait); err != nil {
			return &gaveUpError{err: fmt.Errorf("%w (stopped waiting to retry: %w)", retry.err, err)}
		}
	}
}

// gaveUpError is the last failure of a call that was not retried again, and
// why not. It keeps the failure's lines (a problem's field errors) and its
// exit code.
type gaveUpError struct {
	err error
	why string
}

func (e *gaveUpError) Error() string { return e.err.Error() + e.why }
func (e *gaveUpError) Unwrap() error { return e.err }

func (e *gaveUpError) headline() string {
	var d detailedError
	if errors.As(e.err, &d) {
		return d.headline() + e.why
	}
	return e.Error()
}

func (e *gaveUpError) details() []string {
	var d detailedError
	if errors.As(e.err, &d) {
		return d.details()
	}
	return nil
}

// retryable says whether a reply with status is retried, and how long the
// server asked to wait.
func retryable(resp *http.Response, now time.Time) (bool, time.Duration) {
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, retryAfter(resp.Header.Get("Retry-After"), now)
	}
	return false, 0
}

// retryAfter reads a Retry-After header, delay-seconds or an HTTP-date
// (RFC 9110 section 10.2.3); zero when absent, unreadable or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(s) * time.Second
	}
	if at, err := http.ParseTime(v); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}

// refused says whether err is a connection refused: nothing was sent.
func refused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
