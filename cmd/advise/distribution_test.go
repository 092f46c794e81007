package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/reload/reloadtest"
)

// TestReplicasConvergeOnOneBundleService is a fleet without Kubernetes:
// two "advise serve" processes on loopback ports poll one bundle service,
// which serves signed "opa build" bundles of the worked organisation's
// policy (reloadtest.Build: OPA's compile package, which "opa build" runs,
// so the tarball is the command's without a subprocess). After each new
// revision both replicas report it in GET /v1/policy and stamp their answers
// with one digest; polls of an unchanged bundle are answered 304 from its
// ETag; a bundle the advisor refuses and one signed with another key leave
// both serving the last good digest, with the error shown; the next good
// bundle is picked up by both.
func TestReplicasConvergeOnOneBundleService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two replicas")
	}
	dir := t.TempDir()
	org := filepath.Join(dir, "org-policy")
	if err := os.CopyFS(org, os.DirFS("../../examples/org-policy")); err != nil {
		t.Fatal(err)
	}
	rule := filepath.Join(org, "acme.rego")
	original, err := os.ReadFile(rule)
	if err != nil {
		t.Fatal(err)
	}
	signing, pubFile := signingKey(t, dir, "org")
	other, _ := signingKey(t, dir, "other")

	bs := &reloadtest.BundleServer{}
	// publish builds the organisation's policy, with edit applied to
	// acme.rego, as revision rev signed by key, and serves it.
	publish := func(rev string, key *bundle.SigningConfig, edit func(string) string) {
		t.Helper()
		if err := os.WriteFile(rule, []byte(edit(string(original))), 0o600); err != nil {
			t.Fatal(err)
		}
		tarball, err := reloadtest.Build(t.Context(), org, rev, key, "advise")
		if err != nil {
			t.Fatal(err)
		}
		bs.Set(tarball)
	}
	weight := func(w string) func(string) string {
		return func(s string) string { return strings.Replace(s, "weight: 15", "weight: "+w, 1) }
	}
	publish("r1", signing, weight("15"))
	service := httptest.NewServer(bs)
	t.Cleanup(service.Close)

	// A replica polls every poll to 2·poll (--bundle-poll sets OPA's
	// min_delay_seconds, and twice it the max). bound, fifteen of the
	// longest polls, is how long the replicas may take to agree: a bound
	// on correctness that a loaded CI machine meets, not a measure of speed.
	const poll = time.Second
	bound := 15 * 2 * poll
	bin := buildBinary(t)
	var bases []string
	for range 2 {
		addr := freeAddr(t)
		s := startBinary(t, bin, "--addr", addr, "--bundle-url", service.URL+reloadtest.BundlePath,
			"--bundle-poll", poll.String(), "--verification-key", pubFile)
		waitHealthy(t, "http://"+addr, s.exited, s.stderr)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("replica %s:\n%s", addr, s.stderr.String())
			}
		})
		bases = append(bases, "http://"+addr)
	}

	// converge waits until every replica's status satisfies cond and
	// returns the statuses, having checked that each replica's answers
	// carry its active digest.
	converge := func(what string, cond func(api.PolicyStatus) bool) []api.PolicyStatus {
		t.Helper()
		started := time.Now()
		statuses := make([]api.PolicyStatus, len(bases))
		for deadline := started.Add(bound); ; time.Sleep(50 * time.Millisecond) {
			agreed := true
			for i, base := range bases {
				statuses[i] = api.PolicyStatus{}
				getJSON(t, base+"/v1/policy", &statuses[i])
				agreed = agreed && cond(statuses[i])
			}
			if agreed {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the replicas did not agree within %s: %s\n%+v", bound, what, statuses)
			}
		}
		t.Logf("%s: %s", what, time.Since(started).Round(10*time.Millisecond))
		for i, base := range bases {
			var a api.Answer
			postAdvise(t, base, `{"multi_tenant":false,"availability_target":99.95}`, &a)
			if a.Policy.Digest != statuses[i].Active.Digest {
				t.Errorf("%s answered with %s, its /v1/policy shows %s", base, a.Policy.Digest, statuses[i].Active.Digest)
			}
		}
		return statuses
	}
	revision := func(rev string) func(api.PolicyStatus) bool {
		return func(s api.PolicyStatus) bool { return s.Active != nil && s.Active.Revision == rev }
	}
	sameDigest := func(what string, statuses []api.PolicyStatus) string {
		t.Helper()
		for _, s := range statuses[1:] {
			if s.Active.Digest != statuses[0].Active.Digest {
				t.Fatalf("%s: the replicas serve %s and %s", what, statuses[0].Active.Digest, s.Active.Digest)
			}
		}
		return statuses[0].Active.Digest
	}

	// settled waits until the replicas have polled twice each since the
	// last bundle, every poll answered 304 from its ETag, and checks that
	// the bundle service sent sent bundles in all.
	settled := func(sent int64) {
		t.Helper()
		from := bs.NotModified.Load()
		for deadline := time.Now().Add(bound); bs.NotModified.Load() < from+4; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d polls answered 304 within %s, want 4", bs.NotModified.Load()-from, bound)
			}
		}
		if n := bs.Sent.Load(); n != sent {
			t.Errorf("the bundle service sent %d bundles, want %d: one of each revision to each replica", n, sent)
		}
	}

	first := sameDigest("r1", converge("both serve r1", revision("r1")))
	settled(2)
	publish("r2", signing, weight("20"))
	good := sameDigest("r2", converge("both serve r2", revision("r2")))
	if good == first {
		t.Fatal("r2 has the digest of r1")
	}

	// A bundle that "opa build" accepts but the advisor refuses: the rule
	// cites a source the organisation's catalog lacks.
	publish("r3", signing, func(s string) string { return strings.Replace(s, "source: acme-arc-9", "source: acme-arc-10", 1) })
	refusedWith := func(want string) func(api.PolicyStatus) bool {
		return func(s api.PolicyStatus) bool {
			return s.LastError != nil && strings.Contains(s.LastError.Message, want)
		}
	}
	for _, s := range converge("both refuse r3", refusedWith("acme-arc-10")) {
		if s.Active.Digest != good || s.Active.Revision != "r2" || s.LastError.Trigger != "bundle" {
			t.Errorf("after r3: active %+v, last error %+v; want r2 (%s) serving", s.Active, s.LastError, good)
		}
	}
	// The refused bundle is not fetched, nor refused, again: its ETag
	// stands until the service has a new one.
	settled(6)
	for _, base := range bases {
		var s api.PolicyStatus
		getJSON(t, base+"/v1/policy", &s)
		if s.Failures != 1 {
			t.Errorf("%s refused %d updates, want 1 (r3, once)", base, s.Failures)
		}
	}

	// A good policy signed with a key the replicas do not trust.
	publish("r4", other, weight("25"))
	for _, s := range converge("both refuse r4", refusedWith("signature")) {
		if s.Active.Digest != good || s.Active.Revision != "r2" {
			t.Errorf("after r4: active %+v, last error %+v; want r2 (%s) serving", s.Active, s.LastError, good)
		}
	}

	publish("r5", signing, weight("25"))
	if next := sameDigest("r5", converge("both serve r5", revision("r5"))); next == good {
		t.Error("r5 has the digest of r2")
	}
}

// signingKey makes an RSA key pair: the signing config of its private key,
// and a file holding its public key for --verification-key.
func signingKey(t *testing.T, dir, name string) (*bundle.SigningConfig, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := filepath.Join(dir, name+".pem")
	if err := os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return bundle.NewSigningConfig(string(priv), "RS256", ""), pub
}
