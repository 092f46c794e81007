package main

import (
	"strings"
	"testing"
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
