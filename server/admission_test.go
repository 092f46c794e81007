package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/placement-advisor/advise/server"
)

// TestStalledUploadsDoNotLockOthersOut is test A of issue 18: 160 uploads
// from one address stall after a byte of their body, while callers from
// another address send good requests. The stalled bodies hold reading slots
// (half of them from one address; the rest are refused at once), not the
// slots of requests ready to be answered, so at least 99 % of the good
// requests are answered 200; /readyz reports the reading meanwhile.
func TestStalledUploadsDoNotLockOthersOut(t *testing.T) {
	srv := start(t, engine, server.Options{MaxInFlight: 64})
	addr := strings.TrimPrefix(srv.URL, "http://")
	attacker := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	var stalled []net.Conn
	// MaxInFlight 64 gives 256 reading slots. The attacker's first 128
	// uploads are read while slots are plenty; from half on, an address
	// holding its share of 8 gets no more, so the other 32 are refused.
	for range 160 {
		conn, err := attacker.Dial("tcp", addr)
		if err != nil {
			t.Skipf("cannot dial from 127.0.0.2 here: %v", err)
		}
		stalled = append(stalled, conn)
		if _, err := io.WriteString(conn, "POST /advise HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, c := range stalled {
			c.Close()
		}
	})
	// Wait for the server to be reading the 128 bodies it admits.
	var ready struct {
		Saturation server.Saturation `json:"saturation"`
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		resp, body := call{path: "/readyz"}.do(t, srv)
		if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &ready) == nil && ready.Saturation.Reading == 128 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stalled uploads never held their reading slots: %s", body)
		}
	}

	const good = 640
	var ok, refused atomic.Int64
	var wg sync.WaitGroup
	next := make(chan int)
	// The good callers share one address too (127.0.0.1), and with the
	// attacker holding half the reading slots, that address's share of 8
	// applies to them: 8 callers, one request each at a time, stay within
	// it, as 8 callers on 8 addresses would.
	for range 8 {
		wg.Go(func() {
			for range next {
				resp, _ := postJSON(`{"multi_tenant":true,"startup_sla_ms":500}`).do(t, srv)
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					refused.Add(1)
				}
			}
		})
	}
	for i := range good {
		next <- i
	}
	close(next)
	wg.Wait()
	t.Logf("%d of %d good requests answered 200 beside 160 stalled uploads (%d refused)", ok.Load(), good, refused.Load())
	if ok.Load()*100 < good*99 {
		t.Errorf("only %d of %d good requests answered", ok.Load(), good)
	}
}
