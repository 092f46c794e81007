package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestServeMetrics scrapes "advise serve": on --addr by default, behind the
// token there; on --metrics-addr alone, without it, when that is given.
func TestServeMetrics(t *testing.T) {
	const token = "metrics-token-0123456789abcdef"
	get := func(url, token string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	checkScrape := func(body string) {
		t.Helper()
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("parse the scrape: %v", err)
		}
		for _, name := range []string{"advise_build_info", "advise_http_requests_total", "advise_policy_info", "go_goroutines"} {
			if _, ok := families[name]; !ok {
				t.Errorf("the scrape has no %s", name)
			}
		}
	}

	t.Run("on --addr", func(t *testing.T) {
		t.Setenv(envToken, token)
		addr := freeAddr(t)
		startServe(t, addr, "--addr", addr)
		if status, _ := get("http://"+addr+"/metrics", ""); status != http.StatusUnauthorized {
			t.Errorf("GET /metrics without the token: status %d, want 401", status)
		}
		status, body := get("http://"+addr+"/metrics", token)
		if status != http.StatusOK {
			t.Fatalf("GET /metrics: status %d: %s", status, body)
		}
		checkScrape(body)
	})
	t.Run("on --metrics-addr", func(t *testing.T) {
		t.Setenv(envToken, token)
		addr, metricsAddr := freeAddr(t), freeAddr(t)
		stop := startServe(t, addr, "--addr", addr, "--metrics-addr", metricsAddr)
		status, body := get("http://"+metricsAddr+"/metrics", "")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics on --metrics-addr: status %d: %s", status, body)
		}
		checkScrape(body)
		if status, _ := get("http://"+addr+"/metrics", token); status != http.StatusNotFound {
			t.Errorf("GET /metrics on --addr: status %d, want 404", status)
		}
		if r := stop(); r.code != exitOK {
			t.Fatalf("serve: exit %d: %s", r.code, r.stderr)
		}
		if _, err := http.Get("http://" + metricsAddr + "/metrics"); err == nil {
			t.Error("--metrics-addr still answers after serve returned")
		}
	})
	t.Run("--metrics-addr taken", func(t *testing.T) {
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		r := runCLI(t, "", "serve", "--addr", freeAddr(t), "--metrics-addr", taken.Addr().String())
		if r.code != exitFailure || !strings.Contains(r.stderr, "--metrics-addr") || !strings.Contains(r.stderr, "address already in use") {
			t.Errorf("exit %d, stderr %q; want 1, the flag and the cause named", r.code, r.stderr)
		}
	})
}
