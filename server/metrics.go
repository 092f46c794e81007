package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/version"
	"github.com/placement-advisor/advise/policy"
)

// pathMetrics is where the Prometheus series are served, on the API's
// listener or on a listener of their own (Options.MetricsListener).
const pathMetrics = "/metrics"

// NewRegistry is a Prometheus registry holding what one advisor process
// exposes besides its server's series: the Go runtime's and the process's
// collectors and advise_build_info, which says which build runs (the
// facts of "advise --version"). Give it to one server as Options.Metrics.
func NewRegistry() (*prometheus.Registry, error) {
	builtin, err := policy.BuiltinInfo()
	if err != nil {
		return nil, fmt.Errorf("read the built-in policy: %w", err)
	}
	build := version.Get()
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "advise_build_info",
		Help: "Always 1: the build of the advisor running, the Go and OPA versions it was built with and the policy built into it.",
		ConstLabels: prometheus.Labels{
			"version": build.Version, "revision": build.Revision, "goversion": build.GoVersion, "opa_version": build.OPAVersion,
			"builtin_policy_version": builtin.Version, "builtin_policy_digest": builtin.Digest,
		},
	})
	info.Set(1)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), info)
	return reg, nil
}

// Bounds of the label values a request can choose. A route is one of the
// routes' templates; what matches none is one value, whatever its path. A
// method or status outside the known ones is one value too. No label takes
// a value from a header (the host, the caller's id): each would let a
// caller mint series at will.
const (
	routeUnmatched = "unmatched"
	labelOther     = "other"
	patternNone    = "none"
)

// Where an evaluation ran, as advise_evaluation_duration_seconds labels it.
const (
	evaluationSingle = "/advise"
	evaluationBatch  = "/advise/batch"
)

// The limits an overloaded refusal names (admission).
const (
	limitInFlight      = "in_flight"
	limitReading       = "reading"
	limitClientReading = "client_reading"
	limitScrapes       = "scrapes"
)

// durationBuckets span an answer from the memo (tens of microseconds) to a
// batch at its deadline (DefaultBatchEvalTimeout).
var durationBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20}

// metrics are a server's series. A nil *metrics records nothing, so the
// handlers call it without asking whether metrics are on.
type metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	decisions  *prometheus.CounterVec
	evaluation *prometheus.HistogramVec
	refusals   *prometheus.CounterVec
	// handler serves the registry's series; scrapes bounds the scrapes
	// served at once on the API's listener, which admission exempts.
	handler http.Handler
	scrapes chan struct{}

	// series holds the request series already made, by their labels, so a
	// request finds its own with a map lookup: the vectors would check and
	// hash every label value and allocate their list each time. The labels
	// are bounded, so the map is.
	mu     sync.RWMutex
	series map[requestLabels]requestSeries
}

type requestLabels struct{ route, method, status string }

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// maxScrapes bounds concurrent scrapes: a Prometheus server scrapes a target
// one at a time, so a highly available pair sends two.
const maxScrapes = 4

// newMetrics registers h's series in reg and returns them. The gauges of
// the admission and the policy are read at scrape time, from what /readyz
// and /v1/policy report, so they cost the requests nothing and follow every
// reload: a new digest replaces the old series rather than adding one.
func newMetrics(reg *prometheus.Registry, h *handlers) *metrics {
	httpLabels := []string{"route", "method", "status"}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "advise_http_requests_total",
			Help: "HTTP requests answered, by route template (\"unmatched\" for a path no route matches), method and status.",
		}, httpLabels),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "advise_http_request_duration_seconds",
			Help:    "Time from a request's routing to its answer, by route template, method and status.",
			Buckets: durationBuckets,
		}, httpLabels),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "advise_decisions_total",
			Help: "Answers given, each item of a batch counted, by recommendation and hybrid pattern (\"none\" unless hybrid).",
		}, []string{"recommendation", "pattern"}),
		evaluation: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "advise_evaluation_duration_seconds",
			Help:    "Time the rule engine took to answer one request, by route (a batch is one evaluation), failures included.",
			Buckets: durationBuckets,
		}, []string{"route"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "advise_http_requests_overloaded_total",
			Help: "Requests refused 503 overloaded, by the limit that was full: in_flight (--max-in-flight), reading and client_reading (bodies being read, in all and from one address), scrapes (concurrent GET /metrics).",
		}, []string{"limit"}),
		scrapes: make(chan struct{}, maxScrapes),
		series:  map[requestLabels]requestSeries{},
	}
	inFlight := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "advise_http_requests_in_flight",
		Help: "Requests holding an in-flight slot now; the probes and /metrics take none, an advice request only once its body is in.",
	}, func() float64 { return float64(h.admission.saturation().InFlight) })
	inFlightLimit := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "advise_http_requests_in_flight_limit",
		Help: "The in-flight slots (--max-in-flight).",
	}, func() float64 { return float64(h.admission.saturation().MaxInFlight) })
	reading := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "advise_http_bodies_reading",
		Help: "Request bodies being read now, each holding a reading slot.",
	}, func() float64 { return float64(h.admission.saturation().Reading) })
	readingLimit := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "advise_http_bodies_reading_limit",
		Help: "The reading slots (4 x --max-in-flight).",
	}, func() float64 { return float64(h.admission.saturation().MaxReading) })
	reg.MustRegister(m.requests, m.duration, m.decisions, m.evaluation, m.refusals,
		inFlight, inFlightLimit, reading, readingLimit, newPolicyCollector(h.policyStatus))
	// Every limit and known decision starts at zero, so a rate over them
	// exists before the first refusal or answer.
	for _, limit := range []string{limitInFlight, limitReading, limitClientReading, limitScrapes} {
		m.refusals.WithLabelValues(limit)
	}
	for _, route := range []string{evaluationSingle, evaluationBatch} {
		m.evaluation.WithLabelValues(route)
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(h.opts.Logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
	})
	return m
}

// middleware counts and times every request by its route, method and
// status. It runs outside the access logger, which renders a handler's
// error, so the status it reads is the one sent.
func (m *metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		route := c.Path()
		if route == "" {
			route = routeUnmatched
		}
		s := m.requestSeries(requestLabels{route, methodLabel(c.Request().Method), statusLabel(c.Response().Status)})
		s.count.Inc()
		s.duration.Observe(time.Since(start).Seconds())
		return err
	}
}

// requestSeries finds, or makes, the series of the requests labelled l.
func (m *metrics) requestSeries(l requestLabels) requestSeries {
	m.mu.RLock()
	s, ok := m.series[l]
	m.mu.RUnlock()
	if ok {
		return s
	}
	s = requestSeries{m.requests.WithLabelValues(l.route, l.method, l.status), m.duration.WithLabelValues(l.route, l.method, l.status)}
	m.mu.Lock()
	m.series[l] = s
	m.mu.Unlock()
	return s
}

// methodLabel is the method, when it is one of RFC 9110's and PATCH's.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return labelOther
}

// statusLabels are the status codes as text, made once: strconv.Itoa
// allocates for every number of three digits.
var statusLabels = func() (labels [600]string) {
	for code := 100; code < len(labels); code++ {
		labels[code] = strconv.Itoa(code)
	}
	return labels
}()

func statusLabel(code int) string {
	if code >= 100 && code < len(statusLabels) {
		return statusLabels[code]
	}
	return labelOther
}

// decided counts one answer.
func (m *metrics) decided(a *api.Answer) {
	if m == nil {
		return
	}
	recommendation, pattern := labelOther, labelOther
	switch a.Recommendation {
	case api.RecommendVM, api.RecommendContainer, api.RecommendHybrid:
		recommendation = a.Recommendation
	}
	switch a.HybridPattern {
	case "":
		pattern = patternNone
	case api.PatternContainersInVMs, api.PatternOrchestratorInVMs, api.PatternSideBySide:
		pattern = a.HybridPattern
	}
	m.decisions.WithLabelValues(recommendation, pattern).Inc()
}

// evaluated times an evaluation of route that started at started; deferred
// around the engine's call.
func (m *metrics) evaluated(route string, started time.Time) {
	if m == nil {
		return
	}
	m.evaluation.WithLabelValues(route).Observe(time.Since(started).Seconds())
}

// refused counts a 503 overloaded for limit.
func (m *metrics) refused(limit string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(limit).Inc()
}

// serveMetrics answers GET /metrics on the API's listener: the series in
// Prometheus's text format (or its protobuf format, as Accept asks). The
// admission exempts it, so a scrape still gets through when the server is
// saturated, which is when its series matter most; scrapes bounds it
// instead.
func (h *handlers) serveMetrics(c echo.Context) error {
	if !h.metrics.startScrape() {
		return &problemError{kind: overloaded, detail: fmt.Sprintf("%d scrapes of /metrics are already running; retry after the Retry-After delay", maxScrapes)}
	}
	defer h.metrics.endScrape()
	h.metrics.handler.ServeHTTP(c.Response(), c.Request())
	return nil
}

// startScrape takes a scrape slot, or counts the refusal and reports false.
func (m *metrics) startScrape() bool {
	select {
	case m.scrapes <- struct{}{}:
		return true
	default:
		m.refused(limitScrapes)
		return false
	}
}

func (m *metrics) endScrape() { <-m.scrapes }

// listenerHandler serves GET /metrics alone, for a listener of its own
// (Options.MetricsListener): no token, no admission, no problem documents,
// only the scrape bound.
func (m *metrics) listenerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathMetrics, func(w http.ResponseWriter, r *http.Request) {
		if !m.startScrape() {
			w.Header().Set(echo.HeaderRetryAfter, retryAfterSeconds)
			http.Error(w, "too many scrapes at once", http.StatusServiceUnavailable)
			return
		}
		defer m.endScrape()
		m.handler.ServeHTTP(w, r)
	})
	return mux
}

// policyCollector reports the active policy and how its loads went, read
// from the status GET /v1/policy shows at each scrape.
type policyCollector struct {
	status               func() api.PolicyStatus
	info, loadedAt, load *prometheus.Desc
}

func newPolicyCollector(status func() api.PolicyStatus) policyCollector {
	return policyCollector{
		status: status,
		info: prometheus.NewDesc("advise_policy_info",
			"Always 1: the policy answering now, by version, digest and bundle revision (empty unless from bundles); absent before the first policy.",
			[]string{"version", "digest", "revision"}, nil),
		loadedAt: prometheus.NewDesc("advise_policy_loaded_timestamp_seconds",
			"When the active policy was swapped in, in seconds since the Unix epoch.", nil, nil),
		load: prometheus.NewDesc("advise_policy_reloads_total",
			"Policy loads by result: success (a policy swapped in, the first at start included), unchanged (a reload that found the active digest again), failure (an update refused; the last good policy goes on serving).",
			[]string{"result"}, nil),
	}
}

func (p policyCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- p.info
	ch <- p.loadedAt
	ch <- p.load
}

func (p policyCollector) Collect(ch chan<- prometheus.Metric) {
	s := p.status()
	if a := s.Active; a != nil {
		ch <- prometheus.MustNewConstMetric(p.info, prometheus.GaugeValue, 1, a.Version, a.Digest, a.Revision)
		ch <- prometheus.MustNewConstMetric(p.loadedAt, prometheus.GaugeValue, float64(a.LoadedAt.UnixNano())/1e9)
	}
	ch <- prometheus.MustNewConstMetric(p.load, prometheus.CounterValue, float64(s.Reloads), "success")
	ch <- prometheus.MustNewConstMetric(p.load, prometheus.CounterValue, float64(s.Unchanged), "unchanged")
	ch <- prometheus.MustNewConstMetric(p.load, prometheus.CounterValue, float64(s.Failures), "failure")
}
