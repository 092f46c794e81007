package server_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/server"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := io.WriteString(zw, s); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestContentEncoding: a gzip body is decoded, capped at the body limit
// once decoded; a body that is not the gzip it says is 400; any other
// encoding is 415 saying what is accepted.
func TestContentEncoding(t *testing.T) {
	srv := start(t, engine, server.Options{})
	body := `{"multi_tenant":true,"startup_sla_ms":500}`
	cases := map[string]struct {
		encoding, body string
		status         int
		problem        string
	}{
		"gzip":                    {"gzip", gzipped(t, body), http.StatusOK, ""},
		"x-gzip, any case":        {"X-GZIP", gzipped(t, body), http.StatusOK, ""},
		"identity":                {"identity", body, http.StatusOK, ""},
		"a gzip bomb":             {"gzip", gzipped(t, `{"name":"`+strings.Repeat(" ", 1<<20)+`"}`), http.StatusRequestEntityTooLarge, "body-too-large"},
		"not gzip":                {"gzip", body, http.StatusBadRequest, "malformed-request"},
		"gzip cut short":          {"gzip", gzipped(t, body)[:20], http.StatusBadRequest, "malformed-request"},
		"brotli":                  {"br", body, http.StatusUnsupportedMediaType, "unsupported-media-type"},
		"an encoding of no name":  {"x-bogus", body, http.StatusUnsupportedMediaType, "unsupported-media-type"},
		"gzip then something":     {"gzip, br", gzipped(t, body), http.StatusUnsupportedMediaType, "unsupported-media-type"},
		"gzip of a bad workload":  {"gzip", gzipped(t, `{"multi_tenant":true,"density":"extreme"}`), http.StatusUnprocessableEntity, "invalid-request"},
		"gzip of trailing data":   {"gzip", gzipped(t, body+`{}`), http.StatusBadRequest, "malformed-request"},
		"gzip of an empty object": {"gzip", gzipped(t, `{}`), http.StatusUnprocessableEntity, "invalid-request"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			call := postJSON(c.body)
			call.header["Content-Encoding"] = c.encoding
			resp, got := call.do(t, srv)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, got)
			}
			if c.problem == "" {
				var a map[string]any
				if err := json.Unmarshal(got, &a); err != nil || a["recommendation"] == nil {
					t.Errorf("not an answer: %s", got)
				}
				return
			}
			if !strings.Contains(string(got), server.ProblemTypeBase+c.problem) {
				t.Errorf("body %s, want problem %s", got, c.problem)
			}
			if c.status == http.StatusUnsupportedMediaType && resp.Header.Get("Accept-Encoding") != "gzip" {
				t.Errorf("Accept-Encoding = %q, want gzip", resp.Header.Get("Accept-Encoding"))
			}
		})
	}
}

// TestTransferEncodingClosesTheConnection: a request framed by
// Transfer-Encoding, alone or beside a Content-Length, is answered on a
// connection the server then closes, so no second request can follow on
// framing a proxy may read otherwise; one framed by Content-Length keeps it.
func TestTransferEncodingClosesTheConnection(t *testing.T) {
	srv := start(t, engine, server.Options{})
	addr := strings.TrimPrefix(srv.URL, "http://")
	body := `{"multi_tenant":true}`
	chunk := func(s string) string { return strings.ToUpper(strconvHex(len(s))) + "\r\n" + s + "\r\n0\r\n\r\n" }
	cases := map[string]struct {
		request string
		closed  bool
	}{
		"content-length": {"POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body, false},
		"chunked":        {"POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(body), true},
		"both":           {"POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(body), true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, c.request); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(conn)
			resp, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.Close != c.closed {
				t.Errorf("status %d, Connection: close %v, want %v", resp.StatusCode, resp.Close, c.closed)
			}
			if c.closed {
				if _, err := r.ReadByte(); err != io.EOF {
					t.Errorf("the connection stays open after the answer (%v)", err)
				}
			}
		})
	}
}

func itoa(n int) string       { return strconv.Itoa(n) }
func strconvHex(n int) string { return strconv.FormatInt(int64(n), 16) }
