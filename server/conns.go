package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connTracker follows every connection Serve accepts, so that shutdown can
// end them one by one, each at a moment no request can be on it, instead of
// with http.Server's own idle sweep. That sweep (in SetKeepAlivesEnabled and
// Shutdown) closes a connection whose state is still idle although it has
// just read a request, so the handler runs and its answer is lost
// (golang/go#65802).
type connTracker struct {
	mu    sync.Mutex
	conns map[net.Conn]*trackedConn
}

// trackedConn is one connection's state as net/http last reported it.
type trackedConn struct {
	state http.ConnState
	since time.Time // when it entered state
	// closedByServer is set before the server closes the connection itself,
	// so a request cut off by that close is logged as the server's doing,
	// not as a caller who left (499).
	closedByServer atomic.Bool
}

type trackedConnKey struct{}

func newConnTracker() *connTracker {
	return &connTracker{conns: make(map[net.Conn]*trackedConn)}
}

// connContext is the http.Server ConnContext hook: it registers a new
// connection and hands its record to every request on it.
func (t *connTracker) connContext(ctx context.Context, c net.Conn) context.Context {
	tc := &trackedConn{state: http.StateNew, since: time.Now()}
	t.mu.Lock()
	t.conns[c] = tc
	t.mu.Unlock()
	return context.WithValue(ctx, trackedConnKey{}, tc)
}

// connState is the http.Server ConnState hook.
func (t *connTracker) connState(c net.Conn, state http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tc, ok := t.conns[c]
	if !ok {
		return
	}
	if state == http.StateClosed || state == http.StateHijacked {
		delete(t.conns, c)
		return
	}
	tc.state, tc.since = state, time.Now()
}

// closeIdle closes the connections that have been idle since before
// idleSince, and returns how many connections are left open. A client that
// keeps using a connection sends its next request within the window and is
// answered with Connection: close; one that has let it sit that long is
// closed, with the risk every keep-alive timeout has (a request sent at that
// very moment), and no more.
func (t *connTracker) closeIdle(idleSince time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c, tc := range t.conns {
		if tc.state == http.StateIdle && tc.since.Before(idleSince) {
			tc.closedByServer.Store(true)
			_ = c.Close() // the connection is going either way
			delete(t.conns, c)
		}
	}
	return len(t.conns)
}

// markAllClosedByServer records that the server is about to close every
// connection left, when the grace has run out.
func (t *connTracker) markAllClosedByServer() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tc := range t.conns {
		tc.closedByServer.Store(true)
	}
}

// closedByServer reports whether the connection ctx's request arrived on was
// closed by the server itself.
func closedByServer(ctx context.Context) bool {
	tc, ok := ctx.Value(trackedConnKey{}).(*trackedConn)
	return ok && tc.closedByServer.Load()
}
