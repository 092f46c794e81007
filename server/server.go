// Package server is the HTTP face of the advisor: echo routes, the middleware
// every request passes through, and the one error renderer that turns every
// failure into an RFC 9457 problem document. The contract it serves is
// openapi.yaml at the repository root, which it also publishes.
package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// Defaults applied to zero Options fields.
const (
	DefaultBodyLimit     int64 = 64 << 10
	DefaultEvalTimeout         = 2 * time.Second
	DefaultShutdownGrace       = 10 * time.Second
	DefaultDrainIdle           = time.Second
	// A batch holds up to api.MaxBatch workloads of a few hundred bytes each
	// and is evaluated item by item on every core.
	DefaultBatchBodyLimit   int64 = 2 << 20
	DefaultBatchEvalTimeout       = 20 * time.Second
)

// Advisor is what the server needs from the rule engine. *policy.Engine
// implements it; the interface exists so tests can stand in a failing or slow
// engine without touching the rules.
type Advisor interface {
	Advise(ctx context.Context, req *api.Request, lang policy.Lang) (api.Answer, error)
	// AdviseEach answers a batch item by item, as policy.Engine.AdviseEach.
	policy.ItemAdvisor
	Rules() []policy.Rule
	Placements() []policy.Placement
	Sources() []policy.Source
	Info() api.PolicyInfo
}

var _ Advisor = (*policy.Engine)(nil)

// PolicyReporter is what an Advisor that swaps its policy (reload.Holder)
// adds: whether a policy is active, for /readyz, and the status GET
// /v1/policy shows. An Advisor without it has one policy, active from the
// start.
type PolicyReporter interface {
	Ready() bool
	PolicyStatus() api.PolicyStatus
}

// Options tune the server. The zero value is usable: every zero field takes
// its default.
type Options struct {
	// BodyLimit caps the bytes read from a request body, declared or chunked.
	BodyLimit int64
	// EvalTimeout bounds one evaluation of the rules.
	EvalTimeout time.Duration
	// BatchBodyLimit and BatchEvalTimeout do the same for POST /advise/batch.
	BatchBodyLimit   int64
	BatchEvalTimeout time.Duration
	// ShutdownGrace is how long Run and Serve wait for requests in flight
	// once their context is cancelled.
	ShutdownGrace time.Duration
	// DrainDelay is how long Run and Serve keep serving, with /readyz already
	// answering 503, before they stop accepting connections: time for a load
	// balancer to notice and send new requests elsewhere. Zero stops at once.
	DrainDelay time.Duration
	// DrainIdle is how long, during a drain, a kept-alive connection may sit
	// idle before the server closes it, never before the listener has
	// closed. Every answer during the drain carries Connection: close, so a
	// client still using its connection ends it itself within the window.
	// Zero means DefaultDrainIdle.
	DrainIdle time.Duration
	// MaxInFlight caps the requests handled at once; the rest get a 503
	// overloaded problem with Retry-After. Zero means DefaultMaxInFlight().
	MaxInFlight int
	// MaxReading caps the request bodies read at once, and, once half of
	// those slots are taken, MaxReadingPerClient those from one client
	// address; a body being read holds no MaxInFlight slot, so slow uploads
	// cannot lock ready requests out. Zero means 4 × MaxInFlight and 8.
	MaxReading          int
	MaxReadingPerClient int
	// MaxEvaluating caps the rule evaluations running at once; admitted
	// requests beyond it wait, first come first served, for one to finish.
	// Evaluation is CPU-bound, so running more at once than there are CPUs
	// only slows every one of them down: under a full house the unlucky ones
	// would miss their deadline while others finish. Zero means GOMAXPROCS.
	MaxEvaluating int
	// Token, when set, is the bearer token every endpoint but /healthz and
	// /readyz requires.
	Token string
	// CORSOrigins lists the web origins (scheme://host[:port]) whose pages may
	// call the API from a browser. Empty leaves CORS off.
	CORSOrigins []string
	// LogInputs adds the resolved input to each decision line. Off, the log
	// holds only the input's digest.
	LogInputs bool
	// Logger receives the access line of every request, the decision line of
	// every answer and the details of server errors, which never reach the
	// caller. Nil discards them.
	Logger *slog.Logger
	// Metrics, when set, is the Prometheus registry the server records its
	// series in (docs/METRICS.md; NewRegistry makes one), one server to a
	// registry. They are served as GET /metrics on the API's listener,
	// behind the Token like the API, unless MetricsListener is set.
	Metrics *prometheus.Registry
	// MetricsListener, with Metrics, is where Serve serves GET /metrics
	// instead, and only there: with no token, for the scraper's network
	// alone. Serve closes it when it returns.
	MetricsListener net.Listener
	// AfterFirstRequest, when set, runs once, in its own goroutine, after
	// the first request has been handled (whatever its outcome): "advise
	// serve" resumes garbage collection there, so the first caller does
	// not wait for the compiled rules to be marked.
	AfterFirstRequest func()
}

func (o Options) withDefaults() Options {
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.EvalTimeout <= 0 {
		o.EvalTimeout = DefaultEvalTimeout
	}
	if o.BatchBodyLimit <= 0 {
		o.BatchBodyLimit = DefaultBatchBodyLimit
	}
	if o.BatchEvalTimeout <= 0 {
		o.BatchEvalTimeout = DefaultBatchEvalTimeout
	}
	if o.ShutdownGrace <= 0 {
		o.ShutdownGrace = DefaultShutdownGrace
	}
	if o.DrainDelay < 0 {
		o.DrainDelay = 0
	}
	if o.DrainIdle <= 0 {
		o.DrainIdle = DefaultDrainIdle
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight()
	}
	if o.MaxReading <= 0 {
		o.MaxReading = 4 * o.MaxInFlight
	}
	if o.MaxReadingPerClient <= 0 {
		o.MaxReadingPerClient = 8
	}
	if o.MaxEvaluating <= 0 {
		o.MaxEvaluating = runtime.GOMAXPROCS(0)
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
	// draining turns /readyz to 503 once shutdown has begun.
	draining atomic.Bool
	// evaluating holds one token per evaluation running (MaxEvaluating). A
	// channel queues its waiting senders in order, so waiting is fair.
	evaluating chan struct{}
	// batchTurns holds one token per batch being answered, MaxEvaluating
	// of them: a batch keeps its turn from its first evaluation to its
	// answer's last byte, and gives its evaluation slot up while its
	// answer waits to be read (see batchstream.go), so the batches in
	// progress, and the memory they hold, are bounded however slowly
	// their callers read.
	batchTurns chan struct{}
	// started is when the handlers were built, the load time /v1/policy
	// gives an Advisor that cannot reload.
	started time.Time
	// admission holds the in-flight and reading slots.
	admission *admission
	// metrics records the Prometheus series; nil when Options.Metrics is.
	metrics *metrics
}

// New builds the echo instance serving the advisor's API.
func New(advisor Advisor, opts Options) *echo.Echo {
	e, _ := build(advisor, opts)
	return e
}

// build is New, also returning the handlers so Serve can mark them draining.
func build(advisor Advisor, opts Options) (*echo.Echo, *handlers) {
	opts = opts.withDefaults()
	h := &handlers{advisor: advisor, validator: api.NewValidator(), opts: opts, evaluating: make(chan struct{}, opts.MaxEvaluating), batchTurns: make(chan struct{}, opts.MaxEvaluating), started: time.Now().UTC(), admission: newAdmission(opts)}
	if opts.Metrics != nil {
		h.metrics = newMetrics(opts.Metrics, h)
		h.admission.metrics = h.metrics
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = problemRenderer(opts.Logger)
	// Order matters: the first-request hook outermost, so it runs after
	// everything else; the id next so every line and problem carries it; the
	// metrics and the access log around everything so they see the final
	// status (the access log renders a handler's error, so the metrics go
	// outside it); recovery inside them so a panic is counted and logged as
	// the 500 it becomes; headers before any answer; CORS before auth, since
	// preflights carry no credentials; the concurrency limit last, so only
	// authorised requests take a slot.
	if opts.AfterFirstRequest != nil {
		e.Use(afterFirstRequest(opts.AfterFirstRequest))
	}
	e.Use(requestID)
	if h.metrics != nil {
		e.Use(h.metrics.middleware)
	}
	e.Use(requestLogger(opts.Logger), recoverPanics, secureHeaders, h.closeConnection)
	if len(opts.CORSOrigins) > 0 {
		e.Use(cors(opts.CORSOrigins))
	}
	if opts.Token != "" {
		e.Use(bearerAuth(opts.Token))
	}
	e.Use(h.admission.middleware)
	routes(e, h)
	return e, h
}

// routes is the one place every endpoint is declared.
func routes(e *echo.Echo, h *handlers) {
	e.POST("/advise", h.advise, deadline(h.opts.EvalTimeout))
	e.POST("/advise/batch", h.adviseBatch, deadline(h.opts.BatchEvalTimeout))
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/v1/sources", h.sources)
	e.GET("/v1/rules", h.rules)
	e.GET("/v1/policy", h.policy)
	e.GET("/openapi.yaml", h.openAPI)
	if h.metrics != nil && h.opts.MetricsListener == nil {
		e.GET(pathMetrics, h.serveMetrics)
	}
	// The page for people (server/page.go, package web); not part of the
	// JSON API, so openapi.yaml leaves these out.
	e.GET(pathPage, h.pageHome, pageHeaders, deadline(h.opts.EvalTimeout))
	e.POST(pathPage, h.pageSubmit, pageHeaders, deadline(h.opts.EvalTimeout))
	e.GET(pathPortfolio, h.pagePortfolioForm, pageHeaders)
	e.POST(pathPortfolio, h.pagePortfolio, pageHeaders, deadline(h.opts.BatchEvalTimeout))
	e.GET(pathRulesPage, h.pageRules, pageHeaders)
	e.POST(pathRulesPage, h.pageRules, pageHeaders)
	e.GET(pathStatic, h.pageStatic, pageHeaders)
}

// deadline bounds a route's handling with echo's ContextTimeout: the request's
// context ends after d, which cancels a rule evaluation in progress. The
// handler's error passes through unchanged, so the one renderer answers a
// missed deadline with the evaluation-timeout problem.
func deadline(d time.Duration) echo.MiddlewareFunc {
	return middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Timeout:      d,
		ErrorHandler: func(err error, _ echo.Context) error { return err },
	})
}
