package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	opaversion "github.com/open-policy-agent/opa/v1/version"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/reload"
	"github.com/placement-advisor/advise/server"
)

// metricsOptions are server options recording into a fresh registry.
func metricsOptions(t *testing.T) server.Options {
	t.Helper()
	reg, err := server.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return server.Options{Metrics: reg}
}

// scrape GETs /metrics from base and parses it with Prometheus's own text
// parser, failing on anything it refuses.
func scrape(t *testing.T, base string, header map[string]string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, body := send(t, call{path: "/metrics", header: header}.request(t, base))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: status %d: %s", resp.StatusCode, body)
	}
	if mt := mediaType(t, resp); mt != "text/plain" {
		t.Fatalf("GET /metrics: Content-Type %q, want text/plain", resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse the scrape: %v\n%s", err, body)
	}
	return families
}

// series are the metrics of family name, by their labels written as
// name=value pairs sorted by name (`method=POST,route=/advise,status=200`).
func series(t *testing.T, families map[string]*dto.MetricFamily, name string) map[string]*dto.Metric {
	t.Helper()
	f, ok := families[name]
	if !ok {
		t.Fatalf("the scrape has no %s", name)
	}
	out := map[string]*dto.Metric{}
	for _, m := range f.Metric {
		pairs := make([]string, 0, len(m.Label))
		for _, l := range m.Label {
			pairs = append(pairs, l.GetName()+"="+l.GetValue())
		}
		slices.Sort(pairs)
		out[strings.Join(pairs, ",")] = m
	}
	return out
}

// value is what a counter, gauge or untyped metric holds, or a histogram's
// count.
func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return m.GetUntyped().GetValue()
}

// labelNames lists the label names of f's series, sorted.
func labelNames(f *dto.MetricFamily) []string {
	seen := map[string]bool{}
	for _, m := range f.Metric {
		for _, l := range m.Label {
			seen[l.GetName()] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestMetricsScrape sends a few of every kind of request, scrapes /metrics
// and checks each family the server exposes: its labels, its counts, and
// that what a caller chooses (the path, the method, the Host header) mints
// no series.
func TestMetricsScrape(t *testing.T) {
	srv := start(t, engine, metricsOptions(t))
	secret := strings.ToLower(rand.Text()) // sent as Host and in paths; must appear in no label

	decisions := map[string]float64{}
	count := func(recommendation, pattern string) {
		if pattern == "" {
			pattern = "none"
		}
		decisions["pattern="+pattern+",recommendation="+recommendation]++
	}
	for _, f := range []string{"windows-erp.json", "shop-frontend.json", "shared-platform.json"} {
		c := postJSON(fixture(t, f))
		c.header["Host"] = secret + ".example.com"
		resp, body := c.do(t, srv)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", f, resp.StatusCode, body)
		}
		var a api.Answer
		if err := json.Unmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		count(a.Recommendation, a.HybridPattern)
	}
	batch := postJSON(`[{"name":"erp","multi_tenant":false,"needs_windows":true},{"name":"shop","multi_tenant":false,"architecture":"microservices"},{"name":"typo","multi_tenant":false,"density":"extreme"}]`)
	batch.path = "/advise/batch"
	resp, body := batch.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: status %d: %s", resp.StatusCode, body)
	}
	var pf api.Portfolio
	if err := json.Unmarshal(body, &pf); err != nil {
		t.Fatal(err)
	}
	for _, item := range pf.Items {
		if item.Answer != nil {
			count(item.Answer.Recommendation, item.Answer.HybridPattern)
		}
	}
	if resp, body := postJSON(`{"multi_tenant":"yes"}`).do(t, srv); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("invalid request: status %d: %s", resp.StatusCode, body)
	}
	// Four callers at once, so the series are made concurrently too.
	const unmatched = 100
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < unmatched; i += 4 {
				if resp, _ := (call{path: fmt.Sprintf("/%s/%d", secret, i)}).do(t, srv); resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET /%s/%d: status %d, want 404", secret, i, resp.StatusCode)
				}
			}
		})
	}
	wg.Wait()
	for _, method := range []string{"BREW", "PROPFIND", strings.ToUpper(secret)} {
		if resp, _ := (call{method: method, path: "/advise"}).do(t, srv); resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("%s /advise: status %d, want 405", method, resp.StatusCode)
		}
	}

	families := scrape(t, srv.URL, nil)
	for name, f := range families {
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if strings.Contains(strings.ToLower(l.GetValue()), secret) {
					t.Errorf("%s{%s=%q}: a label holds what the caller sent", name, l.GetName(), l.GetValue())
				}
			}
		}
	}

	requests := series(t, families, "advise_http_requests_total")
	for labels, want := range map[string]float64{
		"method=POST,route=/advise,status=200":       3,
		"method=POST,route=/advise,status=400":       1,
		"method=POST,route=/advise/batch,status=200": 1,
		"method=GET,route=unmatched,status=404":      unmatched,
		"method=other,route=/advise,status=405":      3,
	} {
		if got := value(requests[labels]); got != want {
			t.Errorf("advise_http_requests_total{%s} = %v, want %v", labels, got, want)
		}
	}
	// The scrape itself is counted once it is answered: not in its own body.
	if len(requests) != 5 {
		t.Errorf("advise_http_requests_total has %d series, want 5: %v", len(requests), slices.Sorted(maps.Keys(requests)))
	}
	durations := series(t, families, "advise_http_request_duration_seconds")
	for labels, m := range requests {
		if value(durations[labels]) != value(m) {
			t.Errorf("advise_http_request_duration_seconds{%s} counts %v requests, the counter %v", labels, value(durations[labels]), value(m))
		}
	}
	if got := labelNames(families["advise_http_request_duration_seconds"]); !slices.Equal(got, []string{"method", "route", "status"}) {
		t.Errorf("duration labels %v", got)
	}

	gotDecisions := series(t, families, "advise_decisions_total")
	if len(gotDecisions) != len(decisions) {
		t.Errorf("advise_decisions_total has series %v, want %v", slices.Sorted(maps.Keys(gotDecisions)), decisions)
	}
	for labels, want := range decisions {
		if got := value(gotDecisions[labels]); got != want {
			t.Errorf("advise_decisions_total{%s} = %v, want %v", labels, got, want)
		}
	}

	evaluations := series(t, families, "advise_evaluation_duration_seconds")
	for labels, want := range map[string]float64{"route=/advise": 3, "route=/advise/batch": 1} {
		if got := value(evaluations[labels]); got != want {
			t.Errorf("advise_evaluation_duration_seconds{%s} counts %v, want %v", labels, got, want)
		}
		if families["advise_evaluation_duration_seconds"].GetType() != dto.MetricType_HISTOGRAM || len(evaluations[labels].GetHistogram().GetBucket()) == 0 {
			t.Errorf("advise_evaluation_duration_seconds is not a histogram with buckets")
		}
	}

	info := engine.Info()
	for name, want := range map[string]map[string]float64{
		"advise_policy_info":                    {"digest=" + info.Digest + ",revision=,version=" + info.Version: 1},
		"advise_policy_reloads_total":           {"result=success": 1, "result=unchanged": 0, "result=failure": 0},
		"advise_http_requests_in_flight":        {"": 0},
		"advise_http_requests_in_flight_limit":  {"": float64(server.DefaultMaxInFlight())},
		"advise_http_bodies_reading":            {"": 0},
		"advise_http_bodies_reading_limit":      {"": float64(4 * server.DefaultMaxInFlight())},
		"advise_http_requests_overloaded_total": {"limit=in_flight": 0, "limit=reading": 0, "limit=client_reading": 0, "limit=scrapes": 0},
	} {
		got := series(t, families, name)
		if len(got) != len(want) {
			t.Errorf("%s has series %v, want %v", name, slices.Sorted(maps.Keys(got)), want)
		}
		for labels, v := range want {
			if value(got[labels]) != v {
				t.Errorf("%s{%s} = %v, want %v", name, labels, value(got[labels]), v)
			}
		}
	}
	if loaded := value(series(t, families, "advise_policy_loaded_timestamp_seconds")[""]); loaded <= 0 {
		t.Errorf("advise_policy_loaded_timestamp_seconds = %v", loaded)
	}

	build := series(t, families, "advise_build_info")
	if len(build) != 1 {
		t.Fatalf("advise_build_info has %d series", len(build))
	}
	for _, m := range build {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for name, want := range map[string]string{"goversion": runtime.Version(), "opa_version": opaversion.Version,
			"builtin_policy_version": info.Version, "builtin_policy_digest": info.Digest} {
			if labels[name] != want {
				t.Errorf("advise_build_info{%s} = %q, want %q", name, labels[name], want)
			}
		}
		if labels["version"] == "" || labels["revision"] == "" {
			t.Errorf("advise_build_info version %q, revision %q: both must be set", labels["version"], labels["revision"])
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := families[name]; !ok {
			t.Errorf("the scrape has no %s", name)
		}
	}
}

// TestMetricsUnderOverload saturates the in-flight slots: a scrape still
// gets through, shows them all taken, and counts the request refused.
func TestMetricsUnderOverload(t *testing.T) {
	opts := metricsOptions(t)
	srv := saturated(t, opts)
	families := scrape(t, srv.URL, nil)
	if got := value(series(t, families, "advise_http_requests_in_flight")[""]); got != 2 {
		t.Errorf("advise_http_requests_in_flight = %v while saturated, want 2", got)
	}
	for _, c := range []call{postJSON(`{"multi_tenant":true}`), {path: "/v1/rules"}} {
		resp, body := c.do(t, srv)
		checkProblem(t, resp, body, http.StatusServiceUnavailable, "overloaded")
	}
	families = scrape(t, srv.URL, nil)
	if got := value(series(t, families, "advise_http_requests_overloaded_total")["limit=in_flight"]); got != 2 {
		t.Errorf("advise_http_requests_overloaded_total{limit=in_flight} = %v, want 2", got)
	}
	requests := series(t, families, "advise_http_requests_total")
	for labels, want := range map[string]float64{"method=POST,route=/advise,status=503": 1, "method=GET,route=/v1/rules,status=503": 1, "method=GET,route=/metrics,status=200": 1} {
		if got := value(requests[labels]); got != want {
			t.Errorf("advise_http_requests_total{%s} = %v, want %v", labels, got, want)
		}
	}
}

// TestMetricsFollowReloads reloads a policy into a serving holder: the
// info series follows the active digest, one series at a time, and the
// reloads are counted by result.
func TestMetricsFollowReloads(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "examples", "org-policy"))); err != nil {
		t.Fatal(err)
	}
	holder := reload.New(reload.Config{Policy: policy.Options{Paths: []string{dir}}}, engine)
	srv := start(t, holder, metricsOptions(t))
	infoSeries := func(want api.PolicyInfo, reloads map[string]float64) {
		t.Helper()
		families := scrape(t, srv.URL, nil)
		info := series(t, families, "advise_policy_info")
		if labels := "digest=" + want.Digest + ",revision=,version=" + want.Version; len(info) != 1 || value(info[labels]) != 1 {
			t.Errorf("advise_policy_info = %v, want only {%s} 1", slices.Sorted(maps.Keys(info)), labels)
		}
		got := series(t, families, "advise_policy_reloads_total")
		for result, n := range reloads {
			if v := value(got["result="+result]); v != n {
				t.Errorf("advise_policy_reloads_total{result=%s} = %v, want %v", result, v, n)
			}
		}
	}
	infoSeries(engine.Info(), map[string]float64{"success": 1, "unchanged": 0, "failure": 0})

	ctx := context.Background()
	if err := holder.Reload(ctx, reload.TriggerSIGHUP); err != nil {
		t.Fatal(err)
	}
	withOrg := holder.Info()
	if withOrg.Digest == engine.Info().Digest {
		t.Fatal("the organisation's policy did not change the digest")
	}
	infoSeries(withOrg, map[string]float64{"success": 2, "unchanged": 0, "failure": 0})

	if err := holder.Reload(ctx, reload.TriggerSIGHUP); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.rego"), []byte("package advise.factors.broken\n\nthis is not rego\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := holder.Reload(ctx, reload.TriggerSIGHUP); err == nil {
		t.Fatal("a broken policy reloaded")
	}
	infoSeries(withOrg, map[string]float64{"success": 2, "unchanged": 1, "failure": 1})
}

// TestMetricsToken: on the API's listener /metrics is behind the token like
// the API; on a listener of its own it takes none, and the API's listener
// does not serve it.
func TestMetricsToken(t *testing.T) {
	opts := metricsOptions(t)
	opts.Token = token
	srv := start(t, engine, opts)
	resp, body := call{path: "/metrics"}.do(t, srv)
	checkProblem(t, resp, body, http.StatusUnauthorized, "unauthorized")
	scrape(t, srv.URL, map[string]string{"Authorization": "Bearer " + token})

	opts = metricsOptions(t)
	opts.Token = token
	apiLn, metricsLn := mustListen(t), mustListen(t)
	opts.MetricsListener = metricsLn
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- server.Serve(ctx, apiLn, engine, opts) }()
	apiURL, metricsURL := "http://"+apiLn.Addr().String(), "http://"+metricsLn.Addr().String()
	waitReady(t, apiURL)

	families := scrape(t, metricsURL, nil)
	if _, ok := families["advise_http_requests_total"]; !ok {
		t.Error("the metrics listener does not serve the server's series")
	}
	resp, body = send(t, call{path: "/metrics", header: map[string]string{"Authorization": "Bearer " + token}}.request(t, apiURL))
	checkProblem(t, resp, body, http.StatusNotFound, "not-found")
	for _, c := range []call{{path: "/advise"}, {path: "/healthz"}, {method: http.MethodPost, path: "/metrics"}} {
		if resp, _ := send(t, c.request(t, metricsURL)); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s %s on the metrics listener: status %d, want 404 or 405", c.method, c.path, resp.StatusCode)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := http.Get(metricsURL + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after Serve returned")
	}
}

// waitReady polls /readyz until the server at base answers 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-t.Context().Done():
			t.Fatal("the server never became ready")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestMetricsCountFailures: an engine that fails, panics or runs out of
// time is counted by the status the caller got, its evaluation timed, and
// no decision counted.
func TestMetricsCountFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		advisor server.Advisor
		status  string
	}{
		"engine fails":         {failsInside, "500"},
		"engine panics":        {panics, "500"},
		"evaluation times out": {waitsForDeadline, "503"},
	} {
		t.Run(name, func(t *testing.T) {
			opts := metricsOptions(t)
			opts.EvalTimeout = 1
			srv := start(t, tc.advisor, opts)
			if resp, body := postJSON(`{"multi_tenant":true}`).do(t, srv); strconv.Itoa(resp.StatusCode) != tc.status {
				t.Fatalf("status %d, want %s: %s", resp.StatusCode, tc.status, body)
			}
			families := scrape(t, srv.URL, nil)
			if got := value(series(t, families, "advise_http_requests_total")["method=POST,route=/advise,status="+tc.status]); got != 1 {
				t.Errorf("advise_http_requests_total{status=%s} = %v, want 1", tc.status, got)
			}
			if got := value(series(t, families, "advise_evaluation_duration_seconds")["route=/advise"]); got != 1 {
				t.Errorf("advise_evaluation_duration_seconds counts %v evaluations, want 1", got)
			}
			if f, ok := families["advise_decisions_total"]; ok && len(f.Metric) > 0 {
				t.Errorf("advise_decisions_total has %d series, want none", len(f.Metric))
			}
		})
	}
}

// TestServeMetricsListenerNeedsMetrics: a metrics listener with no
// registry is refused, and closed.
func TestServeMetricsListenerNeedsMetrics(t *testing.T) {
	apiLn, metricsLn := mustListen(t), mustListen(t)
	defer apiLn.Close()
	if err := server.Serve(t.Context(), apiLn, engine, server.Options{MetricsListener: metricsLn}); err == nil {
		t.Fatal("Serve accepted a metrics listener without metrics")
	}
	if _, err := metricsLn.Accept(); err == nil {
		t.Error("the metrics listener is still open")
	}
}

func mustListen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
