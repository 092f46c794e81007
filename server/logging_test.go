package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/server"
	"github.com/placement-advisor/advise/server/servertest"
)

// Markers planted in request bodies: none may reach the log unless the
// operator asked for inputs to be logged.
const (
	secretName  = "payroll-for-acme-secret-project"
	secretField = "colour_of_the_secret_door"
)

// loggedServer serves the engine with a JSON logger and returns the log.
func loggedServer(t *testing.T, opts server.Options) (*servertest.LockedBuffer, func(call) (*http.Response, []byte)) {
	t.Helper()
	var log servertest.LockedBuffer
	opts.Logger = slog.New(slog.NewJSONHandler(&log, nil))
	srv := start(t, engine, opts)
	return &log, func(c call) (*http.Response, []byte) { return c.do(t, srv) }
}

func TestLogLines(t *testing.T) {
	log, do := loggedServer(t, server.Options{})
	calls := []call{
		postJSON(`{"name":"` + secretName + `","multi_tenant":true,"startup_sla_ms":400}`),
		postJSON(`{"name":"` + secretName + `","multi_tenant":true,"` + secretField + `":1}`),
		postJSON(`{"name":"` + secretName + `","multi_tenant":false,"tenants_trusted":true}`),
		postJSON(`{"name":"` + secretName + `","multi_tenant":`),
		{path: "/healthz"},
		{path: "/v1/rules?lang=" + secretName},
		{path: "/nowhere"},
		{method: http.MethodDelete, path: "/advise"},
	}
	ids := map[string]int{} // request id → status the client saw
	var answer api.Answer
	for _, c := range calls {
		resp, body := do(c)
		ids[resp.Header.Get("X-Request-ID")] = resp.StatusCode
		if resp.StatusCode == http.StatusOK && c.path == "/advise" {
			decodeStrict(t, body, &answer)
		}
	}
	logged := log.String()
	for _, secret := range []string{secretName, secretField, "startup_sla_ms", "tenants_trusted"} {
		if strings.Contains(logged, secret) {
			t.Errorf("the log holds %q from a request:\n%s", secret, logged)
		}
	}

	access := map[string]map[string]any{}
	var decisions []map[string]any
	for _, l := range logLines(t, logged) {
		switch l["msg"] {
		case "request":
			id, _ := l["request_id"].(string)
			if _, dup := access[id]; dup {
				t.Errorf("two access lines for request %s", id)
			}
			access[id] = l
		case "decision":
			decisions = append(decisions, l)
		}
	}
	if len(access) != len(calls) {
		t.Errorf("%d access lines for %d requests", len(access), len(calls))
	}
	for id, status := range ids {
		l, ok := access[id]
		if !ok {
			t.Errorf("no access line for request %s", id)
			continue
		}
		if l["status"] != float64(status) {
			t.Errorf("access line of %s: status %v, the client saw %d", id, l["status"], status)
		}
		for _, field := range []string{"method", "path", "remote"} {
			if s, _ := l[field].(string); s == "" {
				t.Errorf("access line of %s lacks %s: %v", id, field, l)
			}
		}
		for _, field := range []string{"bytes", "duration_ms"} {
			if _, ok := l[field].(float64); !ok {
				t.Errorf("access line of %s lacks the number %s: %v", id, field, l)
			}
		}
	}

	if len(decisions) != 1 {
		t.Fatalf("%d decision lines, want 1 for the one answer", len(decisions))
	}
	d := decisions[0]
	if status, ok := ids[d["request_id"].(string)]; !ok || status != http.StatusOK {
		t.Errorf("the decision line's request_id %v is not the answered request", d["request_id"])
	}
	canonical, err := json.Marshal(answer.Input)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(canonical)
	want := map[string]any{
		"input_digest":   "sha256:" + hex.EncodeToString(sum[:]),
		"recommendation": answer.Recommendation,
		"hybrid_pattern": answer.HybridPattern,
		"confidence":     answer.Confidence,
		"policy_digest":  answer.Policy.Digest,
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("decision %s = %v, want %v", k, d[k], v)
		}
	}
	if _, ok := d["duration_ms"].(float64); !ok {
		t.Errorf("decision line lacks duration_ms: %v", d)
	}
	if _, ok := d["input"]; ok {
		t.Errorf("the decision line holds the input without LogInputs: %v", d)
	}
}

func TestLogInputs(t *testing.T) {
	log, do := loggedServer(t, server.Options{LogInputs: true})
	resp, body := do(postJSON(`{"name":"` + secretName + `","multi_tenant":true}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var decision map[string]any
	for _, l := range logLines(t, log.String()) {
		if l["msg"] == "decision" {
			decision = l
		}
	}
	input, ok := decision["input"].(map[string]any)
	if !ok {
		t.Fatalf("with LogInputs the decision line must hold the input: %v", decision)
	}
	density, _ := api.FieldIndex("density")
	if input["name"] != secretName || input["multi_tenant"] != true || input["density"] != api.Fields()[density].Default {
		t.Errorf("logged input %v, want the resolved workload", input)
	}
}

// TestInputDigest checks that the digest identifies what an input means: the
// same for a default left out or spelled out, different for another input.
func TestInputDigest(t *testing.T) {
	resolve := func(body string) api.Workload {
		req, err := api.NewValidator().Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		w, _ := req.Resolve()
		return w
	}
	implicit := server.InputDigest(resolve(`{"multi_tenant":true}`))
	explicit := server.InputDigest(resolve(`{"density":"medium","multi_tenant":true,"host_os":"linux"}`))
	other := server.InputDigest(resolve(`{"multi_tenant":false}`))
	if implicit != explicit {
		t.Errorf("defaults spelled out change the digest: %s vs %s", implicit, explicit)
	}
	if implicit == other {
		t.Error("different inputs share a digest")
	}
	if !strings.HasPrefix(implicit, "sha256:") || len(implicit) != len("sha256:")+64 {
		t.Errorf("digest %q is not sha256:<64 hex>", implicit)
	}
	// The digest is documented as the SHA-256 of the resolved workload's
	// JSON: digests already in logs must stay comparable.
	w := resolve(`{"name":"x<y","multi_tenant":true,"startup_sla_ms":500,"availability_target":99.95,"instances":3}`)
	raw, _ := json.Marshal(w)
	if got, want := server.InputDigest(w), fmt.Sprintf("sha256:%x", sha256.Sum256(raw)); got != want {
		t.Errorf("InputDigest = %s, want the SHA-256 of %s, %s", got, raw, want)
	}
}

// TestPanicIsLoggedAndSurvived checks the log side of a panic: an error line
// with the request id and the cause, the access line with the 500, and a
// server that goes on answering.
func TestPanicIsLoggedAndSurvived(t *testing.T) {
	var log servertest.LockedBuffer
	srv := start(t, panics, server.Options{Logger: slog.New(slog.NewJSONHandler(&log, nil))})
	for range 3 {
		resp, body := postJSON(`{"multi_tenant":true}`).do(t, srv)
		p := checkProblem(t, resp, body, http.StatusInternalServerError, "internal-error")
		checkNoInternals(t, body)
		var failed, accessed bool
		for _, l := range logLines(t, log.String()) {
			if l["request_id"] != p.RequestID {
				continue
			}
			switch l["msg"] {
			case "request failed":
				failed = l["level"] == "ERROR" && strings.Contains(l["error"].(string), secret) && strings.Contains(l["error"].(string), "goroutine")
			case "request":
				accessed = l["status"] == float64(http.StatusInternalServerError)
			}
		}
		if !failed || !accessed {
			t.Errorf("request %s: error line with cause and stack %v, access line with 500 %v; log:\n%s", p.RequestID, failed, accessed, log.String())
		}
		if resp, _ := (call{path: "/healthz"}).do(t, srv); resp.StatusCode != http.StatusOK {
			t.Fatalf("healthz after a panic: %d", resp.StatusCode)
		}
	}
}
