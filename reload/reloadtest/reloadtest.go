// Package reloadtest stands in for the bundle service the advisor's replicas
// poll: an HTTP handler serving one bundle with an ETag, and the build of a
// bundle from a policy directory as "opa build" makes it.
package reloadtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// BundlePath is where a BundleServer serves its bundle.
const BundlePath = "/bundles/org.tar.gz"

// BundleServer serves one bundle at BundlePath with an ETag, answering 304
// to a request that already has it, as a bundle service does. The zero
// value answers 404 until Set.
type BundleServer struct {
	mu   sync.Mutex
	body []byte
	etag string

	// Sent counts the bundles sent, NotModified the 304 answers.
	Sent, NotModified atomic.Int64
}

// Set replaces the bundle served with tarball; its ETag is its digest.
func (s *BundleServer) Set(tarball []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = tarball
	s.etag = fmt.Sprintf(`"%x"`, sha256.Sum256(tarball))
}

func (s *BundleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body, etag := s.body, s.etag
	s.mu.Unlock()
	if r.URL.Path != BundlePath || body == nil {
		http.NotFound(w, r)
		return
	}
	if matches(r.Header.Get("If-None-Match"), etag) {
		s.NotModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.Sent.Add(1)
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/gzip")
	_, _ = w.Write(body)
}

// matches says whether an If-None-Match list (RFC 9110 section 13.1.2)
// names etag.
func matches(ifNoneMatch, etag string) bool {
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		if tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/"); tag == etag || tag == "*" {
			return true
		}
	}
	return false
}

// Write is the tarball of b, as bundle.Writer writes it.
func Write(b bundle.Bundle) ([]byte, error) {
	var buf bytes.Buffer
	if err := bundle.NewWriter(&buf).Write(b); err != nil {
		return nil, fmt.Errorf("write bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// Build is the bundle "opa build --revision REV DIR" makes of the policy
// directory dir: OPA's compile package, which that command runs, with its
// defaults (target rego, Rego v1). When signing is not nil the bundle is
// signed as "opa build --signing-key" signs it, under key id keyID.
func Build(ctx context.Context, dir, revision string, signing *bundle.SigningConfig, keyID string) ([]byte, error) {
	var buf bytes.Buffer
	c := compile.New().
		WithPaths(dir).
		WithRevision(revision).
		WithRegoVersion(ast.RegoV1).
		WithRegoAnnotationEntrypoints(true).
		WithOutput(&buf)
	if signing != nil {
		c = c.WithBundleSigningConfig(signing).WithBundleVerificationKeyID(keyID)
	}
	if err := c.Build(ctx); err != nil {
		return nil, fmt.Errorf("opa build %s: %w", dir, err)
	}
	return buf.Bytes(), nil
}
