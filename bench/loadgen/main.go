// Command loadgen drives an advise server (or OPA's own server, or the
// ceiling handler) over loopback with a varied workload mix for a bounded time
// and reports throughput, latency percentiles, errors and the target's memory.
// It refuses any address that is not a loopback address.
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
	P50ms       float64 `json:"p50_ms"`
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
	mode := fs.String("mode", "advise", "body shape: advise (a workload), opa (OPA REST: {\"input\": resolved workload})")
	duration := fs.Duration("duration", 10*time.Second, "how long to send load")
	conns := fs.Int("connections", 32, "concurrent connections")
	corpus := fs.Int("corpus", 512, "distinct generated workloads to cycle through")
	pid := fs.Int("pid", 0, "process id of the target, to read its resident memory")
	label := fs.String("label", "", "name of the target in the report")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil {
		return fmt.Errorf("parse url: %w", err)
	}
	if err := loopbackOnly(u.Hostname()); err != nil {
		return err
	}
	bodies, err := makeBodies(*mode, *corpus)
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
			for i := w; ctx.Err() == nil; i += *conns {
				body := bodies[i%len(bodies)]
				t0 := time.Now()
				err := post(ctx, client, *target, body)
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
	res.P50ms = percentile(latencies, 0.50)
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
	fmt.Fprintf(stdout, "%-10s %8d req %5d err %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms",
		res.Target, res.Requests, res.Errors, res.RPS, res.P50ms, res.P99ms, res.MaxMs)
	if *pid != 0 {
		fmt.Fprintf(stdout, "  rss %.1f→%.1f MB (peak %.1f)", res.RSSBeforeMB, res.RSSAfterMB, res.PeakRSSMB)
	}
	fmt.Fprintln(stdout)
	if res.FirstError != "" {
		fmt.Fprintln(stdout, "  first error:", res.FirstError)
	}
	return nil
}

func post(ctx context.Context, client *http.Client, target string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// Read the whole answer: a load test that drops bodies measures less work.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// makeBodies builds a varied corpus so no cache could answer it from one body.
func makeBodies(mode string, n int) ([][]byte, error) {
	gen := workloadgen.New(42)
	bodies := make([][]byte, 0, n)
	for range n {
		req := gen.Request()
		var v any = req
		switch mode {
		case "advise":
		case "opa":
			w, _ := req.Resolve()
			v = map[string]any{"input": w}
		default:
			return nil, fmt.Errorf("unknown mode %q: want advise or opa", mode)
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
