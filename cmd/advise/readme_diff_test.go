package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeShowsTheDiff keeps the `advise diff` output in the README's
// "Bring your own rules" true: it is what the command prints for the worked
// organisation's policy over the examples, run from the repository root
// (the digests are shortened, as a reader compares them by eye).
func TestReadmeShowsTheDiff(t *testing.T) {
	t.Chdir("../..")
	files, err := filepath.Glob("examples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	r := runCLI(t, "", append([]string{"diff", "--policy", "examples/org-policy"}, files...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := regexp.MustCompile(`sha256:([0-9a-f]{12})[0-9a-f]{52}`).ReplaceAllString(r.stdout, "sha256:$1…")
	block := "```text\n$ advise diff --policy examples/org-policy examples/*.json\n" + out + "```\n"
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- BEGIN CLI OUTPUT diff -->\n", "<!-- END CLI OUTPUT diff -->"
	i, j := strings.Index(string(readme), begin), strings.Index(string(readme), end)
	if i < 0 || j < i {
		t.Fatal("README.md has no diff output block")
	}
	got := string(readme[i+len(begin) : j])
	if got == block {
		return
	}
	if *update {
		updated := string(readme[:i+len(begin)]) + block + string(readme[j:])
		if err := os.WriteFile("README.md", []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's diff output is stale; run go test ./cmd/advise -run TestReadmeShowsTheDiff -update\ngot:\n%s\nwant:\n%s", got, block)
}
