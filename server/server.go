// Package server is the HTTP face of the advisor: echo routes, the middleware
// every request passes through, and the one error renderer that turns every
// failure into an RFC 9457 problem document. The contract it serves is
// openapi.yaml at the repository root, which it also publishes.
package server

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// Defaults applied to zero Options fields.
const (
	DefaultBodyLimit     int64 = 64 << 10
	DefaultEvalTimeout         = 2 * time.Second
	DefaultShutdownGrace       = 10 * time.Second
)

// Advisor is what the server needs from the rule engine. *policy.Engine
// implements it; the interface exists so tests can stand in a failing or slow
// engine without touching the rules.
type Advisor interface {
	Advise(ctx context.Context, req *api.Request, lang policy.Lang) (api.Answer, error)
	Rules() []policy.Rule
	Sources() []policy.Source
	Info() api.PolicyInfo
}

var _ Advisor = (*policy.Engine)(nil)

// Options tune the server. The zero value is usable: every zero field takes
// its default.
type Options struct {
	// BodyLimit caps the bytes read from a request body, declared or chunked.
	BodyLimit int64
	// EvalTimeout bounds one evaluation of the rules.
	EvalTimeout time.Duration
	// ShutdownGrace is how long Run and Serve wait for requests in flight
	// once their context is cancelled.
	ShutdownGrace time.Duration
	// Logger receives one line per request and the details of server errors,
	// which never reach the caller. Nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.EvalTimeout <= 0 {
		o.EvalTimeout = DefaultEvalTimeout
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// handlers carries what the route handlers share. The validator is built once
// because it caches reflection data.
type handlers struct {
	advisor   Advisor
	validator *api.Validator
	opts      Options
}

// New builds the echo instance serving the advisor's API.
func New(advisor Advisor, opts Options) *echo.Echo {
	opts = opts.withDefaults()
	h := &handlers{advisor: advisor, validator: api.NewValidator(), opts: opts}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = problemRenderer(opts.Logger)
	e.Use(requestID, requestLogger(opts.Logger), recoverPanics)
	routes(e, h)
	return e
}

// routes is the one place every endpoint is declared.
func routes(e *echo.Echo, h *handlers) {
	e.POST("/advise", h.advise)
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/v1/sources", h.sources)
	e.GET("/v1/rules", h.rules)
	e.GET("/openapi.yaml", h.openAPI)
}
