package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/placement-advisor/advise/policy"
)

// maxResponseBytes bounds how much of a reply is read; an answer is tens of
// KB, a portfolio of a thousand answers tens of MB.
const maxResponseBytes = 128 << 20

// maxRetriedReplyBytes bounds how much of a reply that is retried is read to
// describe it.
const maxRetriedReplyBytes = 64 << 10

// postJSON posts body to path under the server and decodes the 200 reply
// into out, retrying as retry.go describes. The workload is not validated
// here: the server is the authority on the contract it serves, and its
// problem reply is reported as it stands.
func (r *remote) postJSON(ctx context.Context, path string, body []byte, lang policy.Lang, out any) error {
	endpoint, err := endpointURL(r.server, path, lang)
	if err != nil {
		return err
	}
	return r.do(ctx, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("build request: %w", err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, application/problem+json")
		resp, err := r.client.Do(req)
		if err != nil {
			err = fmt.Errorf("ask %s: %w", r.server, err)
			if refused(err) {
				return &retryableError{err: err, what: "cannot connect to " + r.server + " (connection refused)"}
			}
			return err
		}
		defer resp.Body.Close()
		retry, wait := retryable(resp, r.now())
		limit := int64(maxResponseBytes)
		if retry {
			limit = maxRetriedReplyBytes
		}
		reply, err := io.ReadAll(io.LimitReader(resp.Body, limit))
		if err != nil {
			return fmt.Errorf("read reply from %s: %w", r.server, err)
		}
		if resp.StatusCode != http.StatusOK {
			perr := newProblemError(resp, reply)
			if retry {
				return &retryableError{err: perr, retryAfter: wait, what: perr.answered()}
			}
			return perr
		}
		if err := json.Unmarshal(reply, out); err != nil {
			return fmt.Errorf("reply from %s is not an answer: %w", r.server, err)
		}
		return nil
	})
}

// endpointURL is server + "/" + path, keeping any path prefix the service is
// mounted under, with ?lang=zh when Chinese summaries are asked for.
func endpointURL(server, path string, lang policy.Lang) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", usagef("--server: %v", err)
	}
	u = u.JoinPath(path)
	if lang != policy.English {
		q := u.Query()
		q.Set("lang", string(lang))
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// problem is an RFC 9457 problem document as the service sends it. Field
// errors are read in both the validator's shape (field/message) and RFC 9457's
// example shape (pointer/detail), so either rendering is listed.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Errors []problemField `json:"errors"`
}

type problemField struct {
	Field   string `json:"field"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// problemError is a reply other than 200 OK. A 4xx means the server rejected
// the workload, the caller's mistake (exit 2); 408 and 429 are not about the
// workload and, like 5xx, exit 1 so a pipeline can retry.
type problemError struct {
	status  int
	problem problem
	body    string // a short excerpt when the reply was not a problem document
}

func newProblemError(resp *http.Response, body []byte) *problemError {
	e := &problemError{status: resp.StatusCode}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	isJSON := mediaType == "application/problem+json" || mediaType == "application/json"
	if !isJSON || json.Unmarshal(body, &e.problem) != nil {
		e.problem = problem{}
		e.body = excerpt(body)
	}
	return e
}

func (e *problemError) Is(target error) bool {
	return target == errBadInput && e.status >= 400 && e.status < 500 &&
		e.status != http.StatusRequestTimeout && e.status != http.StatusTooManyRequests
}

func (e *problemError) Error() string {
	msg := e.headline()
	if d := e.details(); len(d) > 0 {
		msg += " " + strings.Join(d, "; ")
	}
	return msg
}

// answered says what the server answered: the status and the problem's
// title.
func (e *problemError) answered() string {
	what := fmt.Sprintf("server answered %d %s", e.status, http.StatusText(e.status))
	if e.problem.Title != "" && e.problem.Title != http.StatusText(e.status) {
		what += " (" + e.problem.Title + ")"
	}
	return what
}

func (e *problemError) headline() string {
	status := fmt.Sprintf("%d %s", e.status, http.StatusText(e.status))
	var what string
	switch {
	case e.Is(errBadInput):
		what = "server rejected the workload (" + status + ")"
	default:
		what = "server failed (" + status + ")"
	}
	var parts []string
	if e.problem.Title != "" && e.problem.Title != http.StatusText(e.status) {
		parts = append(parts, e.problem.Title)
	}
	// With field errors listed below, the detail only repeats or points at them.
	if e.problem.Detail != "" && len(e.problem.Errors) == 0 {
		parts = append(parts, e.problem.Detail)
	}
	if e.body != "" {
		parts = append(parts, e.body)
	}
	if len(parts) > 0 {
		what += ": " + strings.Join(parts, ": ")
	}
	return what
}

func (e *problemError) details() []string {
	lines := make([]string, 0, len(e.problem.Errors))
	for _, f := range e.problem.Errors {
		field := f.Field
		if field == "" {
			field = strings.TrimPrefix(f.Pointer, "/")
		}
		msg := f.Message
		if msg == "" {
			msg = f.Detail
		}
		if field == "" {
			lines = append(lines, msg)
			continue
		}
		lines = append(lines, field+": "+msg)
	}
	return lines
}

// excerpt keeps the start of a non-problem reply, on one line.
func excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
