package deploy_test

import (
	"debug/buildinfo"
	"debug/elf"
	"go/version"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// dockerfilePath is the image recipe, at the repository's root so that the
// build context is the module.
const dockerfilePath = "../Dockerfile"

// versionVar and revisionVar are the variables the build sets to the
// image's version and revision.
const (
	versionVar  = "github.com/placement-advisor/advise/internal/version.Version"
	revisionVar = "github.com/placement-advisor/advise/internal/version.Revision"
)

// stage is one FROM of the Dockerfile and the instructions under it.
type stage struct {
	from         *parser.Node
	image, name  string
	instructions []*parser.Node
	args         map[string]string // ARG defaults declared in the stage
}

// dockerfile is a parsed Dockerfile: the ARGs before the first FROM and the
// stages.
type dockerfile struct {
	metaArgs map[string]string
	stages   []stage
}

// parseDockerfile parses the recipe with buildkit's parser, the one docker
// build uses, so a syntax error fails here as it would there.
func parseDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parse %s: %v", dockerfilePath, err)
	}
	if len(res.Warnings) > 0 {
		for _, w := range res.Warnings {
			t.Errorf("%s: %s", dockerfilePath, w.Short)
		}
	}
	df := dockerfile{metaArgs: map[string]string{}}
	for _, n := range res.AST.Children {
		switch {
		case is(n, "from"):
			s := stage{from: n, image: n.Next.Value, args: map[string]string{}}
			if as := n.Next.Next; as != nil && strings.EqualFold(as.Value, "as") && as.Next != nil {
				s.name = as.Next.Value
			}
			df.stages = append(df.stages, s)
		case len(df.stages) == 0:
			if !is(n, "arg") {
				t.Fatalf("%s:%d: %s before the first FROM", dockerfilePath, n.StartLine, n.Value)
			}
			addArgs(df.metaArgs, n)
		default:
			s := &df.stages[len(df.stages)-1]
			s.instructions = append(s.instructions, n)
			if is(n, "arg") {
				addArgs(s.args, n)
			}
		}
	}
	if len(df.stages) < 2 {
		t.Fatalf("%s has %d stages, want a build stage and a final one", dockerfilePath, len(df.stages))
	}
	return df
}

func is(n *parser.Node, instruction string) bool {
	return strings.EqualFold(n.Value, instruction)
}

// addArgs records the defaults of one ARG instruction (ARG A=1 B=2).
func addArgs(args map[string]string, n *parser.Node) {
	for w := n.Next; w != nil; w = w.Next {
		name, value, _ := strings.Cut(w.Value, "=")
		args[name] = value
	}
}

// expand substitutes ARGs in word as the builder does.
func expand(t *testing.T, word string, args map[string]string) []string {
	t.Helper()
	env := make([]string, 0, len(args))
	for k, v := range args {
		env = append(env, k+"="+v)
	}
	words, err := shell.NewLex('\\').ProcessWords(word, shell.EnvsFromSlice(env))
	if err != nil {
		t.Fatalf("expand %q: %v", word, err)
	}
	return words
}

// TestDockerfileFinalStage checks what the running image is: a distroless
// (or empty) base, a non-root user, no HEALTHCHECK (Kubernetes probes
// /healthz and /readyz instead), and the binary of the build stage serving
// on every interface.
func TestDockerfileFinalStage(t *testing.T) {
	df := parseDockerfile(t)
	final := df.stages[len(df.stages)-1]
	base := expand(t, final.image, df.metaArgs)[0]
	if base != "scratch" && !strings.HasPrefix(base, "gcr.io/distroless/static") {
		t.Errorf("final base image %s, want gcr.io/distroless/static or scratch", base)
	}
	var user, entrypoint, cmd []string
	var copied, addr string
	for _, s := range df.stages {
		for _, n := range s.instructions {
			if is(n, "healthcheck") {
				t.Errorf("%s:%d: HEALTHCHECK; Kubernetes probes the service", dockerfilePath, n.StartLine)
			}
		}
	}
	for _, n := range final.instructions {
		switch {
		case is(n, "user"):
			user = append(user, n.Next.Value)
		case is(n, "entrypoint"):
			entrypoint = words(n)
		case is(n, "cmd"):
			cmd = words(n)
		case is(n, "copy") && slices.Contains(n.Flags, "--from="+df.stages[0].name):
			copied = n.Next.Next.Value
		case is(n, "env") && n.Next.Value == "ADVISE_ADDR":
			addr = n.Next.Next.Value
		}
	}
	if len(user) == 0 {
		t.Error("the final stage sets no USER: the image would run as root")
	}
	for _, u := range user {
		name, _, _ := strings.Cut(u, ":")
		if name == "root" || name == "0" || name == "" {
			t.Errorf("USER %s: root", u)
		}
	}
	if copied == "" || !slices.Equal(entrypoint, []string{copied}) {
		t.Errorf("ENTRYPOINT %q, want the binary copied from the build stage (%q)", entrypoint, copied)
	}
	if !slices.Equal(cmd, []string{"serve"}) {
		t.Errorf("CMD %q, want [serve]", cmd)
	}
	if !strings.HasPrefix(addr, "0.0.0.0:") {
		t.Errorf("ADVISE_ADDR %q: the server must listen on every interface of the container", addr)
	}
}

// words lists an instruction's arguments.
func words(n *parser.Node) []string {
	var out []string
	for w := n.Next; w != nil; w = w.Next {
		out = append(out, w.Value)
	}
	return out
}

// TestDockerfileGoVersion checks that the build stage's Go image is at
// least the Go that go.mod asks for.
func TestDockerfileGoVersion(t *testing.T) {
	df := parseDockerfile(t)
	image := expand(t, df.stages[0].image, df.metaArgs)[0]
	tag, ok := strings.CutPrefix(image, "golang:")
	if !ok {
		t.Fatalf("build stage image %s, want golang:<version>", image)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	if version.Compare("go"+tag, "go"+string(m[1])) < 0 {
		t.Errorf("build image golang:%s is older than go.mod's go %s", tag, m[1])
	}
}

// TestDockerfileBuildsAStaticBinary runs the build stage's go build command
// as written (the same package, flags and environment, with the ARGs'
// defaults and a version of its own) into a temporary directory, and checks
// that the binary is static and carries the flags. docker build cannot run
// in CI; this is the part of it that can.
func TestDockerfileBuildsAStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	df := parseDockerfile(t)
	build := df.stages[0]
	var run *parser.Node
	for _, n := range build.instructions {
		if is(n, "run") && strings.Contains(n.Next.Value, "go build") {
			if run != nil {
				t.Fatalf("%s: two go build lines (%d and %d)", dockerfilePath, run.StartLine, n.StartLine)
			}
			run = n
		}
	}
	if run == nil {
		t.Fatalf("%s: the build stage has no go build line", dockerfilePath)
	}
	const testVersion, testRevision = "v0.0.0-dockerfile-test", "0123456789abcdef-dockerfile-test"
	args := map[string]string{}
	for k, v := range df.metaArgs {
		args[k] = v
	}
	for k, v := range build.args {
		args[k] = v
	}
	args["VERSION"], args["REVISION"] = testVersion, testRevision
	args["TARGETOS"] = runtime.GOOS
	args["TARGETARCH"] = runtime.GOARCH
	cmdline := expand(t, run.Next.Value, args)

	// NAME=value words before the command are its environment.
	var env []string
	for len(cmdline) > 0 && regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`).MatchString(cmdline[0]) {
		env = append(env, cmdline[0])
		cmdline = cmdline[1:]
	}
	if !slices.Contains(env, "CGO_ENABLED=0") {
		t.Errorf("the go build line sets %q, want CGO_ENABLED=0", env)
	}
	if len(cmdline) < 2 || cmdline[0] != "go" || cmdline[1] != "build" {
		t.Fatalf("the RUN line runs %q, want go build", cmdline)
	}
	out := -1
	for i, w := range cmdline {
		if w == "-o" && i+1 < len(cmdline) {
			out = i + 1
		}
	}
	if out < 0 {
		t.Fatalf("go build %q has no -o", cmdline)
	}
	binary := filepath.Join(t.TempDir(), "advise")
	cmdline[out] = binary
	cmd := exec.Command("go", cmdline[1:]...)
	cmd.Dir = ".." // the build context is the repository, WORKDIR of the stage
	cmd.Env = append(os.Environ(), env...)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%q: %v\n%s", cmdline, err, output)
	}

	f, err := elf.Open(binary)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a PT_INTERP header: it needs a dynamic loader, which distroless/static lacks")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %q (%v)", libs, err)
	}

	info, err := buildinfo.ReadFile(binary) // what go version -m prints
	if err != nil {
		t.Fatal(err)
	}
	if info.Path != "github.com/placement-advisor/advise/cmd/advise" {
		t.Errorf("built %s, want the advise command", info.Path)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	want := map[string]string{"CGO_ENABLED": "0", "-trimpath": "true", "GOOS": runtime.GOOS, "GOARCH": runtime.GOARCH}
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("go version -m: %s=%q, want %q", k, settings[k], v)
		}
	}
	// With -trimpath, go does not record -ldflags (go.dev/issue/52372), so
	// the command line says whether the version and revision are set, and
	// the binary's own version command whether they took: the linker
	// ignores -X of a variable that does not exist.
	for name, set := range map[string]string{versionVar: testVersion, revisionVar: testRevision} {
		if !slices.Contains(cmdline, "-ldflags") || !strings.Contains(cmdline[slices.Index(cmdline, "-ldflags")+1], "-X "+name+"="+set) {
			t.Errorf("go build %q does not set %s", cmdline, name)
		}
	}
	if output, err := exec.Command(binary, "version").CombinedOutput(); err != nil {
		t.Errorf("%s version: %v\n%s", binary, err, output)
	} else if !strings.Contains(string(output), testVersion) || !strings.Contains(string(output), testRevision) {
		t.Errorf("%s version prints %q, want its version %s and revision %s", binary, output, testVersion, testRevision)
	}

	// The binary runs: its help exits 0.
	if output, err := exec.Command(binary, "help").CombinedOutput(); err != nil {
		t.Errorf("%s help: %v\n%s", binary, err, output)
	}
}
