package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

// serveOptions is the parsed command line of "advise serve".
type serveOptions struct {
	addr   string
	server server.Options
	policy policy.Options
}

// serve runs "advise serve" until ctx is cancelled (SIGINT or SIGTERM in main),
// then shuts down gracefully and returns nil.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseServeArgs(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeString(stdout, serveHelp)
		}
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	opts.server.Logger = logger
	engine, resumeGC, err := newEnginePaused(ctx, opts.policy)
	if err != nil {
		return fmt.Errorf("cannot start: load %s: %w", policyLabel(opts.policy), err)
	}
	defer resumeGC() // should no request come before shutdown
	opts.server.AfterFirstRequest = resumeGC
	info := engine.Info()
	logger.Info("policy loaded", slog.String("version", info.Version), slog.String("digest", info.Digest), slog.Int("rules", len(engine.Rules())))
	if err := server.Run(ctx, opts.addr, engine, opts.server); err != nil {
		return fmt.Errorf("serve on %s: %w", opts.addr, err)
	}
	return nil
}

func parseServeArgs(args []string) (serveOptions, error) {
	opts := serveOptions{addr: defaultAddr}
	if env, ok := os.LookupEnv(envAddr); ok && env != "" {
		opts.addr = env
	}
	fs := flag.NewFlagSet("advise serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by serveHelp
	fs.StringVar(&opts.addr, "addr", opts.addr, "")
	fs.Int64Var(&opts.server.BodyLimit, "body-limit", server.DefaultBodyLimit, "")
	fs.DurationVar(&opts.server.EvalTimeout, "eval-timeout", server.DefaultEvalTimeout, "")
	fs.DurationVar(&opts.server.ShutdownGrace, "grace", server.DefaultShutdownGrace, "")
	fs.DurationVar(&opts.server.DrainDelay, "drain-delay", 0, "")
	fs.IntVar(&opts.server.MaxInFlight, "max-in-flight", server.DefaultMaxInFlight(), "")
	opts.server.Token = os.Getenv(envToken)
	fs.StringVar(&opts.server.Token, "token", opts.server.Token, "")
	fs.Func("cors-origin", "", func(origin string) error {
		if err := server.CheckOrigin(origin); err != nil {
			return err
		}
		opts.server.CORSOrigins = append(opts.server.CORSOrigins, origin)
		return nil
	})
	fs.BoolVar(&opts.server.LogInputs, "log-inputs", false, "")
	addPolicyFlags(fs, &opts.policy)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, err
		}
		return opts, usagef("serve: %v", err)
	}
	if fs.NArg() > 0 {
		return opts, usagef("serve takes no arguments, got %q", fs.Arg(0))
	}
	switch {
	case opts.addr == "":
		return opts, usagef("serve: --addr must not be empty")
	case opts.server.BodyLimit <= 0:
		return opts, usagef("serve: --body-limit must be a positive number of bytes")
	case opts.server.EvalTimeout <= 0:
		return opts, usagef("serve: --eval-timeout must be a positive duration such as 2s")
	case opts.server.EvalTimeout >= server.WriteTimeout:
		// The answer must still be writable when the evaluation takes its time.
		return opts, usagef("serve: --eval-timeout must be shorter than the server's %s write timeout", server.WriteTimeout)
	case opts.server.ShutdownGrace <= 0:
		return opts, usagef("serve: --grace must be a positive duration such as 10s")
	case opts.server.DrainDelay < 0:
		return opts, usagef("serve: --drain-delay must not be negative")
	case opts.server.MaxInFlight <= 0:
		return opts, usagef("serve: --max-in-flight must be at least 1")
	}
	if opts.server.Token != "" {
		if err := server.CheckToken(opts.server.Token); err != nil {
			return opts, usagef("serve: --token or $%s: %v", envToken, err)
		}
	}
	return opts, nil
}

// envToken holds the bearer token for "advise serve" when --token is not
// given. The environment is the better place for it: a flag shows in the
// process list.
const envToken = "ADVISE_TOKEN"
