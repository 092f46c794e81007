package server_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	advise "github.com/placement-advisor/advise"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

func TestHealthAndReadiness(t *testing.T) {
	srv := start(t, engine, server.Options{})
	tests := map[string]struct {
		path string
		want server.Health
	}{
		"healthz": {path: "/healthz", want: server.Health{Status: "ok"}},
		"readyz":  {path: "/readyz", want: server.Health{Status: "ready", Policy: new(engine.Info())}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resp, body := call{path: tc.path}.do(t, srv)
			if resp.StatusCode != http.StatusOK || mediaType(t, resp) != "application/json" {
				t.Fatalf("%d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			var got server.Health
			decodeStrict(t, body, &got)
			if got.Status != tc.want.Status || (tc.want.Policy == nil) != (got.Policy == nil) ||
				(got.Policy != nil && *got.Policy != *tc.want.Policy) {
				t.Errorf("got %s, want %+v", body, tc.want)
			}
		})
	}
}

func TestSources(t *testing.T) {
	srv := start(t, engine, server.Options{})
	resp, body := call{path: "/v1/sources"}.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got server.SourceList
	decodeStrict(t, body, &got)
	if len(got.Sources) != 5 {
		t.Fatalf("%d sources, want 5: %s", len(got.Sources), body)
	}
	for _, s := range got.Sources {
		if s.Title == "" || s.Site == "" || (s.Language != "en" && s.Language != "zh") {
			t.Errorf("incomplete source %+v", s)
		}
	}
	if !slices.IsSortedFunc(got.Sources, func(a, b policy.Source) int { return strings.Compare(a.File, b.File) }) {
		t.Error("sources are not sorted by file name")
	}
}

func TestRules(t *testing.T) {
	srv := start(t, engine, server.Options{})
	resp, body := call{path: "/v1/rules"}.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got server.RuleList
	decodeStrict(t, body, &got)
	if len(got.Rules) != len(engine.Rules()) || len(got.Rules) == 0 {
		t.Fatalf("%d rules served, the engine has %d", len(got.Rules), len(engine.Rules()))
	}
	titles := map[string]string{}
	for _, s := range engine.Sources() {
		titles[s.File] = s.Title
	}
	seen := map[string]bool{}
	kinds := map[string]int{}
	for _, r := range got.Rules {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		kinds[r.Kind]++
		if r.Title == "" || r.Package == "" {
			t.Errorf("rule %s lacks a title or package", r.ID)
		}
		if len(r.Citations) == 0 {
			t.Errorf("rule %s cites nothing", r.ID)
		}
		for _, c := range r.Citations {
			if title, ok := titles[c.Source]; !ok || c.Title != title || c.Locator == "" {
				t.Errorf("rule %s: citation %+v does not match the catalog", r.ID, c)
			}
		}
	}
	for _, kind := range []string{"need", "preference", "warning", "statement"} {
		if kinds[kind] == 0 {
			t.Errorf("no rule of kind %s", kind)
		}
	}
	placements := engine.Placements()
	if len(got.Placements) != len(placements) {
		t.Fatalf("%d placements served, the engine has %d", len(got.Placements), len(placements))
	}
	for i, p := range got.Placements {
		if p.ID != placements[i].ID || p.Title == "" || p.Recommendation == "" || p.Package == "" {
			t.Errorf("placement %d = %+v, want %s with a title, recommendation and package", i, p, placements[i].ID)
		}
	}
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	srv := start(t, engine, server.Options{})
	resp, body := call{path: "/openapi.yaml"}.do(t, srv)
	if resp.StatusCode != http.StatusOK || mediaType(t, resp) != server.MIMEYAML {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	onDisk, err := os.ReadFile(filepath.Join("..", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, onDisk) || !bytes.Equal(body, advise.OpenAPI) {
		t.Error("served document differs from openapi.yaml")
	}
}
