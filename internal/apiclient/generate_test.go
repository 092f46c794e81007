package apiclient_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGeneratedClientIsCurrent runs the package's go:generate command with
// its output sent elsewhere and compares the result with the committed
// client, so an edit of openapi.yaml that was not regenerated fails.
func TestGeneratedClientIsCurrent(t *testing.T) {
	args := generateCommand(t)
	out := filepath.Join(t.TempDir(), "apiclient.gen.go")
	i := slices.Index(args, "-o")
	if i < 0 || i+1 >= len(args) || args[i+1] != "apiclient.gen.go" {
		t.Fatalf("doc.go's go:generate line %q does not write apiclient.gen.go with -o", strings.Join(args, " "))
	}
	args[i+1] = out
	cmd := exec.Command(args[0], args[1:]...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	regenerated, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("apiclient.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(regenerated, committed) {
		t.Errorf("apiclient.gen.go is not what openapi.yaml generates; run go generate ./internal/apiclient")
	}
}

// generateCommand is the command of doc.go's go:generate line.
func generateCommand(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if cmd, ok := strings.CutPrefix(lines.Text(), "//go:generate "); ok {
			return strings.Fields(cmd)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatal("doc.go has no go:generate line")
	return nil
}
