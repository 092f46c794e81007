// Command advise answers whether a workload should run on virtual machines, in
// containers or in a hybrid of the two, and says why, citing its sources.
//
// "advise FILE" evaluates a workload description with the rules built into the
// binary, or through a running service with --server; "advise serve" runs that
// service. Run "advise --help" for the flags, the exit codes and examples.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/placement-advisor/advise/api"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(exitCode(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)))
}

// Exit codes. A pipeline gates on them, so they say whose fault a failure is.
const (
	exitOK       = 0 // advice given, whatever it recommends
	exitFailure  = 1 // the advisor could not answer: rules, network, server error
	exitBadInput = 2 // the caller's mistake: command line or workload
	exitExpected = 3 // advice given, but not the recommendation --expect demanded
	exitChanged  = 4 // advise diff --fail-on-change: the new policy changes some advice
)

// errUsage marks a command line that cannot be run as given.
var errUsage = errors.New("usage error")

// errBadInput marks a workload that cannot be advised on: a file that cannot be
// read, or one the server rejected with a 4xx. Malformed and invalid workloads
// carry api.ErrDecode and api.ErrInvalid instead.
var errBadInput = errors.New("bad input")

// usageError is a command line mistake; the message says what was wrong.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCode maps the error run returned to the process exit code.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errExpectation):
		return exitExpected
	case errors.Is(err, errAdviceChanged):
		return exitChanged
	case errors.Is(err, errUsage),
		errors.Is(err, errBadInput),
		errors.Is(err, api.ErrDecode),
		errors.Is(err, api.ErrInvalid):
		return exitBadInput
	}
	return exitFailure
}

// run is the whole command minus the process: main only wires it to os. It
// reports a failure on stderr itself and returns the error for exitCode.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, stdin, stdout, stderr)
	if err != nil {
		reportError(stderr, err)
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "help":
			if len(args) > 1 && args[1] == "serve" {
				return writeString(stdout, serveHelp)
			}
			if len(args) > 1 && args[1] == "diff" {
				return writeString(stdout, diffHelp)
			}
			return writeString(stdout, mainHelp)
		case "serve":
			return serve(ctx, args[1:], stdout, stderr)
		case "diff":
			return diff(ctx, args[1:], stdin, stdout)
		}
	}
	return advise(ctx, args, stdin, stdout, stderr)
}

func writeString(w io.Writer, s string) error {
	_, err := io.WriteString(w, s)
	return err
}

// detailedError is an error with one line per problem, such as a validation
// error naming several fields.
type detailedError interface {
	error
	headline() string
	details() []string
}

// reportError prints err as "advise: <message>", one problem per line when
// there are several, and a pointer to the help after a usage error.
func reportError(w io.Writer, err error) {
	var detailed detailedError
	// What an error repeats of the input reaches the terminal escaped.
	if errors.As(err, &detailed) {
		fmt.Fprintf(w, "advise: %s\n", api.SafeText(detailed.headline()))
		for _, d := range detailed.details() {
			fmt.Fprintf(w, "  %s\n", api.SafeText(d))
		}
	} else {
		fmt.Fprintf(w, "advise: %s\n", api.SafeText(strings.TrimSpace(err.Error())))
	}
	if errors.Is(err, errUsage) {
		fmt.Fprintln(w, "Run 'advise --help' for usage.")
	}
}
