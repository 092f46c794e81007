package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Probe paths answer load balancers and orchestrators: they need neither a
// token nor a slot of the concurrency limit, so a saturated or locked-down
// server still tells them how it is.
const (
	pathHealthz = "/healthz"
	pathReadyz  = "/readyz"
)

func isProbe(c echo.Context) bool {
	p := c.Request().URL.Path
	return p == pathHealthz || p == pathReadyz
}

// inFlightPerCPU sizes the default concurrency limit. An answer is CPU bound
// (about 0.1 ms of one core on the reference machine over HTTP, what-if
// included; BENCHMARKS.md), so requests beyond the cores only queue: with 32
// per core a full house waits a few milliseconds for its turn, and a core
// slowed a hundredfold by its neighbours still answers well inside the
// default 2 s evaluation deadline. Admitting more would not add throughput,
// only answers that time out after burning CPU; refusing them at once with
// Retry-After lets the caller back off or go to another replica.
const inFlightPerCPU = 32

// DefaultMaxInFlight is the concurrency limit applied when Options.MaxInFlight
// is zero: inFlightPerCPU per usable CPU (GOMAXPROCS).
func DefaultMaxInFlight() int {
	return inFlightPerCPU * runtime.GOMAXPROCS(0)
}

// secureHeaders sets the response headers every answer of a JSON API should
// carry, problems included: no MIME sniffing, no framing, no referrer, no
// active content, and no caching of answers that depend on the caller's input.
// The keys are canonical (echo's header names are) and the values shared and
// never written to, so each request pays for five map stores, not for
// canonicalising five keys and allocating five slices (Header.Set's work).
func secureHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h[echo.HeaderXContentTypeOptions] = nosniff
		h[echo.HeaderXFrameOptions] = denyFraming
		h[echo.HeaderReferrerPolicy] = noReferrer
		h[echo.HeaderContentSecurityPolicy] = noActiveContent
		h[echo.HeaderCacheControl] = noStore
		return next(c)
	}
}

// closeConnection answers on a connection it then closes (Connection:
// close) in two cases:
//   - the request came with a Transfer-Encoding. With Transfer-Encoding and
//     Content-Length both, a proxy that honours the Content-Length frames
//     the next request otherwise than this server does: keeping the
//     connection would open request smuggling (RFC 9112 §6.1). Real clients
//     send their bodies with a length; a chunked one is rare enough that a
//     new connection costs nothing.
//   - the server is draining: this answer is the client's last on the
//     connection, which then ends without the server closing it under a
//     request (see Serve).
func (h *handlers) closeConnection(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if len(c.Request().TransferEncoding) > 0 || h.draining.Load() {
			c.Response().Header()[echo.HeaderConnection] = closeConnection
		}
		return next(c)
	}
}

var closeConnection = []string{"close"}

// The values secureHeaders sets. Each has a length and capacity of one, so a
// later Header.Add appends to a copy, never to the shared array.
var (
	nosniff         = []string{"nosniff"}
	denyFraming     = []string{"DENY"}
	noReferrer      = []string{"no-referrer"}
	noActiveContent = []string{"default-src 'none'; frame-ancestors 'none'"}
	noStore         = []string{"no-store"}
)

// bearerAuth requires "Authorization: Bearer <token>" on every path but the
// probes and the page, which checks the token itself (pageAuthFailure). The comparison is of SHA-256 digests in constant time, so neither
// the content nor the length of the token leaks through timing.
func bearerAuth(token string) echo.MiddlewareFunc {
	want := sha256.Sum256([]byte(token))
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if isProbe(c) || isPage(c) {
				return next(c)
			}
			given, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
			if !ok {
				return &problemError{
					kind:    unauthorized,
					detail:  "this server requires an Authorization: Bearer <token> header",
					headers: http.Header{echo.HeaderWWWAuthenticate: {`Bearer realm="advise"`}},
				}
			}
			got := sha256.Sum256([]byte(given))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				return &problemError{
					kind:    unauthorized,
					detail:  "the bearer token is not valid",
					headers: http.Header{echo.HeaderWWWAuthenticate: {`Bearer realm="advise", error="invalid_token"`}},
				}
			}
			return next(c)
		}
	}
}

// bearerToken reads the credentials of a Bearer Authorization header; the
// scheme is case-insensitive (RFC 9110 §11.1).
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(header, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// ErrBadOption marks an Options value that cannot be served as given.
var ErrBadOption = errors.New("bad server option")

// optionError says what is wrong with an option; it matches ErrBadOption.
type optionError struct{ reason string }

func (e *optionError) Error() string        { return e.reason }
func (e *optionError) Is(target error) bool { return target == ErrBadOption }

// CheckToken reports whether token is usable as a bearer token: at least 16
// characters of the RFC 6750 b64token alphabet, so any client can send it
// verbatim and it is not trivially guessed.
func CheckToken(token string) error {
	if len(token) < 16 {
		return &optionError{"the token must be at least 16 characters"}
	}
	trimmed := strings.TrimRight(token, "=")
	for _, r := range trimmed {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+/", r)) {
			return &optionError{"the token may hold only letters, digits and - . _ ~ + / (then = padding)"}
		}
	}
	if trimmed == "" {
		return &optionError{"the token must not be only padding"}
	}
	return nil
}

// CheckOrigin reports whether origin is a serialised web origin the CORS
// middleware can match exactly: scheme http or https, a host, an optional
// port, nothing else. Wildcards are refused on purpose.
func CheckOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		strings.ContainsAny(origin, "*?") || strings.HasSuffix(origin, "/") {
		return &optionError{fmt.Sprintf("CORS origin %q must be scheme://host[:port], such as https://tools.example.com", origin)}
	}
	return nil
}

// cors lets browsers on the configured origins call the API. Origins are
// matched exactly: echo's pattern matching of '*' and '?' is bypassed by
// deciding in AllowOriginFunc, so a stray wildcard can never open the API to
// every site. Preflights are answered here, before authentication, because
// browsers send them without credentials.
func cors(origins []string) echo.MiddlewareFunc {
	allowed := make(map[string]bool, len(origins))
	for _, o := range origins {
		allowed[o] = true
	}
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOriginFunc: func(origin string) (bool, error) { return allowed[origin], nil },
		AllowMethods:    []string{http.MethodGet, http.MethodPost},
		AllowHeaders: []string{
			echo.HeaderAuthorization, echo.HeaderContentType, echo.HeaderXRequestID,
			echo.HeaderAccept, "Accept-Language",
		},
		ExposeHeaders: []string{echo.HeaderXRequestID, echo.HeaderRetryAfter, "Content-Language", echo.HeaderWWWAuthenticate},
		MaxAge:        600,
	})
}
