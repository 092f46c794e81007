package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/server"
)

// malformedCase is one file of testdata/malformed: a request the server must
// refuse, and how. testdata/malformed/README.md describes the fields.
type malformedCase struct {
	Description string            `json:"description"`
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	ContentType *string           `json:"content_type"`
	Headers     map[string]string `json:"headers"`
	Body        string            `json:"body"`
	BodyBase64  string            `json:"body_base64"`
	Expand      map[string]struct {
		Text  string `json:"text"`
		Count int    `json:"count"`
	} `json:"expand"`
	Chunked bool `json:"chunked"`
	Server  struct {
		Token string `json:"token"`
	} `json:"server"`
	WantStatus            int               `json:"want_status"`
	WantType              string            `json:"want_type"`
	WantFields            []string          `json:"want_fields"`
	WantHeaders           map[string]string `json:"want_headers"`
	OpenAPIAcceptsRequest bool              `json:"openapi_accepts_request"`
	OpenAPINote           string            `json:"openapi_note"`
}

// malformedCorpus reads every case of testdata/malformed, keyed by file name
// without the extension.
func malformedCorpus(t testing.TB) map[string]malformedCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "malformed", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	cases := make(map[string]malformedCase, len(files))
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var mc malformedCase
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&mc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if mc.Description == "" || mc.WantStatus < 400 || mc.WantStatus > 499 || mc.WantType == "" {
			t.Fatalf("%s: a case needs a description, a 4xx want_status and a want_type", f)
		}
		if mc.OpenAPIAcceptsRequest && mc.OpenAPINote == "" {
			t.Fatalf("%s: say in openapi_note why the document cannot reject this request", f)
		}
		cases[strings.TrimSuffix(filepath.Base(f), ".json")] = mc
	}
	return cases
}

// body returns the bytes the case sends, placeholders expanded.
func (mc malformedCase) body(t testing.TB) []byte {
	t.Helper()
	if mc.BodyBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(mc.BodyBase64)
		if err != nil {
			t.Fatalf("body_base64: %v", err)
		}
		return b
	}
	body := mc.Body
	for placeholder, e := range mc.Expand {
		if !strings.Contains(body, placeholder) {
			t.Fatalf("expand: %q is not in the body", placeholder)
		}
		body = strings.ReplaceAll(body, placeholder, strings.Repeat(e.Text, e.Count))
	}
	return []byte(body)
}

// call turns the case into the request the tests send.
func (mc malformedCase) call(t testing.TB) call {
	t.Helper()
	c := call{method: mc.Method, path: mc.Path, header: map[string]string{}, body: string(mc.body(t)), chunked: mc.Chunked}
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.path == "" {
		c.path = "/advise"
	}
	switch {
	case mc.ContentType == nil:
		c.header["Content-Type"] = "application/json"
	case mc.ContentType != nil && *mc.ContentType != "":
		c.header["Content-Type"] = *mc.ContentType
	}
	for k, v := range mc.Headers {
		c.header[k] = v
	}
	return c
}

// options are the server options the case runs under.
func (mc malformedCase) options() server.Options {
	return server.Options{Token: mc.Server.Token}
}

// TestMalformedCorpus sends every case of testdata/malformed and checks the
// refusal: its status, that it is a problem document of the right type with
// the request id, which fields it names, the headers it must carry, and that
// nothing of the server's insides leaks into it.
func TestMalformedCorpus(t *testing.T) {
	corpus := malformedCorpus(t)
	if len(corpus) < 40 {
		t.Fatalf("the corpus has %d cases, want at least 40", len(corpus))
	}
	servers := map[string]string{} // token → base URL
	url := func(opts server.Options) string {
		if u, ok := servers[opts.Token]; ok {
			return u
		}
		servers[opts.Token] = start(t, engine, opts).URL
		return servers[opts.Token]
	}
	for name, mc := range corpus {
		t.Run(name, func(t *testing.T) {
			c := mc.call(t)
			resp, body := send(t, c.request(t, url(mc.options())))
			if resp.StatusCode >= 500 {
				t.Fatalf("a caller's mistake got %d: %s", resp.StatusCode, body)
			}
			p := checkProblem(t, resp, body, mc.WantStatus, mc.WantType)
			got := fieldsOf(p)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(mc.WantFields))
			if !slices.Equal(got, want) {
				t.Errorf("errors[] = %v, want %v", got, want)
			}
			for k, v := range mc.WantHeaders {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if resp.StatusCode == http.StatusMethodNotAllowed && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
			checkSecureHeaders(t, resp)
			checkNoInternals(t, body)
		})
	}
}

// checkSecureHeaders asserts the headers every response carries.
func checkSecureHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	for k, v := range map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "no-referrer",
		"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// checkNoInternals fails when a response body shows anything of how the
// server is built: Go types, source files, stack frames, Rego.
func checkNoInternals(t *testing.T, body []byte) {
	t.Helper()
	for _, leak := range []string{"goroutine", ".go:", "runtime.", "panic", "*api.", "*string", "*bool", "int64", "float64", "json:", "reflect", ".rego", "data.advise"} {
		if bytes.Contains(body, []byte(leak)) {
			t.Errorf("the response leaks %q: %s", leak, body)
		}
	}
}
