// Command loadgen drives an advise server (or OPA's own server, or the
// ceiling handler) over loopback with a varied workload mix for a bounded time
// and reports throughput, latency percentiles, errors and the target's memory.
// It refuses any address that is not a loopback address.
//
// Two helper modes serve the scripts in bench/: -wait-ready polls a target
// that is starting until it gives its first 200 answer and prints how long
// that took (from -since, when the target's start time is given), and
// -free-port prints a loopback port nothing listens on.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/workloadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// Result is what one load run measured.
type Result struct {
	Target      string  `json:"target"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"rps"`
	P10ms       float64 `json:"p10_ms"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	RSSBeforeMB float64 `json:"rss_before_mb,omitempty"`
	RSSAfterMB  float64 `json:"rss_after_mb,omitempty"`
	PeakRSSMB   float64 `json:"peak_rss_mb,omitempty"`
	FirstError  string  `json:"first_error,omitempty"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:8080/advise", "URL to POST workloads to (loopback only)")
	mode := fs.String("mode", "advise", "body shape: advise (a workload), opa (OPA REST: {\"input\": resolved workload}), get (a GET, no body)")
	duration := fs.Duration("duration", 10*time.Second, "how long to send load")
	conns := fs.Int("connections", 32, "concurrent connections")
	corpus := fs.Int("corpus", 512, "distinct generated workloads to cycle through")
	pid := fs.Int("pid", 0, "process id of the target, to read its resident memory")
	label := fs.String("label", "", "name of the target in the report")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	waitReady := fs.Duration("wait-ready", 0, "instead of sending load, poll -url until it answers 200 (for -mode opa, with a defined result), at most this long, and print the time it took")
	since := fs.String("since", "", "with -wait-ready: the target's start time as Unix seconds with a fraction, as bash's $EPOCHREALTIME gives it; the time is counted from it")
	freePort := fs.Bool("free-port", false, "print a free loopback TCP port and exit")
	omit := fs.String("omit", "", "comma-separated request fields to leave out of every generated workload (say, the fields an older build to compare with does not know)")
	once := fs.Bool("once", false, "send each workload of the corpus once, spread over the connections, and stop when all are answered (or -duration ends first): a warm-up pass")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *freePort {
		port, err := pickFreePort(ctx)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, port)
		return err
	}
	u, err := url.Parse(*target)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if err := loopbackOnly(u.Hostname()); err != nil {
		return err
	}
	if *waitReady > 0 {
		return waitUntilReady(ctx, stdout, u.String(), *mode, *omit, *since, *waitReady, *asJSON)
	}
	bodies, err := makeBodies(*mode, *corpus, *omit)
	if err != nil {
		return err
	}
	res := Result{Target: *label}
	if res.Target == "" {
		res.Target = *target
	}
	res.RSSBeforeMB, _ = rssMB(*pid, "VmRSS")

	client := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        *conns,
			MaxIdleConnsPerHost: *conns,
			MaxConnsPerHost:     *conns,
		},
	}
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		requests  atomic.Int64
		failures  atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
	)
	start := time.Now()
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := w; ctx.Err() == nil && (!*once || i < len(bodies)); i += *conns {
				body := bodies[i%len(bodies)]
				t0 := time.Now()
				err := send(ctx, client, *target, body)
				if ctx.Err() != nil {
					break // the run ended mid-request; do not count it
				}
				local = append(local, time.Since(t0))
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.Requests = requests.Load()
	res.Errors = failures.Load()
	if s, ok := firstErr.Load().(string); ok {
		res.FirstError = s
	}
	res.RPS = float64(res.Requests) / res.Seconds
	slices.Sort(latencies)
	// p10 and p90 with p50 show the spread: with a fair queue every request
	// waits about as long, and p10 sits near p50.
	res.P10ms = percentile(latencies, 0.10)
	res.P50ms = percentile(latencies, 0.50)
	res.P90ms = percentile(latencies, 0.90)
	res.P99ms = percentile(latencies, 0.99)
	if n := len(latencies); n > 0 {
		res.MaxMs = ms(latencies[n-1])
	}
	res.RSSAfterMB, _ = rssMB(*pid, "VmRSS")
	res.PeakRSSMB, _ = rssMB(*pid, "VmHWM")
	if *asJSON {
		enc := json.NewEncoder(stdout)
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%-10s %8d req %5d err %9.0f req/s  p10 %6.2f  p50 %6.2f  p90 %6.2f  p99 %6.2f  max %7.2f ms",
		res.Target, res.Requests, res.Errors, res.RPS, res.P10ms, res.P50ms, res.P90ms, res.P99ms, res.MaxMs)
	if *pid != 0 {
		fmt.Fprintf(stdout, "  rss %.1f→%.1f MB (peak %.1f)", res.RSSBeforeMB, res.RSSAfterMB, res.PeakRSSMB)
	}
	fmt.Fprintln(stdout)
	if res.FirstError != "" {
		fmt.Fprintln(stdout, "  first error:", res.FirstError)
	}
	return nil
}

// send POSTs body to target, or GETs target when body is nil (-mode get),
// and reads the whole answer.
func send(ctx context.Context, client *http.Client, target string, body []byte) error {
	return exchange(ctx, client, target, body, io.Discard)
}

// exchange is one request; the answer's body is copied to w. Any status but
// 200 is an error.
func exchange(ctx context.Context, client *http.Client, target string, body []byte, w io.Writer) error {
	method, reader := http.MethodGet, io.Reader(nil)
	if body != nil {
		method, reader = http.MethodPost, bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read the whole answer: a load test that drops bodies measures less work.
	if _, err := io.Copy(w, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// Ready is what -wait-ready reports.
type Ready struct {
	ReadyMs  float64 `json:"ready_ms"`
	Attempts int     `json:"attempts"`
}

// waitUntilReady polls target with one real request until it is answered
// 200, then prints how long it took: from since (the target's start) when
// given, else from this call. Refused connections are retried after a
// millisecond, so the figure is within about a millisecond of the truth. For
// -mode opa the answer must also hold a result: OPA answers 200 with an empty
// object when the rule is undefined, which is no answer.
func waitUntilReady(ctx context.Context, stdout io.Writer, target, mode, omit, since string, limit time.Duration, asJSON bool) error {
	start := time.Now()
	if since != "" {
		t, err := parseEpoch(since)
		if err != nil {
			return err
		}
		start = t
	}
	bodies, err := makeBodies(mode, 1, omit)
	if err != nil {
		return err
	}
	// No keep-alive: every attempt is a fresh connection, as the first
	// request of a real client would be.
	client := &http.Client{Timeout: limit, Transport: &http.Transport{DisableKeepAlives: true}}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var last error
	for attempt := 1; ; attempt++ {
		var answer bytes.Buffer
		err := exchange(ctx, client, target, bodies[0], &answer)
		if err == nil && mode == "opa" && !bytes.HasPrefix(bytes.TrimSpace(answer.Bytes()), []byte(`{"result"`)) {
			err = fmt.Errorf("answer without a result: %.200s", answer.String())
		}
		if err == nil {
			res := Ready{ReadyMs: float64(time.Since(start).Microseconds()) / 1000, Attempts: attempt}
			if asJSON {
				return json.NewEncoder(stdout).Encode(res)
			}
			_, err := fmt.Fprintf(stdout, "ready after %.1f ms (%d attempts)\n", res.ReadyMs, res.Attempts)
			return err
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: not ready after %s: %w", target, limit, last)
		case <-time.After(time.Millisecond):
		}
	}
}

// parseEpoch reads Unix seconds with an optional fraction, such as
// "1700000000.123456" (bash's $EPOCHREALTIME; a comma is accepted as the
// decimal mark too, as some locales print it).
func parseEpoch(s string) (time.Time, error) {
	secs, frac, _ := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse -since %q: %w", s, err)
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		if nsec, err = strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64); err != nil {
			return time.Time{}, fmt.Errorf("parse -since %q: %w", s, err)
		}
	}
	return time.Unix(sec, nsec), nil
}

// pickFreePort asks the kernel for a free loopback port and releases it, for
// a target that cannot report the port it bound itself (OPA). Another process
// could take it in between; on a test machine that is unlikely enough.
func pickFreePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if err := ln.Close(); err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	return port, nil
}

// makeBodies builds a varied corpus so no cache could answer it from one
// body, each workload without the fields omit names.
func makeBodies(mode string, n int, omit string) ([][]byte, error) {
	var unset []api.Setting
	for _, name := range strings.FieldsFunc(omit, func(r rune) bool { return r == ',' }) {
		i, ok := api.FieldIndex(name)
		if !ok {
			return nil, fmt.Errorf("-omit: %q is not a request field", name)
		}
		if api.Fields()[i].Required {
			return nil, fmt.Errorf("-omit: %s is required", name)
		}
		s, err := api.NewSetting(i, nil)
		if err != nil {
			return nil, err
		}
		unset = append(unset, s)
	}
	gen := workloadgen.New(42)
	bodies := make([][]byte, 0, n)
	for range n {
		req := gen.Request()
		for _, s := range unset {
			s.Apply(&req)
		}
		if errs := api.Contradictions(&req); len(errs) > 0 {
			return nil, fmt.Errorf("-omit %s leaves a generated workload contradicting itself: %s %s", omit, errs[0].Field, errs[0].Message)
		}
		var v any = req
		switch mode {
		case "advise":
		case "get":
			bodies = append(bodies, nil)
			continue
		case "opa":
			w, _ := req.Resolve()
			v = map[string]any{"input": w}
		default:
			return nil, fmt.Errorf("unknown mode %q: want advise, opa or get", mode)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, b)
	}
	return bodies, nil
}

// loopbackOnly refuses to send load anywhere but this machine.
func loopbackOnly(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return errors.New("refusing to send load to " + host + ": loopback addresses only")
	}
	return nil
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return ms(sorted[min(len(sorted)-1, int(q*float64(len(sorted))))])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// rssMB reads a memory line (VmRSS, VmHWM) of a process from /proc.
func rssMB(pid int, field string) (float64, error) {
	if pid == 0 {
		return 0, nil
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}
