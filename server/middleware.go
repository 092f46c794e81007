package server

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// requestID keeps the caller's X-Request-ID when it is sane, otherwise makes
// one, and echoes it on the response so both sides can quote it. The response
// header is also where the rest of the server reads it (requestIDOf): echo's
// c.Set would allocate a map for every request to hold it a second time.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		c.Response().Header()[echo.HeaderXRequestID] = []string{id}
		return next(c)
	}
}

// saneRequestID reports whether a caller's X-Request-ID may be kept: 1 to 64
// of A-Z, a-z, 0-9, '.', '_' and '-', nothing that could forge log lines or
// headers.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch b := id[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '.', b == '_', b == '-':
		default:
			return false
		}
	}
	return true
}

// afterFirstRequest runs fn once, after the first request has been handled.
// It runs in its own goroutine so that the answer is flushed first: net/http
// writes the buffered response only once the handler has returned.
func afterFirstRequest(fn func()) echo.MiddlewareFunc {
	var done atomic.Bool
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if !done.Load() && done.CompareAndSwap(false, true) {
				go fn()
			}
			return err
		}
	}
}

// requestIDOf is the id requestID chose for this request.
func requestIDOf(c echo.Context) string {
	if id := c.Response().Header()[echo.HeaderXRequestID]; len(id) > 0 {
		return id[0]
	}
	return ""
}

// requestLogger writes the access line, exactly one per request. It renders a
// handler's error itself, as echo's own logger does, so the line carries the
// final status. It records where the request came from and what it asked for,
// never the query string, headers or body: those may hold the caller's data.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			r := c.Request()
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", requestIDOf(c)),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", c.Response().Status),
				slog.Int64("bytes", c.Response().Size),
				slog.Float64("duration_ms", milliseconds(time.Since(start))),
				slog.String("remote", r.RemoteAddr))
			return nil
		}
	}
}

// milliseconds renders a duration for the logs with microsecond precision.
func milliseconds(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// recoverPanics turns a panic in a handler into an error, which the renderer
// answers with a 500 problem and logs with the stack. http.ErrAbortHandler is
// re-raised: it is net/http's way to abort a response on purpose.
func recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			}
		}()
		return next(c)
	}
}
