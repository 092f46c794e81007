package web_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

var update = flag.Bool("update", false, "rewrite the golden pages and docs/page-desktop.png")

// engine is compiled once for the package: compiling is the slow part and
// the engine is safe for concurrent use.
var engine *policy.Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = policy.New(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "compile policy:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// testToken is a bearer token for the servers that require one.
const testToken = "page-test-token-0123456789"

// start serves the real engine over HTTP for the length of the test.
func start(t *testing.T, opts server.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(server.New(engine, opts))
	t.Cleanup(srv.Close)
	return srv
}

// fetch sends one request and returns the response and its body.
func fetch(t *testing.T, method, target string, header http.Header, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// form is a posted page form.
func form(values url.Values) (http.Header, string) {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, values.Encode()
}
