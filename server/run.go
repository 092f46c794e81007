package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
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

// Serve serves the advisor on ln until ctx is cancelled, then shuts down
// without losing an answer it accepted:
//
//  1. /readyz turns 503 and every answer from then on carries Connection:
//     close, so a load balancer takes the instance out and each client's
//     next request on a kept-alive connection is its last there;
//  2. after opts.DrainDelay the listener closes, so new connections are
//     refused;
//  3. each connection then ends on its own after its answer, and one left
//     idle for opts.DrainIdle is closed;
//  4. once none is left, or opts.ShutdownGrace after the listener closed,
//     the server stops; what is still open then is closed.
//
// The idle connections are closed one by one, each only after it has been
// idle for the whole window, rather than by http.Server's idle sweep
// (SetKeepAlivesEnabled(false), Shutdown), which can close a connection that
// has just read a request (golang/go#65802). It returns nil after a clean
// shutdown. Requests do not inherit ctx: cancelling it drains them rather
// than aborting them.
func Serve(ctx context.Context, ln net.Listener, advisor Advisor, opts Options) error {
	if opts.MetricsListener != nil && opts.Metrics == nil {
		return errors.Join(errMetricsListener, opts.MetricsListener.Close())
	}
	opts = opts.withDefaults()
	e, h := build(advisor, opts)
	srv := HTTPServer(ln.Addr().String(), e)
	srv.ErrorLog = slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn)
	conns := newConnTracker()
	srv.ConnContext, srv.ConnState = conns.connContext, conns.connState

	// listenerClosed tells the Serve goroutine's accept error, when the
	// drain closes the listener, from a real failure.
	var listenerClosed atomic.Bool
	served := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if listenerClosed.Load() && errors.Is(err, net.ErrClosed) {
			err = nil
		}
		served <- err
	}()
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
	drainStart := time.Now()
	h.draining.Store(true)
	opts.Logger.Info("draining", slog.Duration("drain_delay", opts.DrainDelay), slog.Duration("drain_idle", opts.DrainIdle))
	if opts.DrainDelay > 0 {
		select {
		case <-time.After(opts.DrainDelay):
		case err := <-served:
			return fmt.Errorf("serve: %w", err)
		}
	}
	opts.Logger.Info("shutting down", slog.Duration("grace", opts.ShutdownGrace))
	listenerClosed.Store(true)
	if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("close listener: %w", err)
	}
	if err := <-served; err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	// Wait for the connections to end, closing the idle ones once they have
	// sat through the window. A connection counts as idle from when the drain
	// began at the earliest: before that, nothing told its client to stop.
	graceEnd := time.Now().Add(opts.ShutdownGrace)
	tick := time.NewTicker(drainPoll)
	defer tick.Stop()
	left := conns.closeIdle(idleSince(drainStart, opts.DrainIdle))
	for left > 0 && time.Now().Before(graceEnd) {
		<-tick.C
		left = conns.closeIdle(idleSince(drainStart, opts.DrainIdle))
	}
	if left > 0 {
		conns.markAllClosedByServer()
		closeErr := srv.Close()
		return fmt.Errorf("shutdown: %d connection(s) still open after %s: %w", left, opts.ShutdownGrace, errors.Join(context.DeadlineExceeded, closeErr))
	}
	// Nothing is open: Shutdown only releases the server's own state.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainPoll)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	opts.Logger.Info("stopped")
	return nil
}

// drainPoll is how often the drain looks at the connections left.
const drainPoll = 20 * time.Millisecond

// idleSince is the moment before which a connection must have gone idle to
// be closed now: the window back from now. Until the window has passed since
// the drain began, it is the zero time, before every connection.
func idleSince(drainStart time.Time, window time.Duration) time.Time {
	cutoff := time.Now().Add(-window)
	if cutoff.Before(drainStart) {
		return time.Time{}
	}
	return cutoff
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
