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
	"sync/atomic"
	"syscall"
	"time"

	"github.com/placement-advisor/advise/api"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	serving := len(os.Args) > 1 && os.Args[1] == "serve"
	var caught atomic.Value
	go func() {
		sig := <-signals
		caught.Store(sig)
		cancel()
		if serving {
			return // serve drains what it has accepted, within its --grace
		}
		// Reading, parsing and compiling do not all watch ctx: the CLI
		// stops within stopGrace of the signal whatever it is doing.
		time.Sleep(stopGrace)
		os.Exit(signalExit(sig))
	}()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if sig, ok := caught.Load().(os.Signal); ok && !serving {
		os.Exit(signalExit(sig))
	}
	os.Exit(exitCode(err))
}

// stopGrace is how long the CLI waits, after SIGINT or SIGTERM, for what it
// is doing to notice and return before it exits regardless.
const stopGrace = 500 * time.Millisecond

// signalExit is the shell's exit status for a process ended by sig:
// 128 plus the signal's number, 130 for SIGINT and 143 for SIGTERM.
func signalExit(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return exitFailure
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
		case "version", "--version", "-version":
			return printVersion(args[1:], stdout)
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
