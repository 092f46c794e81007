package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
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
		"defaults": {want: server.Options{MaxInFlight: server.DefaultMaxInFlight(), DrainIdle: server.DefaultDrainIdle}},
		"every flag": {
			args: []string{"--max-in-flight", "7", "--drain-delay", "3s", "--drain-idle", "2s", "--token", token,
				"--cors-origin", "https://a.example.com", "--cors-origin", "http://localhost:3000", "--log-inputs"},
			want: server.Options{MaxInFlight: 7, DrainDelay: 3 * time.Second, DrainIdle: 2 * time.Second, Token: token,
				CORSOrigins: []string{"https://a.example.com", "http://localhost:3000"}, LogInputs: true},
		},
		"token from the environment": {env: token, want: server.Options{MaxInFlight: server.DefaultMaxInFlight(), DrainIdle: server.DefaultDrainIdle, Token: token}},
		"flag wins over the environment": {
			env: "env-token-0123456789abcdef", args: []string{"--token", token},
			want: server.Options{MaxInFlight: server.DefaultMaxInFlight(), DrainIdle: server.DefaultDrainIdle, Token: token},
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
		"zero drain idle":      {args: []string{"--drain-idle", "0s"}, want: "--drain-idle must be a positive"},
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
	for _, want := range []string{"--max-in-flight", "--drain-delay", "--drain-idle", "--token", "ADVISE_TOKEN", "--cors-origin", "--log-inputs", "Retry-After", "/readyz",
		"--policy", "--no-builtin-rules", "--watch", "--bundle-url", "--verification-key", "SIGHUP", "/v1/policy", "--metrics-addr", "/metrics"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("serve help does not mention %s", want)
		}
	}
}

// TestServeBinarySIGTERMUnderLoad builds the advise binary and, ten times,
// serves with it under sustained load from 64 connections and sends it
// SIGTERM, as an orchestrator would. Each time the process must exit 0 with
// a complete shutdown in its log, and no request it accepted may lose its
// answer: the access lines and decisions the server logged must agree with
// what the clients received (servertest.Reconcile). Under the race detector
// it runs once: the binary is built without it, so more runs test nothing
// more.
func TestServeBinarySIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it under load")
	}
	runs := 10
	if raceDetector {
		runs = 1
	}
	bin := buildBinary(t)
	var answered, refused, failed int
	for run := range runs {
		v, problems := sigtermUnderLoad(t, bin, run)
		answered += v.Answered
		refused += v.Refused
		for _, p := range problems {
			t.Errorf("run %d: %s", run, p)
		}
		if len(problems) > 0 {
			failed++
		}
	}
	t.Logf("%d SIGTERMs under 64 connections: %d answers, %d requests refused before acceptance, %d runs with a lost or broken answer", runs, answered, refused, failed)
}

// sigtermUnderLoad is one run of TestServeBinarySIGTERMUnderLoad. It
// returns what the clients got and every way the run broke the rule.
func sigtermUnderLoad(t *testing.T, bin string, run int) (servertest.Verdict, []string) {
	t.Helper()
	addr := freeAddr(t)
	base := "http://" + addr
	s := startBinary(t, bin, "--addr", addr, "--drain-delay", "500ms", "--grace", "30s", "--eval-timeout", "20s")
	cmd, exited, stderr := s.cmd, s.exited, s.stderr
	waitHealthy(t, base, exited, stderr)

	stopping := make(chan struct{})
	loadCtx, stopLoad := context.WithCancel(t.Context())
	defer stopLoad()
	loaded := make(chan []servertest.Outcome, 1)
	go func() { loaded <- servertest.Load(loadCtx, base, servertest.Bodies(uint64(11+run), 256), 64, stopping) }()
	time.Sleep(1500 * time.Millisecond) // sustained load before the signal

	close(stopping)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatalf("run %d: advise serve did not exit after SIGTERM\n%s", run, stderr.String())
	}
	stopLoad()
	outcomes := <-loaded
	if exitErr != nil {
		t.Fatalf("run %d: advise serve exited with %v after SIGTERM, want 0\n%s", run, exitErr, stderr.String())
	}

	verdict := servertest.Judge(outcomes)
	problems := verdict.Problems
	if verdict.Answered == 0 {
		t.Fatalf("run %d: no request was answered: the load never ran", run)
	}
	lines, err := servertest.ParseLog(stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	problems = append(problems, servertest.Reconcile(verdict, lines)...)
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
		problems = append(problems, fmt.Sprintf("the log records %v in order, want %v", seen, order))
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		problems = append(problems, "the address still accepts connections after the process exited")
	}
	t.Logf("run %d: %d requests: %d answered, %d refused before acceptance", run, len(outcomes), verdict.Answered, verdict.Refused)
	return verdict, problems
}

// buildBinary builds the advise binary once for the whole test run (its
// link is most of a binary test's time) and returns its path; TestMain
// removes it.
func buildBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "advise-test-bin-")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		bin := filepath.Join(dir, "advise")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
			return
		}
		built.bin = bin
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// built is the binary buildBinary made.
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
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
