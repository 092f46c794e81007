package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Limits of the http.Server built by HTTPServer. The write timeout leaves
// room for the longest evaluation the default options allow.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 15 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 32 << 10
)

// HTTPServer wraps h in an http.Server with every timeout set, so a slow or
// idle client cannot hold a connection open indefinitely.
func HTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Run listens on addr and serves the advisor until ctx is cancelled, then
// shuts down gracefully; see Serve.
func Run(ctx context.Context, addr string, advisor Advisor, opts Options) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return Serve(ctx, ln, advisor, opts)
}

// Serve serves the advisor on ln until ctx is cancelled, then shuts down in
// three steps: /readyz turns 503 and keep-alives stop, so a load balancer
// takes the instance out and clients reconnect elsewhere; after
// opts.DrainDelay the listener closes, so new connections are refused; then
// requests in flight get up to opts.ShutdownGrace to finish before what is
// left is closed. It returns nil after a clean shutdown. Requests do not
// inherit ctx: cancelling it drains them rather than aborting them.
func Serve(ctx context.Context, ln net.Listener, advisor Advisor, opts Options) error {
	if opts.MetricsListener != nil && opts.Metrics == nil {
		return errors.Join(errMetricsListener, opts.MetricsListener.Close())
	}
	opts = opts.withDefaults()
	e, h := build(advisor, opts)
	srv := HTTPServer(ln.Addr().String(), e)
	srv.ErrorLog = slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if opts.MetricsListener != nil {
		stop := serveMetricsListener(opts.MetricsListener, h.metrics, opts.Logger)
		defer stop()
	}
	opts.Logger.Info("serving", slog.String("addr", ln.Addr().String()),
		slog.Int("max_in_flight", opts.MaxInFlight), slog.Bool("auth", opts.Token != ""),
		slog.Any("cors_origins", opts.CORSOrigins), slog.Bool("log_inputs", opts.LogInputs))

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	h.draining.Store(true)
	srv.SetKeepAlivesEnabled(false)
	opts.Logger.Info("draining", slog.Duration("drain_delay", opts.DrainDelay))
	if opts.DrainDelay > 0 {
		select {
		case <-time.After(opts.DrainDelay):
		case err := <-served:
			return fmt.Errorf("serve: %w", err)
		}
	}
	opts.Logger.Info("shutting down", slog.Duration("grace", opts.ShutdownGrace))
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(graceCtx); err != nil {
		closeErr := srv.Close()
		return fmt.Errorf("shutdown: %w", errors.Join(err, closeErr))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	opts.Logger.Info("stopped")
	return nil
}

// errMetricsListener is Serve's answer to a metrics listener with no
// metrics to serve on it.
var errMetricsListener = errors.New("serve: Options.MetricsListener needs Options.Metrics")

// serveMetricsListener serves GET /metrics on ln until the returned stop
// closes it. Scrapes go on through the drain, so the last of them see it;
// a failure to serve is logged, not fatal: the API goes on answering.
func serveMetricsListener(ln net.Listener, m *metrics, log *slog.Logger) (stop func()) {
	srv := HTTPServer(ln.Addr().String(), m.listenerHandler())
	srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", slog.String("addr", ln.Addr().String()), slog.String("error", err.Error()))
		}
	}()
	log.Info("serving metrics", slog.String("addr", ln.Addr().String()))
	return func() {
		_ = srv.Close() // a scrape cut short is retried at the next interval
		<-done
	}
}
