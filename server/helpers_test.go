package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

// engine is compiled once for the whole package: compiling is the slow part
// and the engine is safe for concurrent use.
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

// start serves advisor over real HTTP for the length of the test.
func start(t *testing.T, advisor server.Advisor, opts server.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(server.New(advisor, opts))
	t.Cleanup(srv.Close)
	return srv
}

// call is one HTTP request a test sends.
type call struct {
	method string
	path   string // with the query, if any
	header map[string]string
	body   string
	// chunked sends the body with no Content-Length, in chunks.
	chunked bool
}

// postJSON is a POST /advise of body as application/json.
func postJSON(body string) call {
	return call{method: http.MethodPost, path: "/advise", header: map[string]string{"Content-Type": "application/json"}, body: body}
}

func (c call) request(t *testing.T, baseURL string) *http.Request {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
		if c.chunked {
			body = onlyReader{body}
		}
	}
	req, err := http.NewRequestWithContext(t.Context(), method, baseURL+c.path, body)
	if err != nil {
		t.Fatalf("build request: %v", err)
	}
	if c.chunked {
		req.ContentLength = -1
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp, body
}

func (c call) do(t *testing.T, srv *httptest.Server) (*http.Response, []byte) {
	t.Helper()
	return send(t, c.request(t, srv.URL))
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "requests", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mediaType(t *testing.T, resp *http.Response) string {
	t.Helper()
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
	}
	return mt
}

// decodeStrict unmarshals body into v, failing on fields v does not have.
func decodeStrict(t *testing.T, body []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %T: %v\nbody: %s", v, err, body)
	}
}

var sane = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// checkProblem asserts that a response is an RFC 9457 problem of the given
// status and type slug, for the path it was sent to, and returns it.
func checkProblem(t *testing.T, resp *http.Response, body []byte, status int, slug string) server.Problem {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; body: %s", resp.StatusCode, status, body)
	}
	if mt := mediaType(t, resp); mt != server.MIMEProblemJSON {
		t.Fatalf("Content-Type = %q, want %s", mt, server.MIMEProblemJSON)
	}
	var p server.Problem
	decodeStrict(t, body, &p)
	if want := server.ProblemTypeBase + slug; p.Type != want {
		t.Errorf("type = %q, want %q", p.Type, want)
	}
	if p.Status != status {
		t.Errorf("problem status = %d, want %d", p.Status, status)
	}
	if p.Title == "" || p.Detail == "" {
		t.Errorf("title %q and detail %q must both be set", p.Title, p.Detail)
	}
	if p.Instance != resp.Request.URL.Path {
		t.Errorf("instance = %q, want %q", p.Instance, resp.Request.URL.Path)
	}
	id := resp.Header.Get("X-Request-ID")
	if !sane.MatchString(id) || p.RequestID != id {
		t.Errorf("request_id = %q, X-Request-ID = %q: want the same sane id", p.RequestID, id)
	}
	for _, fe := range p.Errors {
		if fe.Field == "" || fe.Rule == "" || fe.Message == "" {
			t.Errorf("errors[] entry %+v has an empty member", fe)
		}
	}
	return p
}

// fieldsOf lists the fields a problem names, in order.
func fieldsOf(p server.Problem) []string {
	out := make([]string, len(p.Errors))
	for i, fe := range p.Errors {
		out[i] = fe.Field + "/" + fe.Rule
	}
	return out
}
