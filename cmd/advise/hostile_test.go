package main

import (
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHostileYAMLIsBoundedBeforeItExpands: an alias bomb and deep nesting,
// as a file and on standard input, are bad input (exit 2) that says which
// bound it broke; docs/RELIABILITY.md gives the time and memory the built
// binary takes to refuse them.
func TestHostileYAMLIsBoundedBeforeItExpands(t *testing.T) {
	bomb := "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
	for i, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		prev := string(rune('a' + i))
		bomb += name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n"
	}
	cases := map[string]struct {
		input, want string
	}{
		"billion laughs":    {bomb, "YAML expands to more than 100000 nodes"},
		"deep flow nesting": {"a: " + strings.Repeat("[", 50000), "YAML nests more than 32 levels deep (line 1)"},
		// Input that starts with [ or { is JSON, whose decoder stops at
		// 10,000 levels, reading no further.
		"deep JSON nesting":    {strings.Repeat("[", 200000), "exceeded max depth"},
		"deep block sequences": {strings.Repeat("- ", 50000) + "x\n", "YAML nests more than 32 levels deep (line 1)"},
		"a million items":      {"a: [" + strings.Repeat("1,", 1<<20) + "]", "YAML holds more than 200000 tokens"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := runCLI(t, c.input, "-")
			if r.code != exitBadInput || !strings.Contains(r.stderr, c.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", r.code, r.stderr, c.want)
			}
		})
	}
}

// TestNoControlCharacterReachesTheTerminal: a name with an escape sequence
// is refused (exit 2) and, in a portfolio, the refused item's name, like an
// unknown field's, is printed escaped in every format, so no escape byte
// reaches the terminal or the review.
func TestNoControlCharacterReachesTheTerminal(t *testing.T) {
	bad := `{"multi_tenant":true,"name":"ok\u001b]0;pwned\u0007\u001b[2J\u202e"}`
	portfolio := `[` + bad + `,{"multi_tenant":false,"name":"fine"},{"multi_tenant":true,"\u001b[2Jx":1}]`
	for name, args := range map[string][]string{
		"one workload":       {"-"},
		"portfolio text":     {"-"},
		"portfolio markdown": {"--output", "markdown", "-"},
		"portfolio yaml":     {"--output", "yaml", "-"},
		"portfolio json":     {"--output", "json", "-"},
	} {
		t.Run(name, func(t *testing.T) {
			input := portfolio
			if name == "one workload" {
				input = bad
			}
			r := runCLI(t, input, args...)
			if r.code != exitBadInput {
				t.Errorf("exit %d, want 2", r.code)
			}
			for _, out := range []string{r.stdout, r.stderr} {
				if strings.ContainsAny(out, "\x1b\a\u202e") {
					t.Errorf("output holds a control character or an override: %q", out)
				}
			}
			if name != "one workload" && !strings.Contains(r.stderr+r.stdout, `\x1b`) {
				t.Errorf("the refused name is not shown escaped: %q %q", r.stdout, r.stderr)
			}
		})
	}
}

// TestCLIStopsOnASignal: the built CLI, blocked reading a workload that
// never ends, exits on SIGINT with 130 and on SIGTERM with 143, as a shell
// reports a process a signal ended; how long it took is logged
// (docs/RELIABILITY.md gives the figures; the bound is stopGrace).
func TestCLIStopsOnASignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for name, c := range map[string]struct {
		sig  syscall.Signal
		code int
	}{"SIGINT": {syscall.SIGINT, 130}, "SIGTERM": {syscall.SIGTERM, 143}} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(bin, "-")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if _, err := io.WriteString(stdin, "multi_tenant: true\n"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // let it start reading
			sent := time.Now()
			if err := cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(time.Minute): // a hang guard, not a timing assertion
				_ = cmd.Process.Kill()
				t.Fatal("the CLI did not exit after the signal")
			}
			t.Logf("exited %v after the signal", time.Since(sent))
			if got := cmd.ProcessState.ExitCode(); got != c.code {
				t.Errorf("exit status %d, want %d", got, c.code)
			}
		})
	}
}
