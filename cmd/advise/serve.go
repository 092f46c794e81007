package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/placement-advisor/advise/internal/version"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/reload"
	"github.com/placement-advisor/advise/server"
)

// serveOptions is the parsed command line of "advise serve".
type serveOptions struct {
	addr   string
	server server.Options
	policy policy.Options
	// reload is where updates of the policy come from, beside SIGHUP.
	watch         bool
	watchInterval time.Duration
	bundle        *reload.BundleConfig

	// metricsAddr, when set, is where GET /metrics is served instead of
	// addr.
	metricsAddr string
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
	build := version.Get()
	logger.Info("starting", slog.String("version", build.Version), slog.String("revision", build.Revision),
		slog.String("go_version", build.GoVersion), slog.String("opa_version", build.OPAVersion))
	if opts.server.Metrics, err = server.NewRegistry(); err != nil {
		return fmt.Errorf("cannot start: %w", err)
	}
	if opts.metricsAddr != "" {
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", opts.metricsAddr)
		if err != nil {
			return fmt.Errorf("cannot start: --metrics-addr: %w", err)
		}
		opts.server.MetricsListener = ln // closed by server.Run
		defer ln.Close()                 // should Run not be reached
	}
	// With a bundle server the first policy comes from it: /readyz answers
	// 503 until then. Otherwise the policy loads before the server listens.
	var initial *policy.Engine
	resumeGC := func() {}
	if opts.bundle == nil {
		var err error
		if initial, resumeGC, err = newEnginePaused(ctx, opts.policy); err != nil {
			return fmt.Errorf("cannot start: load %s: %w", policyLabel(opts.policy), err)
		}
		info := initial.Info()
		logger.Info("policy loaded", slog.String("trigger", reload.TriggerStart), slog.String("version", info.Version), slog.String("digest", info.Digest), slog.Int("rules", len(initial.Rules())))
	}
	defer resumeGC() // should no request come before shutdown
	opts.server.AfterFirstRequest = resumeGC
	holder := reload.New(reload.Config{Policy: opts.policy, Watch: opts.watch, WatchInterval: opts.watchInterval, Bundle: opts.bundle, Logger: logger}, initial)

	watchCtx, stopWatching := context.WithCancel(ctx)
	var watchers sync.WaitGroup
	defer func() {
		stopWatching()
		watchers.Wait()
	}()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	watchers.Go(func() {
		for {
			select {
			case <-watchCtx.Done():
				return
			case <-hup:
				_ = holder.Reload(watchCtx, reload.TriggerSIGHUP) // logged and counted by the holder
			}
		}
	})
	watchers.Go(func() {
		if err := holder.Run(watchCtx); err != nil {
			logger.Error("policy watch stopped", slog.String("error", err.Error()))
		}
	})
	if err := server.Run(ctx, opts.addr, holder, opts.server); err != nil {
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
	fs.DurationVar(&opts.server.DrainIdle, "drain-idle", server.DefaultDrainIdle, "")
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
	fs.StringVar(&opts.metricsAddr, "metrics-addr", "", "")
	addPolicyFlags(fs, &opts.policy)
	fs.BoolVar(&opts.watch, "watch", false, "")
	fs.DurationVar(&opts.watchInterval, "watch-interval", time.Second, "")
	var bundle reload.BundleConfig
	var keyFile string
	fs.StringVar(&bundle.URL, "bundle-url", "", "")
	fs.DurationVar(&bundle.MinDelay, "bundle-poll", 10*time.Second, "")
	fs.StringVar(&keyFile, "verification-key", "", "")
	fs.StringVar(&bundle.VerificationAlg, "verification-alg", "RS256", "")
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
	case opts.server.DrainIdle <= 0:
		return opts, usagef("serve: --drain-idle must be a positive duration such as 1s")
	case opts.server.MaxInFlight <= 0:
		return opts, usagef("serve: --max-in-flight must be at least 1")
	}
	switch {
	case opts.policy.NoBuiltinRules && len(opts.policy.Paths) == 0 && bundle.URL == "":
		return opts, usagef("serve: --no-builtin-rules needs a --policy or a --bundle-url")
	case opts.watch && len(opts.policy.Paths) == 0:
		return opts, usagef("serve: --watch watches the --policy paths; give at least one")
	case opts.watchInterval <= 0:
		return opts, usagef("serve: --watch-interval must be a positive duration such as 1s")
	case keyFile != "" && bundle.URL == "":
		return opts, usagef("serve: --verification-key checks bundles from --bundle-url; give one")
	}
	if bundle.URL != "" {
		bundle.MaxDelay = 2 * bundle.MinDelay
		if err := reload.CheckBundleConfig(bundle); err != nil {
			return opts, usagef("serve: %v", err)
		}
		if keyFile != "" {
			key, err := os.ReadFile(keyFile)
			if err != nil {
				return opts, usagef("serve: --verification-key: %v", err)
			}
			bundle.VerificationKey = string(key)
		}
		opts.bundle = &bundle
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
