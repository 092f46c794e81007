package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
)

// TestServeBinaryReloads builds the binary and serves a copy of the worked
// organisation's policy with --watch: a broken .rego leaves the service
// answering with the last good digest while /v1/policy shows the error; the
// fixed file is picked up; SIGHUP reloads (here finding nothing new).
func TestServeBinaryReloads(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	dir := t.TempDir()
	org := filepath.Join(dir, "org-policy")
	if err := os.CopyFS(org, os.DirFS("../../examples/org-policy")); err != nil {
		t.Fatal(err)
	}
	rule := filepath.Join(org, "acme.rego")
	good, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	base := "http://" + addr
	s := startBinary(t, buildBinary(t), "--addr", addr, "--policy", org, "--watch", "--watch-interval", "20ms")
	cmd, stderr := s.cmd, s.stderr
	waitHealthy(t, base, s.exited, stderr)

	status := func() api.PolicyStatus {
		t.Helper()
		var s api.PolicyStatus
		getJSON(t, base+"/v1/policy", &s)
		return s
	}
	until := func(what string, cond func(api.PolicyStatus) bool) api.PolicyStatus {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if s := status(); cond(s) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("gave up waiting: %s\n%s", what, stderr.String())
			}
		}
	}
	first := status()
	if first.Active == nil || first.Active.Trigger != "start" || !strings.Contains(strings.Join(first.Origins, " "), org) {
		t.Fatalf("status at start = %+v", first)
	}

	if err := os.WriteFile(rule, []byte("package advise.factors.acme\n\npreferences[p] := p if {\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	broken := until("the broken file to be refused", func(s api.PolicyStatus) bool { return s.Failures == 1 })
	if broken.Active.Digest != first.Active.Digest || broken.LastError == nil || !strings.Contains(broken.LastError.Message, "acme.rego") || broken.LastError.Trigger != "watch" {
		t.Errorf("after the broken file: active %+v, last error %+v", broken.Active, broken.LastError)
	}
	var a api.Answer
	postAdvise(t, base, `{"multi_tenant":false,"availability_target":99.95}`, &a)
	if a.Policy.Digest != first.Active.Digest {
		t.Errorf("answered by %s, want the last good %s", a.Policy.Digest, first.Active.Digest)
	}

	fixed := append(good, []byte("\n# fixed\n")...)
	if err := os.WriteFile(rule, fixed, 0o600); err != nil {
		t.Fatal(err)
	}
	next := until("the fixed file to load", func(s api.PolicyStatus) bool { return s.Reloads == 2 })
	if next.Active.Digest == first.Active.Digest || next.Active.Trigger != "watch" {
		t.Errorf("after the fix: %+v", next.Active)
	}
	postAdvise(t, base, `{"multi_tenant":false,"availability_target":99.95}`, &a)
	if a.Policy.Digest != next.Active.Digest {
		t.Errorf("answered by %s, want %s", a.Policy.Digest, next.Active.Digest)
	}

	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	until("SIGHUP to reload", func(s api.PolicyStatus) bool { return s.Unchanged == 1 })
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatal(err)
	}
}

func postAdvise(t *testing.T, base, body string, v any) {
	t.Helper()
	resp, err := http.Post(base+"/advise", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /advise: %d %s", resp.StatusCode, out)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatal(err)
	}
}
