package server

import (
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
)

// admission decides which requests are handled. A request takes one of
// MaxInFlight slots to be handled, but one with a body (the advice
// endpoints) takes it only once its body is in: a slow upload holds a
// reading slot instead, of which there are MaxReading in all. Once half of
// them are taken, a client address holding MaxReadingPerClient gets no more
// until it frees one: a share is enforced only when reading slots are
// scarce, so many callers behind one address (a proxy, a NAT, a load test
// on loopback) are not refused while slots are plenty, and one address
// stalling uploads takes at most half. So a few slow or stalled uploads
// cannot take the slots of requests that are ready to be answered; one that
// finds no slot is answered 503 overloaded at once, never queued.
type admission struct {
	inFlight chan struct{}
	reading  chan struct{}

	mu        sync.Mutex
	perClient map[string]int
	maxClient int

	// metrics counts the refusals; nil counts nothing.
	metrics *metrics
}

func newAdmission(o Options) *admission {
	return &admission{
		inFlight:  make(chan struct{}, o.MaxInFlight),
		reading:   make(chan struct{}, o.MaxReading),
		perClient: map[string]int{},
		maxClient: o.MaxReadingPerClient,
	}
}

// bodyRoutes are the routes whose handlers take their in-flight slot after
// reading the body (see enter).
var bodyRoutes = map[string]bool{"/advise": true, "/advise/batch": true, pathPage: true, pathPortfolio: true, pathRulesPage: true}

// middleware gives every request but the probes, the scrapes (bounded on
// their own: serveMetrics) and the body routes its in-flight slot for as
// long as it is handled.
func (a *admission) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isProbe(c) || c.Path() == pathMetrics || (c.Request().Method == http.MethodPost && bodyRoutes[c.Path()]) {
			return next(c)
		}
		leave, err := a.enter()
		if err != nil {
			return err
		}
		defer leave()
		return next(c)
	}
}

// enter takes an in-flight slot, or fails with 503 overloaded.
func (a *admission) enter() (func(), error) {
	select {
	case a.inFlight <- struct{}{}:
		return func() { <-a.inFlight }, nil
	default:
		a.metrics.refused(limitInFlight)
		return nil, &problemError{kind: overloaded, detail: fmt.Sprintf("the server is answering its limit of %d requests; retry after the Retry-After delay", cap(a.inFlight))}
	}
}

// startReading takes a reading slot for c's body, within its client
// address's share when slots are scarce, or fails with 503 overloaded.
func (a *admission) startReading(c echo.Context) (func(), error) {
	client := clientAddress(c.Request())
	a.mu.Lock()
	if a.perClient[client] >= a.maxClient && 2*len(a.reading) >= cap(a.reading) {
		a.mu.Unlock()
		a.metrics.refused(limitClientReading)
		return nil, &problemError{kind: overloaded, detail: fmt.Sprintf("%d request bodies from your address are already being read; retry after the Retry-After delay", a.maxClient)}
	}
	select {
	case a.reading <- struct{}{}:
	default:
		a.mu.Unlock()
		a.metrics.refused(limitReading)
		return nil, &problemError{kind: overloaded, detail: fmt.Sprintf("the server is reading its limit of %d request bodies; retry after the Retry-After delay", cap(a.reading))}
	}
	a.perClient[client]++
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		if a.perClient[client]--; a.perClient[client] <= 0 {
			delete(a.perClient, client)
		}
		a.mu.Unlock()
		<-a.reading
	}, nil
}

// clientAddress is the host of the connection's remote address: the only
// address a caller cannot choose (X-Forwarded-For is the caller's to write).
// Behind a proxy every caller has the proxy's; its share applies only once
// reading slots are scarce, but raise MaxReadingPerClient there.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Saturation is how full the admission is, as /readyz reports it.
type Saturation struct {
	InFlight    int `json:"in_flight"`
	MaxInFlight int `json:"max_in_flight"`
	Reading     int `json:"reading"`
	MaxReading  int `json:"max_reading"`
}

func (a *admission) saturation() Saturation {
	return Saturation{InFlight: len(a.inFlight), MaxInFlight: cap(a.inFlight), Reading: len(a.reading), MaxReading: cap(a.reading)}
}

// full reports whether no request with a body could be answered now.
func (s Saturation) full() bool {
	return s.InFlight >= s.MaxInFlight || s.Reading >= s.MaxReading
}
