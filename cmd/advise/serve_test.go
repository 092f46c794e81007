package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/placement-advisor/advise/server"
	"github.com/placement-advisor/advise/server/servertest"
)

func TestServeReliabilityFlags(t *testing.T) {
	const token = "flag-token-0123456789abcdef"
	tests := map[string]struct {
		env  string // ADVISE_TOKEN; "" leaves it unset
		args []string
		want server.Options
	}{
		"defaults": {want: server.Options{MaxInFlight: server.DefaultMaxInFlight()}},
		"every flag": {
			args: []string{"--max-in-flight", "7", "--drain-delay", "3s", "--token", token,
				"--cors-origin", "https://a.example.com", "--cors-origin", "http://localhost:3000", "--log-inputs"},
			want: server.Options{MaxInFlight: 7, DrainDelay: 3 * time.Second, Token: token,
				CORSOrigins: []string{"https://a.example.com", "http://localhost:3000"}, LogInputs: true},
		},
		"token from the environment": {env: token, want: server.Options{MaxInFlight: server.DefaultMaxInFlight(), Token: token}},
		"flag wins over the environment": {
			env: "env-token-0123456789abcdef", args: []string{"--token", token},
			want: server.Options{MaxInFlight: server.DefaultMaxInFlight(), Token: token},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envToken, tc.env)
			opts, err := parseServeArgs(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			got := opts.server
			// The flags the older tests cover keep their defaults here.
			got.BodyLimit, got.EvalTimeout, got.ShutdownGrace = 0, 0, 0
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("options = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestServeReliabilityUsageErrors(t *testing.T) {
	tests := map[string]struct {
		env  string
		args []string
		want string
	}{
		"zero in flight":       {args: []string{"--max-in-flight", "0"}, want: "--max-in-flight must be at least 1"},
		"negative drain":       {args: []string{"--drain-delay", "-1s"}, want: "--drain-delay must not be negative"},
		"short token":          {args: []string{"--token", "secret"}, want: "the token must be at least 16 characters"},
		"short token from env": {env: "secret", want: "$ADVISE_TOKEN: the token must be at least 16 characters"},
		"token with a space":   {args: []string{"--token", "0123456789 abcdefghij"}, want: "the token may hold only"},
		"wildcard origin":      {args: []string{"--cors-origin", "*"}, want: `invalid value "*" for flag -cors-origin`},
		"origin with a path":   {args: []string{"--cors-origin", "https://a.example.com/app"}, want: "must be scheme://host[:port]"},
		"watch without policy": {args: []string{"--watch"}, want: "--watch watches the --policy paths"},
		"zero watch interval":  {args: []string{"--policy", "../../examples/org-policy", "--watch", "--watch-interval", "0s"}, want: "--watch-interval must be a positive"},
		"key without bundle":   {args: []string{"--verification-key", "org.pem"}, want: "--verification-key checks bundles from --bundle-url"},
		"bundle url not http":  {args: []string{"--bundle-url", "ftp://bundles.example.com/org.tar.gz"}, want: "--bundle-url must be an http:// or https:// URL"},
		"bundle url no path":   {args: []string{"--bundle-url", "https://bundles.example.com"}, want: "--bundle-url must be"},
		"unreadable key":       {args: []string{"--bundle-url", "https://bundles.example.com/org.tar.gz", "--verification-key", "no/such.pem"}, want: "--verification-key: open no/such.pem"},
		"no rules at all":      {args: []string{"--no-builtin-rules"}, want: "--no-builtin-rules needs a --policy or a --bundle-url"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envToken, tc.env)
			r := runCLI(t, "", append([]string{"serve"}, tc.args...)...)
			if r.code != exitBadInput || !errors.Is(r.err, errUsage) {
				t.Fatalf("exit %d (err %v), want 2 and a usage error", r.code, r.err)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "0123456789 abcdefghij") {
				t.Errorf("the usage error repeats the token: %q", r.stderr)
			}
		})
	}
}

func TestServeHelpDocumentsReliabilityFlags(t *testing.T) {
	r := runCLI(t, "", "help", "serve")
	for _, want := range []string{"--max-in-flight", "--drain-delay", "--token", "ADVISE_TOKEN", "--cors-origin", "--log-inputs", "Retry-After", "/readyz",
		"--policy", "--no-builtin-rules", "--watch", "--bundle-url", "--verification-key", "SIGHUP", "/v1/policy", "--metrics-addr", "/metrics"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("serve help does not mention %s", want)
		}
	}
}

// TestServeBinarySIGTERMUnderLoad builds the advise binary, serves with it,
// puts it under sustained load and sends it SIGTERM, as an orchestrator
// would. The process must exit 0, and every request it accepted must have
// got a complete answer: the access lines and decisions the server logged
// must agree with what the clients received (servertest.Reconcile).
func TestServeBinarySIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it under load")
	}
	addr := freeAddr(t)
	base := "http://" + addr
	s := startBinary(t, buildBinary(t), "--addr", addr, "--drain-delay", "500ms", "--grace", "30s", "--eval-timeout", "20s")
	cmd, exited, stderr := s.cmd, s.exited, s.stderr
	waitHealthy(t, base, exited, stderr)

	stopping := make(chan struct{})
	loadCtx, stopLoad := context.WithCancel(t.Context())
	defer stopLoad()
	loaded := make(chan []servertest.Outcome, 1)
	go func() { loaded <- servertest.Load(loadCtx, base, servertest.Bodies(11, 256), 16, stopping) }()
	time.Sleep(2 * time.Second) // sustained load before the signal

	close(stopping)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatalf("advise serve did not exit after SIGTERM\n%s", stderr.String())
	}
	stopLoad()
	outcomes := <-loaded
	if exitErr != nil {
		t.Fatalf("advise serve exited with %v after SIGTERM, want 0\n%s", exitErr, stderr.String())
	}

	verdict := servertest.Judge(outcomes)
	for _, p := range verdict.Problems {
		t.Error(p)
	}
	if verdict.Answered == 0 {
		t.Fatal("no request was answered: the load never ran")
	}
	t.Logf("%d requests: %d answered, %d refused before acceptance", len(outcomes), verdict.Answered, verdict.Refused)

	lines, err := servertest.ParseLog(stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range servertest.Reconcile(verdict, lines) {
		t.Error(p)
	}
	var msgs []string
	for _, l := range lines {
		msg, _ := l["msg"].(string)
		msgs = append(msgs, msg)
	}
	order := []string{"serving", "draining", "shutting down", "stopped"}
	var seen []string
	for _, m := range msgs {
		if len(seen) < len(order) && m == order[len(seen)] {
			seen = append(seen, m)
		}
	}
	if !reflect.DeepEqual(seen, order) {
		t.Errorf("the log records %v in order, want %v", seen, order)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Error("the address still accepts connections after the process exited")
	}
}

// buildBinary builds the advise binary into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "advise")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// served is an "advise serve" process a test started.
type served struct {
	cmd    *exec.Cmd
	exited chan error
	stderr *servertest.LockedBuffer
}

// startBinary starts bin serve with args, with no token (the tests send
// none), and kills it at the end of the test if it is still running.
func startBinary(t *testing.T, bin string, args ...string) served {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), envToken+"=")
	s := served{cmd: cmd, exited: make(chan error, 1), stderr: &servertest.LockedBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-s.exited
		}
	})
	return s
}

// waitHealthy polls /healthz until the process answers, failing if it exits.
func waitHealthy(t *testing.T, base string, exited <-chan error, stderr *servertest.LockedBuffer) {
	t.Helper()
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("advise serve exited before it was up: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
