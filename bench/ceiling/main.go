// Command ceiling is the HTTP floor the advisor is measured against: an echo
// server whose POST /advise reads the body, decodes it strictly into an
// api.Request exactly as the advisor does, and answers a fixed advice of
// typical size without evaluating any rules. Everything it costs (accepting
// connections, routing, reading and decoding the request, writing about 6 kB
// of JSON) the real server pays too, so its throughput is the ceiling
// bench/run.sh divides the advisor's by: what is left is the price of the
// rules and the explanations.
//
// With -cost it first spends that much CPU on each request, so that it
// serves about as many requests a second as the advisor does; bench/tail.sh
// compares the two latency tails at the same rate that way.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

// The advisor's body limit and server timeouts (server.DefaultBodyLimit and
// server.HTTPServer), copied rather than imported: the server package pulls
// in OPA, whose start-up and memory would blur the floor this measures.
const (
	bodyLimit         = 64 << 10
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 32 << 10
)

// defaultAnswer is a golden answer whose compact JSON (about 12.6 kB) is close
// to the mean size of the advisor's answers to loadgen's generated mix.
const defaultAnswer = "examples/golden/hardware-isolated-tokenisation.answer.json"

func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (port 0 picks a free one; the address is printed)")
	answerFile := fs.String("answer", defaultAnswer, "JSON file whose content, compacted, is every answer")
	cost := fs.Duration("cost", 0, "CPU time to spend on each request before answering, e.g. 90us (default none: the floor)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cost < 0 {
		return fmt.Errorf("-cost must not be negative, got %s", *cost)
	}
	answer, err := readAnswer(*answerFile)
	if err != nil {
		return err
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.POST("/advise", func(c echo.Context) error {
		// The advisor's default body limit, read the same way.
		body, err := io.ReadAll(http.MaxBytesReader(c.Response().Writer, c.Request().Body, bodyLimit))
		if err != nil {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error())
		}
		if _, err := api.DecodeRequest(body); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, err.Error())
		}
		spin(*cost)
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, answer)
	})

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	// The same timeouts as the advisor's server, so neither side is spared
	// any per-connection work.
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	fmt.Fprintf(stderr, "ceiling: listening on %s, answering %d bytes, spending %s a request\n", ln.Addr(), len(answer), *cost)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// spin keeps the CPU busy for d without blocking or allocating, as the
// advisor's rules keep it busy: with -cost the floor serves at the
// advisor's rate, and what its latency does then owes nothing to the
// advisor's own code (bench/tail.sh).
func spin(d time.Duration) {
	if d <= 0 {
		return
	}
	for start := time.Now(); time.Since(start) < d; {
	}
}

// readAnswer reads the fixed answer and compacts it, as the advisor's
// encoder writes no indentation.
func readAnswer(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("read answer %s: %w", path, err)
	}
	return buf.Bytes(), nil
}
