package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
	"github.com/placement-advisor/advise/server"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// result is what one run of the command produced.
type result struct {
	err    error
	code   int
	stdout string
	stderr string
}

func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), stdin, args...)
}

func runCLIContext(t *testing.T, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(ctx, args, strings.NewReader(stdin), &stdout, &stderr)
	return result{err: err, code: exitCode(err), stdout: stdout.String(), stderr: stderr.String()}
}

func testEngine(t *testing.T) *policy.Engine {
	t.Helper()
	engine, err := policy.New(context.Background())
	if err != nil {
		t.Fatalf("load policy: %v", err)
	}
	return engine
}

// digestPattern matches the policy digest, which changes with every edit of
// the rules; golden files hold a placeholder so they only change when the
// advice itself does. TestPolicyLine checks the real digest.
var digestPattern = regexp.MustCompile(`sha256:[0-9a-f]{64}`)

const digestPlaceholder = "sha256:<digest>"

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	got = digestPattern.ReplaceAllString(got, digestPlaceholder)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/advise/ -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update if the change is intended)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestHelp(t *testing.T) {
	tests := map[string]struct {
		args []string
		want []string
	}{
		"--help":           {[]string{"--help"}, []string{"Usage:", "--server URL", "--output FORMAT", "markdown", "--expect OPTION", "3  advice was given", "--lang en|zh", "ADVISE_ADDR", "Exit status:", "Examples:", "advise serve"}},
		"-h":               {[]string{"-h"}, []string{"Usage:", "Exit status:"}},
		"help":             {[]string{"help"}, []string{"Usage:", "Exit status:"}},
		"help after file":  {[]string{"testdata/vm.json", "--help"}, []string{"Usage:"}},
		"help serve":       {[]string{"help", "serve"}, []string{"advise serve", "--addr HOST:PORT", "--body-limit", "--eval-timeout", "--grace", "ADVISE_ADDR", "127.0.0.1:8080"}},
		"serve --help":     {[]string{"serve", "--help"}, []string{"advise serve", "--addr HOST:PORT", "SIGTERM"}},
		"serve -h":         {[]string{"serve", "-h"}, []string{"--eval-timeout"}},
		"exit codes":       {[]string{"help"}, []string{"0  advice was given", "2  bad input", "1  anything else", "cannot be read"}},
		"local and remote": {[]string{"help"}, []string{"local (default)", "--server URL"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != exitOK || r.err != nil {
				t.Fatalf("exit %d, err %v, want 0", r.code, r.err)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q, want empty", r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("help does not mention %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"no file":            {nil, "no workload file given"},
		"unknown flag":       {[]string{"--colour", "testdata/vm.json"}, "flag provided but not defined: -colour"},
		"stdin twice":        {[]string{"-", "-"}, "standard input (-) can be read only once"},
		"bad output":         {[]string{"--output", "xml", "testdata/vm.json"}, `--output must be one of text, json, yaml, markdown, csv, not "xml"`},
		"bad expect":         {[]string{"--expect", "bare-metal", "testdata/vm.json"}, `--expect must be vm, container or hybrid, not "bare-metal"`},
		"bad lang":           {[]string{"--lang", "fr", "testdata/vm.json"}, `--lang must be en or zh, not "fr"`},
		"flag without value": {[]string{"testdata/vm.json", "--output"}, "flag needs an argument: -output"},
		"server not a URL":   {[]string{"--server", "localhost:8080", "testdata/vm.json"}, "--server must be an http:// or https:// URL"},
		"serve stray arg":    {[]string{"serve", "extra"}, `serve takes no arguments, got "extra"`},
		"serve unknown flag": {[]string{"serve", "--port", "80"}, "flag provided but not defined: -port"},
		"serve bad duration": {[]string{"serve", "--eval-timeout", "soon"}, `invalid value "soon" for flag -eval-timeout`},
		"serve zero timeout": {[]string{"serve", "--eval-timeout", "0s"}, "--eval-timeout must be a positive duration"},
		"serve long timeout": {[]string{"serve", "--eval-timeout", "1h"}, "--eval-timeout must be shorter than the server's"},
		"serve bad limit":    {[]string{"serve", "--body-limit", "-1"}, "--body-limit must be a positive number of bytes"},
		"serve zero grace":   {[]string{"serve", "--grace", "0s"}, "--grace must be a positive duration"},
		"serve empty addr":   {[]string{"serve", "--addr", ""}, "--addr must not be empty"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", tc.args...)
			if r.code != exitBadInput {
				t.Fatalf("exit %d (err %v), want 2", r.code, r.err)
			}
			if !errors.Is(r.err, errUsage) {
				t.Errorf("err = %v, want a usage error", r.err)
			}
			if !strings.HasPrefix(r.stderr, "advise: ") || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to start with advise: and contain %q", r.stderr, tc.want)
			}
			if !strings.Contains(r.stderr, "Run 'advise --help' for usage.") {
				t.Errorf("stderr = %q, want a pointer to the help", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want empty", r.stdout)
			}
		})
	}
}

func TestBadWorkload(t *testing.T) {
	tests := map[string]struct {
		args  []string
		stdin string
		is    error
		want  []string // each must appear in stderr
	}{
		"missing file": {
			args: []string{"testdata/no-such-file.json"},
			is:   errBadInput,
			want: []string{"advise: cannot read workload: open testdata/no-such-file.json"},
		},
		"directory": {
			args: []string{"testdata"},
			is:   errBadInput,
			want: []string{"advise: cannot read workload: testdata is a directory"},
		},
		"empty file": {
			args: []string{"testdata/empty.json"},
			is:   api.ErrDecode,
			want: []string{"advise: testdata/empty.json is not a valid workload: it is empty"},
		},
		"truncated JSON": {
			args: []string{"testdata/truncated.json"},
			is:   api.ErrDecode,
			want: []string{"advise: testdata/truncated.json is not a valid workload:", "ends before the JSON object is complete"},
		},
		"unknown field": {
			args: []string{"testdata/unknown_field.json"},
			is:   api.ErrDecode,
			want: []string{"advise: testdata/unknown_field.json is not a valid workload: field gpu: unknown field"},
		},
		"wrong type": {
			args: []string{"testdata/wrong_type.json"},
			is:   api.ErrDecode,
			want: []string{"field multi_tenant: must be a boolean"},
		},
		"invalid values, one line per field": {
			args: []string{"testdata/invalid.json"},
			is:   api.ErrInvalid,
			want: []string{
				"advise: testdata/invalid.json is not a valid workload:\n",
				"\n  isolation: must be one of: standard, strict, hardware\n",
				"\n  instances: must be at least 1\n",
				"\n  tenants_trusted: can only be true when multi_tenant is true",
			},
		},
		"missing multi_tenant on stdin": {
			args:  []string{"-"},
			stdin: `{"name": "x"}`,
			is:    api.ErrInvalid,
			want:  []string{"advise: stdin is not a valid workload:\n  multi_tenant: is required\n"},
		},
		"not an object on stdin": {
			args:  []string{"-"},
			stdin: `42`,
			is:    api.ErrDecode,
			want:  []string{"advise: stdin is not a valid workload: request body must be a JSON object"},
		},
		"YAML duplicate key": {
			args: []string{"testdata/duplicate.yaml"},
			is:   api.ErrDecode,
			want: []string{"advise: testdata/duplicate.yaml is not a valid workload: field multi_tenant: YAML document 1", `"multi_tenant" already defined`},
		},
		"YAML wrong type": {
			args:  []string{"-"},
			stdin: "multi_tenant: yes\n",
			is:    api.ErrDecode,
			want:  []string{"field multi_tenant: must be a boolean, got a string"},
		},
		"too large": {
			args:  []string{"-"},
			stdin: `{"name": "` + strings.Repeat("x", maxInputBytes) + `"}`,
			is:    errBadInput,
			want:  []string{fmt.Sprintf("advise: cannot read workload: stdin is larger than %d bytes", maxInputBytes)},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, tc.args...)
			if r.code != exitBadInput {
				t.Fatalf("exit %d (err %v), want 2", r.code, r.err)
			}
			if !errors.Is(r.err, tc.is) {
				t.Errorf("err = %v, want it to match %v", r.err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "Run 'advise --help'") {
				t.Errorf("stderr points at the help for a workload mistake:\n%s", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want empty", r.stdout)
			}
		})
	}
}

// fixtures are the workloads with golden output and the option each must get.
var fixtures = map[string]struct {
	recommendation string
	pattern        string
}{
	"container": {api.RecommendContainer, ""},
	"vm":        {api.RecommendVM, ""},
	"hybrid":    {api.RecommendHybrid, api.PatternOrchestratorInVMs},
}

func TestTextOutput(t *testing.T) {
	for name, fx := range fixtures {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", "testdata/"+name+".json")
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q, want empty", r.stderr)
			}
			first, _, _ := strings.Cut(r.stdout, "\n")
			if want := "Recommendation: " + report.Verdict(fx.recommendation, fx.pattern, report.English) + " · confidence "; !strings.HasPrefix(first, want) {
				t.Errorf("first line = %q, want it to start with %q", first, want)
			}
			if strings.Contains(r.stdout, "\x1b[") {
				t.Error("text output contains ANSI escape sequences")
			}
			checkGolden(t, name+".golden", r.stdout)
		})
	}
}

func TestTextOutputChinese(t *testing.T) {
	r := runCLI(t, "", "--lang", "zh", "testdata/hybrid.json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	checkGolden(t, "hybrid.zh.golden", r.stdout)
}

// TestTextSections checks the parts of the layout golden files cannot vouch
// for on their own: every item of the answer is printed, with its citations.
func TestTextSections(t *testing.T) {
	engine := testEngine(t)
	for name := range fixtures {
		t.Run(name, func(t *testing.T) {
			ans := adviseFile(t, engine, "testdata/"+name+".json", policy.English)
			r := runCLI(t, "", "testdata/"+name+".json")
			out := r.stdout
			for _, c := range ans.Constraints {
				wantSection(t, out, "Constraints", fmt.Sprintf("- [rules out %s] %s — %s\n", strings.Join(c.Excludes, ", "), c.Title, c.Summary), c.Citations)
			}
			for _, u := range ans.Unmet {
				wantSection(t, out, "Not met", fmt.Sprintf("- [%s, %s] %s — %s\n", u.Kind, map[string]string{api.MetNo: "not met", api.MetPartly: "partly met"}[u.Met], u.Title, u.Why), u.Citations)
			}
			for _, re := range ans.Reasons {
				wantSection(t, out, "Reasons", fmt.Sprintf("- [%s, %s, %s] %s — %s\n", re.Favors, re.Kind, report.Value(re.Weight), re.Title, re.Summary), re.Citations)
			}
			for _, w := range ans.Warnings {
				wantSection(t, out, "Warnings", fmt.Sprintf("- %s — %s\n", w.Title, w.Summary), w.Citations)
			}
			for section, n := range map[string]int{"Constraints": len(ans.Constraints), "Not met": len(ans.Unmet), "Reasons": len(ans.Reasons), "Warnings": len(ans.Warnings), "What would change the answer": len(ans.WhatIf), "Ask next": len(ans.AskNext)} {
				if has := strings.Contains(out, "\n"+section+"\n"); has != (n > 0) {
					t.Errorf("section %q printed = %v, but the answer has %d items", section, has, n)
				}
			}
			for _, wi := range ans.WhatIf {
				want := "- " + report.Changes(wi.Changes) + " -> " + report.Verdict(wi.Recommendation, wi.HybridPattern, report.English) + " ("
				if !strings.Contains(out, want) {
					t.Errorf("what-if line %q missing:\n%s", want, out)
				}
			}
			for _, q := range ans.AskNext {
				if !strings.Contains(out, "- "+q.Field+" (") || !strings.Contains(out, q.Question) {
					t.Errorf("ask-next %s missing:\n%s", q.Field, out)
				}
			}
			if len(ans.Defaulted) > 0 && !strings.Contains(out, "\nDefaults assumed: "+strings.Join(ans.Defaulted, ", ")+"\n") {
				t.Errorf("assumed defaults line missing:\n%s", out)
			}
		})
	}
}

func wantSection(t *testing.T, out, section, line string, cites []api.Citation) {
	t.Helper()
	start := strings.Index(out, "\n"+section+"\n")
	if start < 0 {
		t.Errorf("section %q missing:\n%s", section, out)
		return
	}
	body := out[start:]
	at := strings.Index(body, line)
	if at < 0 {
		t.Errorf("section %q lacks %q:\n%s", section, line, out)
		return
	}
	var want strings.Builder
	want.WriteString(line)
	for _, c := range cites {
		fmt.Fprintf(&want, "    cites: %s (%s) — %s\n", c.Title, c.Source, c.Locator)
	}
	if !strings.HasPrefix(body[at:], want.String()) {
		t.Errorf("item %q is not followed by its %d citation line(s):\n%s", line, len(cites), body[at:])
	}
}

func TestPolicyLine(t *testing.T) {
	info := testEngine(t).Info()
	r := runCLI(t, "", "testdata/vm.json")
	if want := "\nPolicy " + info.Version + " " + info.Digest + "\n"; !strings.HasSuffix(r.stdout, want) {
		t.Errorf("output does not end with %q:\n%s", want, r.stdout)
	}
}

func adviseFile(t *testing.T, engine *policy.Engine, path string, lang policy.Lang) api.Answer {
	t.Helper()
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	req, err := api.NewValidator().Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := engine.Advise(context.Background(), &req, lang)
	if err != nil {
		t.Fatal(err)
	}
	return ans
}

func TestJSONOutput(t *testing.T) {
	engine := testEngine(t)
	for name, fx := range fixtures {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, "", "--output", "json", "testdata/"+name+".json")
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			// Indented by two spaces, with "&" and "<" left readable.
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if err := enc.Encode(adviseFile(t, engine, "testdata/"+name+".json", policy.English)); err != nil {
				t.Fatal(err)
			}
			if r.stdout != want.String() {
				t.Errorf("json output is not the engine's answer, indented:\n%s", r.stdout)
			}
			var got api.Answer
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatal(err)
			}
			if got.Recommendation != fx.recommendation || got.HybridPattern != fx.pattern {
				t.Errorf("recommendation = %s/%s, want %s/%s", got.Recommendation, got.HybridPattern, fx.recommendation, fx.pattern)
			}
			if len(got.Reasons)+len(got.Constraints) == 0 {
				t.Error("answer gives no reasons")
			}
		})
	}
}

// TestSameAnswerWhateverTheInput reads one workload as a file, from stdin,
// as YAML and with flags after the file name: the output must not differ.
func TestSameAnswerWhateverTheInput(t *testing.T) {
	jsonBody, err := os.ReadFile("testdata/hybrid.json")
	if err != nil {
		t.Fatal(err)
	}
	yamlBody, err := os.ReadFile("testdata/hybrid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := runCLI(t, "", "--output", "json", "testdata/hybrid.json")
	if want.code != exitOK {
		t.Fatalf("exit %d: %s", want.code, want.stderr)
	}
	tests := map[string]struct {
		stdin string
		args  []string
	}{
		"stdin JSON":       {string(jsonBody), []string{"--output", "json", "-"}},
		"YAML file":        {"", []string{"--output", "json", "testdata/hybrid.yaml"}},
		"stdin YAML":       {string(yamlBody), []string{"--output=json", "-"}},
		"flags after file": {"", []string{"testdata/hybrid.json", "--output", "json"}},
		"double dash":      {"", []string{"--output", "json", "--", "testdata/hybrid.json"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, tc.stdin, tc.args...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != want.stdout {
				t.Errorf("output differs from reading testdata/hybrid.json:\n%s", r.stdout)
			}
		})
	}
}

// realServer serves the real server package's handler on the embedded rules.
func realServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(server.New(testEngine(t), server.Options{}))
	t.Cleanup(srv.Close)
	return srv
}

func TestServerModeMatchesLocal(t *testing.T) {
	srv := realServer(t)
	for name := range fixtures {
		for _, flags := range [][]string{
			{"--output", "text"},
			{"--output", "json"},
			{"--output", "text", "--lang", "zh"},
			{"--output", "json", "--lang", "zh"},
		} {
			t.Run(name+" "+strings.Join(flags, " "), func(t *testing.T) {
				local := runCLI(t, "", append(flags, "testdata/"+name+".json")...)
				remote := runCLI(t, "", append(flags, "--server", srv.URL, "testdata/"+name+".json")...)
				if local.code != exitOK || remote.code != exitOK {
					t.Fatalf("exit local %d, remote %d: %s%s", local.code, remote.code, local.stderr, remote.stderr)
				}
				if remote.stdout != local.stdout {
					t.Errorf("--server output differs from local output\n--- remote ---\n%s\n--- local ---\n%s", remote.stdout, local.stdout)
				}
			})
		}
	}
}

func TestServerModeRejectsInvalidWorkload(t *testing.T) {
	srv := realServer(t)
	r := runCLI(t, "", "--server", srv.URL+"/", "testdata/invalid.json")
	if r.code != exitBadInput {
		t.Fatalf("exit %d (err %v), want 2", r.code, r.err)
	}
	for _, want := range []string{
		"advise: server rejected the workload (422 Unprocessable Entity)",
		"\n  isolation: must be one of: standard, strict, hardware\n",
		"\n  instances: must be at least 1\n",
		"\n  tenants_trusted: ",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not contain %q:\n%s", want, r.stderr)
		}
	}
}

// recordedRequest is what a fake server saw.
type recordedRequest struct {
	method, path, query, contentType string
	body                             []byte
}

func fakeServer(t *testing.T, status int, contentType, body string) (*httptest.Server, *recordedRequest) {
	t.Helper()
	seen := &recordedRequest{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.method, seen.path, seen.query, seen.contentType = r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type")
		seen.body, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, seen
}

func TestServerModeRequest(t *testing.T) {
	engine := testEngine(t)
	answer, err := json.Marshal(adviseFile(t, engine, "testdata/vm.json", policy.Chinese))
	if err != nil {
		t.Fatal(err)
	}
	srv, seen := fakeServer(t, http.StatusOK, "application/json", string(answer))
	r := runCLI(t, "", "--lang", "zh", "--server", srv.URL+"/tools", "testdata/hybrid.yaml")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if seen.method != http.MethodPost || seen.path != "/tools/advise" || seen.query != "lang=zh" || seen.contentType != "application/json" {
		t.Errorf("request = %s %s?%s (%s), want POST /tools/advise?lang=zh (application/json)", seen.method, seen.path, seen.query, seen.contentType)
	}
	var sent map[string]any
	if err := json.Unmarshal(seen.body, &sent); err != nil {
		t.Fatalf("body sent is not JSON (the YAML file must be converted): %v\n%s", err, seen.body)
	}
	if sent["name"] != "tenant-sandbox" || sent["startup_sla_ms"] != float64(500) {
		t.Errorf("body sent = %s, want the workload of hybrid.yaml", seen.body)
	}
	if !strings.HasPrefix(r.stdout, "建议: 虚拟机 · 置信度 ") {
		t.Errorf("stdout does not render the server's answer:\n%s", r.stdout)
	}
}

func TestServerModeFailures(t *testing.T) {
	problem := func(status int, title string, fields ...api.FieldError) string {
		b, _ := json.Marshal(server.Problem{Type: "about:blank", Title: title, Status: status, Detail: "see errors", Errors: fields})
		return string(b)
	}
	tests := map[string]struct {
		status      int
		contentType string
		body        string
		code        int
		want        []string
	}{
		"422 problem lists each field": {
			status: http.StatusUnprocessableEntity, contentType: "application/problem+json",
			body: problem(422, "Invalid request",
				api.FieldError{Field: "isolation", Rule: "oneof", Message: "must be one of: standard, strict, hardware"},
				api.FieldError{Field: "density", Rule: "needs_several_instances", Message: "cannot be high with instances 1"}),
			code: exitBadInput,
			want: []string{"advise: server rejected the workload (422 Unprocessable Entity): Invalid request\n", "  isolation: must be one of: standard, strict, hardware\n", "  density: cannot be high with instances 1\n"},
		},
		"400 problem with detail only": {
			status: http.StatusBadRequest, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Malformed request","status":400,"detail":"request body must be a JSON object"}`,
			code: exitBadInput,
			want: []string{"advise: server rejected the workload (400 Bad Request): Malformed request: request body must be a JSON object\n"},
		},
		"404 from a wrong URL": {
			status: http.StatusNotFound, contentType: "text/plain", body: "404 page not found",
			code: exitBadInput,
			want: []string{"advise: server rejected the workload (404 Not Found): 404 page not found"},
		},
		"500 problem": {
			status: http.StatusInternalServerError, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Internal server error","status":500,"detail":"the server failed to answer"}`,
			code: exitFailure,
			want: []string{"advise: server failed (500 Internal Server Error): Internal server error: the server failed to answer"},
		},
		"503 evaluation timeout": {
			status: http.StatusServiceUnavailable, contentType: "application/problem+json",
			body: `{"type":"about:blank","title":"Evaluation timed out","status":503}`,
			code: exitFailure,
			want: []string{"advise: server failed (503 Service Unavailable): Evaluation timed out"},
		},
		"429 is not the workload's fault": {
			status: http.StatusTooManyRequests, contentType: "text/plain", body: "slow down",
			code: exitFailure,
			want: []string{"(429 Too Many Requests): slow down"},
		},
		"502 HTML from a proxy": {
			status: http.StatusBadGateway, contentType: "text/html", body: "<html>\n<body>Bad gateway</body>\n</html>",
			code: exitFailure,
			want: []string{"advise: server failed (502 Bad Gateway): <html> <body>Bad gateway</body> </html>"},
		},
		"200 that is not an answer": {
			status: http.StatusOK, contentType: "text/html", body: "<html>hello</html>",
			code: exitFailure,
			want: []string{"is not an answer"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv, _ := fakeServer(t, tc.status, tc.contentType, tc.body)
			// 502, 503 and 429 are retried (TestServerRetries); here the
			// waits pass at once and the last reply is reported.
			ctx := withClock(context.Background(), &fakeClock{now: fakeTime}, false)
			r := runCLIContext(t, ctx, "", "--server", srv.URL, "testdata/vm.json")
			if r.code != tc.code {
				t.Fatalf("exit %d (err %v), want %d", r.code, r.err, tc.code)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want empty", r.stdout)
			}
		})
	}
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestServerUnreachable(t *testing.T) {
	ctx := withClock(context.Background(), &fakeClock{now: fakeTime}, false) // each refusal is retried
	r := runCLIContext(t, ctx, "", "--server", "http://"+freeAddr(t), "testdata/vm.json")
	if r.code != exitFailure {
		t.Fatalf("exit %d (err %v), want 1", r.code, r.err)
	}
	if !strings.HasPrefix(r.stderr, "advise: ask http://127.0.0.1:") || !strings.Contains(r.stderr, "connection refused (gave up after 5 attempts)") {
		t.Errorf("stderr = %q, want the server and the network error", r.stderr)
	}
}

// startServe runs "advise serve" with args until the returned stop is called,
// and waits until /healthz answers on addr.
func startServe(t *testing.T, addr string, args ...string) (stop func() result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), &stdout, &stderr) }()
	stopped := false
	stop = func() result {
		t.Helper()
		if stopped {
			t.Fatal("stop called twice")
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return result{err: err, code: exitCode(err), stdout: stdout.String(), stderr: stderr.String()}
		case <-time.After(30 * time.Second): // a hang guard, not a timing assertion
			t.Fatal("serve did not return after its context was cancelled")
			return result{}
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return stop
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned before it was up: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestServe(t *testing.T) {
	addr := freeAddr(t)
	stop := startServe(t, addr, "--addr", addr, "--eval-timeout", "5s", "--grace", "5s", "--body-limit", "4096")

	body, err := os.ReadFile("testdata/container.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post("http://"+addr+"/advise", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ans api.Answer
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || ans.Recommendation != api.RecommendContainer {
		t.Errorf("POST /advise = %d %q, want 200 container", resp.StatusCode, ans.Recommendation)
	}

	big := `{"multi_tenant": false, "name": "` + strings.Repeat("x", 5000) + `"}`
	resp, err = http.Post("http://"+addr+"/advise", "application/json", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /advise with 5 KB body = %d, want 413 from --body-limit 4096", resp.StatusCode)
	}

	r := stop()
	if r.err != nil {
		t.Fatalf("serve returned %v after a clean shutdown, want nil\n%s", r.err, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want empty: the service logs to stderr", r.stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	for _, line := range lines {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Errorf("log line is not JSON: %q", line)
		}
	}
	if !strings.Contains(r.stderr, `"msg":"policy loaded"`) {
		t.Errorf("log does not record the policy loaded:\n%s", r.stderr)
	}
}

func TestServeAddrFromEnv(t *testing.T) {
	addr := freeAddr(t)
	t.Setenv(envAddr, addr)
	stop := startServe(t, addr)
	if r := stop(); r.err != nil {
		t.Fatalf("serve returned %v, want nil\n%s", r.err, r.stderr)
	}
}

func TestServeAddrPrecedence(t *testing.T) {
	tests := map[string]struct {
		env  string // "" leaves ADVISE_ADDR unset
		args []string
		want string
	}{
		"default":            {"", nil, "127.0.0.1:8080"},
		"environment":        {"0.0.0.0:9000", nil, "0.0.0.0:9000"},
		"flag":               {"", []string{"--addr", ":7000"}, ":7000"},
		"flag wins over env": {"0.0.0.0:9000", []string{"--addr", "127.0.0.1:7000"}, "127.0.0.1:7000"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(envAddr, tc.env)
			} else {
				t.Setenv(envAddr, "")
				os.Unsetenv(envAddr)
			}
			opts, err := parseServeArgs(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if opts.addr != tc.want {
				t.Errorf("addr = %q, want %q", opts.addr, tc.want)
			}
		})
	}
}

func TestServeAddrInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	r := runCLI(t, "", "serve", "--addr", l.Addr().String())
	if r.code != exitFailure {
		t.Fatalf("exit %d (err %v), want 1", r.code, r.err)
	}
	if !strings.Contains(r.stderr, "advise: serve on "+l.Addr().String()) {
		t.Errorf("stderr does not say where serving failed:\n%s", r.stderr)
	}
}

func TestExitCode(t *testing.T) {
	tests := map[string]struct {
		err  error
		want int
	}{
		"nil":                {nil, exitOK},
		"usage":              {usagef("bad flag"), exitBadInput},
		"unreadable file":    {&fileError{err: os.ErrNotExist}, exitBadInput},
		"malformed workload": {&workloadError{source: "w.json", err: &api.DecodeError{Reason: "x"}}, exitBadInput},
		"invalid workload":   {fmt.Errorf("wrapped: %w", &api.ValidationError{}), exitBadInput},
		"server 422":         {&problemError{status: 422}, exitBadInput},
		"server 404":         {&problemError{status: 404}, exitBadInput},
		"server 408":         {&problemError{status: 408}, exitFailure},
		"server 429":         {&problemError{status: 429}, exitFailure},
		"server 500":         {&problemError{status: 500}, exitFailure},
		"policy":             {fmt.Errorf("load embedded policy: %w", policy.ErrPolicy), exitFailure},
		"cancelled":          {fmt.Errorf("evaluate workload: %w", context.Canceled), exitFailure},
		"anything else":      {errors.New("boom"), exitFailure},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := exitCode(tc.err); got != tc.want {
				t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCLIContext(t, ctx, "", "testdata/hybrid.json")
	if r.code != exitFailure {
		t.Fatalf("exit %d (err %v), want 1", r.code, r.err)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q, want no advice from a cancelled run", r.stdout)
	}
}
