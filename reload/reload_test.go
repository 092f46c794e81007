package reload_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/reload"
	"github.com/placement-advisor/advise/reload/reloadtest"
	"github.com/placement-advisor/advise/server"
)

// goodRule is an organisation's rule; weight varies it, so two good
// policies have two digests.
func goodRule(weight int) string {
	return fmt.Sprintf(`package advise.factors.acme

# METADATA
# title: ACME tier
# description: A rule of the test organisation.
# custom:
#   id: acme.tier
#   kind: preference
#   capability: mature_ha
#   weight: %d
#   citations:
#     - source: 003_681de61063999d7b.txt
#       locator: High availability and recoverability
preferences[p.custom.id] := p if {
	input.availability_target >= 99.9
	p := rego.metadata.rule()
}
`, weight)
}

const brokenRule = "package advise.factors.acme\n\npreferences[p] := p if {\n"

// policyDir writes rule as acme.rego in a fresh directory.
func policyDir(t *testing.T, rule string) string {
	t.Helper()
	dir := t.TempDir()
	writeRule(t, dir, rule)
	return dir
}

func writeRule(t *testing.T, dir, rule string) {
	t.Helper()
	if err := writeFile(dir, rule); err != nil {
		t.Fatal(err)
	}
}

func writeFile(dir, rule string) error {
	return os.WriteFile(filepath.Join(dir, "acme.rego"), []byte(rule), 0o600)
}

func load(t *testing.T, opts policy.Options) *policy.Engine {
	t.Helper()
	e, err := policy.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// eventually waits for cond, failing after a minute: the watchers poll, and
// how long that takes is no part of what is tested.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
	}
}

// TestReloadKeepsTheLastGoodPolicy: a reload swaps in a policy that loads,
// refuses one that does not (keeping the active one, counting and showing
// the error), and keeps the warm engine when nothing changed.
func TestReloadKeepsTheLastGoodPolicy(t *testing.T) {
	dir := policyDir(t, goodRule(15))
	opts := policy.Options{Paths: []string{dir}}
	first := load(t, opts)
	h := reload.New(reload.Config{Policy: opts}, first)
	ctx := context.Background()

	if err := h.Reload(ctx, reload.TriggerSIGHUP); err != nil {
		t.Fatal(err)
	}
	if h.Engine() != first {
		t.Error("a reload of the same policy swapped the engine")
	}
	writeRule(t, dir, brokenRule)
	err := h.Reload(ctx, reload.TriggerSIGHUP)
	if err == nil || !strings.Contains(err.Error(), "acme.rego") {
		t.Fatalf("err = %v, want the broken file named", err)
	}
	if h.Engine() != first {
		t.Error("a broken policy replaced the active one")
	}
	writeRule(t, dir, goodRule(30))
	if err := h.Reload(ctx, reload.TriggerSIGHUP); err != nil {
		t.Fatal(err)
	}
	second := h.Engine()
	if second == first || second.Info().Digest == first.Info().Digest {
		t.Fatal("the new policy was not swapped in")
	}
	got := h.PolicyStatus()
	if got.LastError == nil || !strings.Contains(got.LastError.Message, "acme.rego") || got.LastError.Trigger != reload.TriggerSIGHUP {
		t.Errorf("last_error = %+v", got.LastError)
	}
	got.LastError = nil
	loadedAt := got.Active.LoadedAt
	want := api.PolicyStatus{
		Active:   &api.ActivePolicy{Version: policy.Version, Digest: second.Info().Digest, LoadedAt: loadedAt, Trigger: reload.TriggerSIGHUP, Rules: len(second.Rules())},
		Origins:  []string{policy.OriginBuiltin, dir},
		Watching: []string{reload.TriggerSIGHUP},
		Reloads:  2, Unchanged: 1, Failures: 1,
	}
	if a, b := mustJSON(t, got), mustJSON(t, want); a != b {
		t.Errorf("status = %s\nwant %s", a, b)
	}
}

// TestWatchReloadsOnChange: with Watch, a change to a policy file is picked
// up without a signal, a broken one is refused and the last good digest
// keeps answering.
func TestWatchReloadsOnChange(t *testing.T) {
	dir := policyDir(t, goodRule(15))
	opts := policy.Options{Paths: []string{dir}}
	first := load(t, opts)
	h := reload.New(reload.Config{Policy: opts, Watch: true, WatchInterval: 10 * time.Millisecond}, first)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})

	writeRule(t, dir, brokenRule)
	eventually(t, "the broken file to be refused", func() bool { return h.PolicyStatus().Failures == 1 })
	if s := h.PolicyStatus(); s.Active.Digest != first.Info().Digest || !strings.Contains(s.LastError.Message, "acme.rego") || s.LastError.Trigger != reload.TriggerWatch {
		t.Errorf("status after a broken file = %+v, %+v", s.Active, s.LastError)
	}
	answer, err := h.Advise(ctx, parse(t, `{"multi_tenant":false}`), policy.English)
	if err != nil || answer.Policy.Digest != first.Info().Digest {
		t.Errorf("answered by %v (%v), want the last good digest %s", answer.Policy.Digest, err, first.Info().Digest)
	}
	writeRule(t, dir, goodRule(30))
	eventually(t, "the fixed file to load", func() bool { return h.PolicyStatus().Reloads == 2 })
	if s := h.PolicyStatus(); s.Active.Trigger != reload.TriggerWatch || s.Active.Digest == first.Info().Digest {
		t.Errorf("active after the fix = %+v", s.Active)
	}
}

func parse(t *testing.T, body string) *api.Request {
	t.Helper()
	req, err := api.NewValidator().Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return &req
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// serveBundle makes b what bs serves.
func serveBundle(t *testing.T, bs *reloadtest.BundleServer, b bundle.Bundle) {
	t.Helper()
	tarball, err := reloadtest.Write(b)
	if err != nil {
		t.Fatal(err)
	}
	bs.Set(tarball)
}

// orgBundle is a bundle holding rule, revision rev.
func orgBundle(t *testing.T, rule, rev string) bundle.Bundle {
	t.Helper()
	b := bundle.Bundle{
		Manifest: bundle.Manifest{Revision: rev},
		Data:     map[string]any{},
		Modules:  []bundle.ModuleFile{{URL: "/acme/acme.rego", Path: "/acme/acme.rego", Raw: []byte(rule)}},
	}
	if mod, err := ast.ParseModuleWithOpts("/acme/acme.rego", rule, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}); err == nil {
		b.Modules[0].Parsed = mod
	}
	return b
}

// TestBundleServer: the first bundle makes the service ready; polling sends
// its ETag, a broken bundle is refused while the last good one serves, and a
// new good one is swapped in with its revision.
func TestBundleServer(t *testing.T) {
	bs := &reloadtest.BundleServer{}
	serveBundle(t, bs, orgBundle(t, goodRule(15), "r1"))
	srv := httptest.NewServer(bs)
	t.Cleanup(srv.Close)
	url := srv.URL + reloadtest.BundlePath
	h := reload.New(reload.Config{Bundle: &reload.BundleConfig{URL: url, MinDelay: time.Second, MaxDelay: time.Second}}, nil)
	if h.Ready() {
		t.Fatal("ready before the first bundle")
	}
	if _, err := h.Advise(context.Background(), parse(t, `{"multi_tenant":false}`), policy.English); !errors.Is(err, policy.ErrNotLoaded) {
		t.Errorf("advise before the first bundle: %v, want ErrNotLoaded", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	eventually(t, "the first bundle", h.Ready)
	first := h.PolicyStatus().Active
	if first.Revision != "r1" || first.Trigger != reload.TriggerBundle {
		t.Errorf("active = %+v", first)
	}
	if !strings.Contains(strings.Join(h.PolicyStatus().Origins, " "), url) {
		t.Errorf("origins %v lack %s", h.PolicyStatus().Origins, url)
	}
	eventually(t, "a poll answered 304", func() bool { return bs.NotModified.Load() > 0 })

	serveBundle(t, bs, orgBundle(t, brokenRule, "r2"))
	eventually(t, "the broken bundle to be refused", func() bool { return h.PolicyStatus().Failures > 0 })
	if s := h.PolicyStatus(); s.Active.Digest != first.Digest || !strings.Contains(s.LastError.Message, "acme.rego") {
		t.Errorf("after a broken bundle: active %+v, last error %+v", s.Active, s.LastError)
	}
	// SIGHUP reloads with the last good bundle, not the broken one.
	if err := h.Reload(context.Background(), reload.TriggerSIGHUP); err != nil {
		t.Errorf("reload after a broken bundle: %v", err)
	}

	serveBundle(t, bs, orgBundle(t, goodRule(30), "r3"))
	eventually(t, "the next good bundle", func() bool { return h.PolicyStatus().Active.Revision == "r3" })
}

// TestSignedBundles: with a verification key, a bundle signed by its
// private key loads and an unsigned one is refused.
func TestSignedBundles(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))

	for name, signed := range map[string]bool{"signed": true, "unsigned": false} {
		t.Run(name, func(t *testing.T) {
			b := orgBundle(t, goodRule(15), "s1")
			if signed {
				if err := b.GenerateSignature(bundle.NewSigningConfig(priv, "RS256", ""), "advise", false); err != nil {
					t.Fatal(err)
				}
			}
			bs := &reloadtest.BundleServer{}
			serveBundle(t, bs, b)
			srv := httptest.NewServer(bs)
			t.Cleanup(srv.Close)
			h := reload.New(reload.Config{Bundle: &reload.BundleConfig{URL: srv.URL + reloadtest.BundlePath, MinDelay: time.Second, MaxDelay: time.Second, VerificationKey: pub}}, nil)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- h.Run(ctx) }()
			t.Cleanup(func() { cancel(); <-done })
			if signed {
				eventually(t, "the signed bundle to load", h.Ready)
				return
			}
			eventually(t, "the unsigned bundle to be refused", func() bool { return h.PolicyStatus().Failures > 0 })
			if h.Ready() || !strings.Contains(h.PolicyStatus().LastError.Message, "signature") {
				t.Errorf("unsigned bundle: ready %v, last error %+v", h.Ready(), h.PolicyStatus().LastError)
			}
		})
	}
}

// TestReloadUnderLoad: 64 connections post workloads while the policy is
// reloaded 20 times, alternately good (each a new digest) and broken. No
// request fails, and every answer carries the digest of a good policy that
// was active while it was asked.
func TestReloadUnderLoad(t *testing.T) {
	dir := policyDir(t, goodRule(1))
	opts := policy.Options{Paths: []string{dir}}
	first := load(t, opts)
	h := reload.New(reload.Config{Policy: opts}, first)
	// What is tested is that a swap drops no request, not how long 64
	// callers queue for 2 cores: under the race detector, and with each
	// new engine's tables cold, queueing can pass the default 2 s
	// evaluation deadline, which would be answered evaluation-timeout.
	srv := httptest.NewServer(server.New(h, server.Options{MaxInFlight: 256, EvalTimeout: time.Minute}))
	t.Cleanup(srv.Close)

	digests := map[string]bool{first.Info().Digest: true} // every digest activated
	stop := make(chan struct{})
	var answered, failed atomic.Int64
	var seen sync.Map // every digest an answer carried
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	bodies := []string{
		`{"multi_tenant":false,"availability_target":99.95}`,
		`{"multi_tenant":true,"startup_sla_ms":500,"density":"high","scaling":"elastic"}`,
		`{"multi_tenant":false,"needs_windows":true}`,
	}
	for i := range 64 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post(srv.URL+"/advise", "application/json", strings.NewReader(bodies[(i+n)%len(bodies)]))
				if err != nil {
					if failed.Add(1) <= 3 {
						t.Log(err)
					}
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var a api.Answer
				if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &a) != nil {
					if failed.Add(1) <= 3 {
						t.Logf("status %d: %.300s", resp.StatusCode, body)
					}
					continue
				}
				answered.Add(1)
				seen.Store(a.Policy.Digest, true)
			}
		})
	}
	ctx := context.Background()
	for i := range 20 {
		rule := brokenRule
		if i%2 == 0 {
			rule = goodRule(i + 2)
		}
		writeRule(t, dir, rule)
		err := h.Reload(ctx, reload.TriggerSIGHUP)
		if (err == nil) != (i%2 == 0) {
			t.Errorf("reload %d: %v", i, err)
		}
		digests[h.Engine().Info().Digest] = true
	}
	close(stop)
	wg.Wait()
	s := h.PolicyStatus()
	t.Logf("%d answers, %d failed; %d policies activated, %d refused", answered.Load(), failed.Load(), s.Reloads, s.Failures)
	if failed.Load() != 0 {
		t.Errorf("%d requests failed", failed.Load())
	}
	if answered.Load() == 0 {
		t.Error("nothing was answered")
	}
	seen.Range(func(k, _ any) bool {
		if !digests[k.(string)] {
			t.Errorf("an answer carries digest %v, which no good policy has", k)
		}
		return true
	})
	if len(digests) != 11 {
		t.Errorf("%d digests activated, want 11", len(digests))
	}
	if s.Reloads != 11 || s.Failures != 10 {
		t.Errorf("reloads %d, failures %d; want 11 and 10", s.Reloads, s.Failures)
	}
}
