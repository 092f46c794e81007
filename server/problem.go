package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// ProblemTypeBase prefixes the type URI of every problem the server defines;
// openapi.yaml documents each one.
const ProblemTypeBase = "https://placement-advisor.dev/problems/"

// Problem is an RFC 9457 problem document, the body of every error response.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail,omitempty"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Errors names each field at fault by its JSON name, for decode and
	// validation failures.
	Errors []api.FieldError `json:"errors,omitempty"`
}

// problemKind is one documented problem type: its status, slug and title.
type problemKind struct {
	status int
	slug   string
	title  string
}

// The problem types of the API. A title never changes between occurrences of
// a type (RFC 9457 §3.1.3); what differs goes in detail.
var (
	malformed         = problemKind{http.StatusBadRequest, "malformed-request", "Malformed request"}
	invalidParameter  = problemKind{http.StatusBadRequest, "invalid-parameter", "Invalid query parameter"}
	notFound          = problemKind{http.StatusNotFound, "not-found", "Not found"}
	methodNotAllowed  = problemKind{http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed"}
	bodyTooLarge      = problemKind{http.StatusRequestEntityTooLarge, "body-too-large", "Request body too large"}
	unsupportedMedia  = problemKind{http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type"}
	notAcceptable     = problemKind{http.StatusNotAcceptable, "not-acceptable", "Not acceptable"}
	invalidRequest    = problemKind{http.StatusUnprocessableEntity, "invalid-request", "Invalid request"}
	internalError     = problemKind{http.StatusInternalServerError, "internal-error", "Internal server error"}
	evaluationTimeout = problemKind{http.StatusServiceUnavailable, "evaluation-timeout", "Evaluation timed out"}
	unauthorized      = problemKind{http.StatusUnauthorized, "unauthorized", "Unauthorized"}
	requestTimeout    = problemKind{http.StatusRequestTimeout, "request-timeout", "Request timeout"}
	overloaded        = problemKind{http.StatusServiceUnavailable, "overloaded", "Server overloaded"}
	shuttingDown      = problemKind{http.StatusServiceUnavailable, "shutting-down", "Shutting down"}
	noPolicy          = problemKind{http.StatusServiceUnavailable, "no-policy", "No policy active"}
	// clientClosed is never sent: the caller hung up before the answer was
	// ready, so there is no one to send it to. The access line records it
	// with nginx's 499, which tells it apart from a server-side timeout.
	clientClosed = problemKind{statusClientClosed, "client-closed-request", "Client closed request"}
	// serverClosed is never sent either: the server itself closed the
	// connection (at the end of a drain) before the answer was written. The
	// access line records a 503, since the request was lost on the server's
	// side, and an error line says so.
	serverClosed = problemKind{http.StatusServiceUnavailable, "server-closed-connection", "Server closed the connection"}
)

// statusClientClosed is the status the access log records for a request whose
// caller went away before it was answered.
const statusClientClosed = 499

// retryAfterSeconds is the Retry-After sent with the problems a caller can
// simply retry: a transient overload or a slow evaluation. One second spreads
// the retries without keeping a pipeline waiting long.
const retryAfterSeconds = "1"

func retryable(k problemKind) bool {
	return k == overloaded || k == evaluationTimeout || k == noPolicy
}

// problemError is an error already classified as a problem. Handlers return
// it for failures only they can recognise; the renderer classifies the rest.
type problemError struct {
	kind   problemKind
	detail string
	fields []api.FieldError
	cause  error // logged for server errors, never sent
	// headers go out with the problem, such as WWW-Authenticate with a 401.
	headers http.Header
}

func (e *problemError) Error() string {
	if e.cause != nil {
		return e.kind.slug + ": " + e.detail + ": " + e.cause.Error()
	}
	return e.kind.slug + ": " + e.detail
}

func (e *problemError) Unwrap() error { return e.cause }

// classify maps any error a handler or echo returns to a problem. Whatever it
// does not recognise is a 500 whose detail says nothing about the cause.
func classify(err error, c echo.Context) *problemError {
	var (
		pe         *problemError
		decodeErr  *api.DecodeError
		invalidErr *api.ValidationError
		tooLarge   *http.MaxBytesError
		httpErr    *echo.HTTPError
	)
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &decodeErr):
		p := &problemError{kind: malformed, detail: decodeErr.Error()}
		if decodeErr.Field != "" {
			p.fields = []api.FieldError{{Field: decodeErr.Field, Rule: "decode", Message: decodeErr.Reason}}
		}
		return p
	case errors.As(err, &invalidErr):
		return &problemError{
			kind:   invalidRequest,
			detail: fmt.Sprintf("the request breaks %d rule(s) of contract v1; see errors", len(invalidErr.Fields)),
			fields: invalidErr.Fields,
		}
	case errors.As(err, &tooLarge):
		return &problemError{kind: bodyTooLarge, detail: fmt.Sprintf("the request body is larger than %d bytes", tooLarge.Limit)}
	case (errors.Is(err, context.Canceled) || c.Response().Committed && connectionGone(err)) && closedByServer(c.Request().Context()):
		return &problemError{kind: serverClosed, detail: "the server closed the connection before the answer was written", cause: err}
	case errors.Is(err, context.Canceled) && c.Request().Context().Err() != nil:
		return &problemError{kind: clientClosed, detail: "the caller closed the request before it was answered", cause: err}
	case c.Response().Committed && connectionGone(err):
		// The answer was being written when the caller hung up: the
		// caller's doing, not a server failure.
		return &problemError{kind: clientClosed, detail: "the caller closed the connection while the answer was written", cause: err}
	case errors.Is(err, policy.ErrNotLoaded):
		return &problemError{kind: noPolicy, detail: "the service has no policy yet (it waits for its first bundle); try again", cause: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &problemError{kind: evaluationTimeout, detail: "the rules did not answer in the time allowed; try again", cause: err}
	case errors.As(err, &httpErr):
		return classifyHTTPError(httpErr, c)
	}
	return &problemError{kind: internalError, detail: "the server failed to answer; the request id locates the details in its log", cause: err}
}

// connectionGone reports whether err says the connection to the caller is
// closed or was reset by the caller.
func connectionGone(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// classifyHTTPError covers the errors echo itself produces: 404 and 405 from
// the router, and any other status a middleware might return.
func classifyHTTPError(he *echo.HTTPError, c echo.Context) *problemError {
	r := c.Request()
	switch he.Code {
	case http.StatusNotFound:
		return &problemError{kind: notFound, detail: "there is no resource at " + r.URL.Path}
	case http.StatusMethodNotAllowed:
		detail := r.Method + " is not allowed on " + r.URL.Path
		if allow := c.Response().Header().Get(echo.HeaderAllow); allow != "" {
			detail += "; allowed: " + allow
		}
		return &problemError{kind: methodNotAllowed, detail: detail}
	case http.StatusRequestEntityTooLarge:
		return &problemError{kind: bodyTooLarge, detail: "the request body is too large"}
	case http.StatusUnsupportedMediaType:
		return &problemError{kind: unsupportedMedia, detail: "send application/json"}
	}
	if he.Code < 400 || he.Code >= 500 {
		return &problemError{kind: internalError, detail: "the server failed to answer; the request id locates the details in its log", cause: he}
	}
	// An HTTP status with no problem type of its own: RFC 9457 §4.2.1.
	p := &problemError{kind: problemKind{he.Code, "", http.StatusText(he.Code)}}
	if msg, ok := he.Message.(string); ok && msg != http.StatusText(he.Code) {
		p.detail = msg
	}
	return p
}

// problemRenderer is the echo HTTPErrorHandler: the one place an error becomes
// a response. Server errors are logged with their cause; the body carries only
// the request id to find them by.
func problemRenderer(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		p := classify(err, c)
		r := c.Request()
		id := requestIDOf(c)
		// Overload and shutdown are the server working as designed; the
		// access line records them. Anything else in 5xx needs a look.
		if p.kind.status >= 500 && p.kind != overloaded && p.kind != shuttingDown {
			log.LogAttrs(r.Context(), slog.LevelError, "request failed",
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("problem", p.kind.slug),
				slog.String("error", err.Error()))
		}
		if p.kind == clientClosed || p.kind == serverClosed {
			// Writing would fail on the closed connection; the status is
			// kept for the access line only.
			c.Response().Status = p.kind.status
			return
		}
		if c.Response().Committed {
			return
		}
		header := c.Response().Header()
		for k, v := range p.headers {
			header[k] = v
		}
		if retryable(p.kind) {
			header.Set(echo.HeaderRetryAfter, retryAfterSeconds)
		}
		typ := "about:blank"
		if p.kind.slug != "" {
			typ = ProblemTypeBase + p.kind.slug
		}
		// What a problem repeats of the input goes out escaped: JSON
		// leaves C1 controls and bidirectional overrides as they are.
		for i := range p.fields {
			p.fields[i].Field, p.fields[i].Message = api.SafeText(p.fields[i].Field), api.SafeText(p.fields[i].Message)
		}
		// Strings, an int and FieldErrors always marshal.
		body, _ := json.Marshal(Problem{
			Type:      typ,
			Title:     p.kind.title,
			Status:    p.kind.status,
			Detail:    api.SafeText(p.detail),
			Instance:  r.URL.Path,
			RequestID: id,
			Errors:    p.fields,
		})
		if werr := c.Blob(p.kind.status, MIMEProblemJSON, body); werr != nil {
			log.Debug("write problem", slog.String("request_id", id), slog.String("error", werr.Error()))
		}
	}
}
