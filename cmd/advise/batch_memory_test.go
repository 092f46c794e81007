package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/placement-advisor/advise/api"
)

// Test D of issue 18 (item 7): concurrent batches must not take memory
// without bound. The built server gets batchesInFlight batches of
// api.MaxBatch workloads at once, in each representation of the answer,
// and its peak resident memory (VmHWM) must stay under peakRSSBound. The
// figures it logs are the ones docs/RELIABILITY.md and BENCHMARKS.md
// state.
const (
	batchesInFlight = 64
	peakRSSBound    = 150 << 20
)

func TestConcurrentBatchesStayInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and sends it 64 concurrent batches per format")
	}
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("reads peak memory from /proc, which this system does not have")
	}
	bin := buildBinary(t)
	bodies := make([][]byte, batchesInFlight)
	for i := range bodies {
		bodies[i] = memoryBatch(i, api.MaxBatch)
	}
	for _, format := range []struct {
		name, accept string
		check        func(body []byte) error
	}{
		{"json", "application/json", checkJSONPortfolio},
		{"markdown", "text/markdown", checkMarkdownPortfolio},
		{"csv", "text/csv", checkCSVPortfolio},
	} {
		t.Run(format.name, func(t *testing.T) {
			addr := freeAddr(t)
			base := "http://" + addr
			// The defaults: on 2 CPUs, 64 requests in flight, so every
			// batch is inside the server at once.
			s := startBinary(t, bin, "--addr", addr)
			waitHealthy(t, base, s.exited, s.stderr)
			idle := procMemory(t, s.cmd.Process.Pid, "VmRSS")

			var wg sync.WaitGroup
			errs := make([]error, len(bodies))
			retries := make([]int, len(bodies))
			start := make(chan struct{})
			client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: batchesInFlight, MaxIdleConnsPerHost: batchesInFlight}}
			for i, body := range bodies {
				wg.Go(func() {
					<-start
					retries[i], errs[i] = postBatch(t.Context(), client, base, format.accept, body, format.check)
				})
			}
			close(start)
			wg.Wait()
			peak := procMemory(t, s.cmd.Process.Pid, "VmHWM")
			failed, retried := 0, 0
			for i, err := range errs {
				retried += retries[i]
				if err != nil {
					failed++
					if failed <= 3 {
						t.Errorf("batch %d: %v", i, err)
					}
				}
			}
			t.Logf("%s: %d batches of %d workloads (%d KB each), %d answered, %d retries after 503; server RSS idle %.1f MB, peak %.1f MB",
				format.name, len(bodies), api.MaxBatch, len(bodies[0])>>10, len(bodies)-failed, retried, mb(idle), mb(peak))
			if peak >= peakRSSBound {
				t.Errorf("peak RSS %.1f MB, want under %.0f MB", mb(peak), mb(peakRSSBound))
			}
		})
	}
}

// memoryBatch is a JSON array of n distinct workloads: a name, multi_tenant
// and two enum fields of the registry that vary from item to item, about
// 80 bytes each as in the measurement.
func memoryBatch(seed, n int) []byte {
	var enums []api.Field
	for _, f := range api.Fields() {
		if f.Kind == api.KindEnum {
			enums = append(enums, f)
		}
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		f, g := enums[(seed+i)%len(enums)], enums[(seed+i/len(enums)+1)%len(enums)]
		if g.Name == f.Name {
			g = enums[(seed+i+len(enums)/2)%len(enums)]
		}
		fmt.Fprintf(&b, `{"name":"batch %d item %d","multi_tenant":%t,%q:%q,%q:%q}`,
			seed, i, i%3 == 0, f.Name, f.Values[i%len(f.Values)], g.Name, g.Values[(i/7)%len(g.Values)])
	}
	b.WriteByte(']')
	return b.Bytes()
}

// postBatch sends one batch until it is admitted, as a client honouring
// 503 overloaded and Retry-After would, and checks the answer.
func postBatch(ctx context.Context, client *http.Client, base, accept string, body []byte, check func([]byte) error) (int, error) {
	for retries := 0; ; retries++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/advise/batch", bytes.NewReader(body))
		if err != nil {
			return retries, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		resp, err := client.Do(req)
		if err != nil {
			return retries, err
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return retries, fmt.Errorf("read the answer: %w", err)
		}
		if resp.StatusCode == http.StatusServiceUnavailable && retries < 100 {
			select {
			case <-ctx.Done():
				return retries, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return retries, fmt.Errorf("status %d: %.300s", resp.StatusCode, answer)
		}
		if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, accept) {
			return retries, fmt.Errorf("Content-Type %q, want %s", got, accept)
		}
		return retries, check(answer)
	}
}

func checkJSONPortfolio(body []byte) error {
	var pf api.Portfolio
	if err := json.Unmarshal(body, &pf); err != nil {
		return fmt.Errorf("not a portfolio: %w", err)
	}
	if len(pf.Items) != api.MaxBatch || pf.Summary.Total != api.MaxBatch || pf.Summary.Answered+pf.Summary.Failed != api.MaxBatch {
		return fmt.Errorf("%d items, summary %+v", len(pf.Items), pf.Summary)
	}
	for i, it := range pf.Items {
		if it.Index != i || (it.Answer == nil) == (it.Error == nil) {
			return fmt.Errorf("item %d: index %d, answer %t, error %t", i, it.Index, it.Answer != nil, it.Error != nil)
		}
	}
	return nil
}

func checkMarkdownPortfolio(body []byte) error {
	if !bytes.HasPrefix(body, []byte("# Portfolio placement\n")) {
		return fmt.Errorf("not the portfolio review: %.100q", body)
	}
	rows := 0
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), fmt.Sprintf("| %d | ", rows)) {
			rows++
		}
	}
	if rows != api.MaxBatch || !bytes.Contains(body, []byte("**Summary:** workloads 1000 ·")) {
		return fmt.Errorf("%d rows of the table, want %d, and the summary", rows, api.MaxBatch)
	}
	return nil
}

func checkCSVPortfolio(body []byte) error {
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		return fmt.Errorf("not CSV: %w", err)
	}
	if len(rows) != api.MaxBatch+1 {
		return fmt.Errorf("%d rows, want a header and %d", len(rows), api.MaxBatch)
	}
	for i, row := range rows[1:] {
		if row[0] != strconv.Itoa(i) {
			return fmt.Errorf("row %d has index %q", i, row[0])
		}
	}
	return nil
}

// procMemory reads a memory line of /proc/PID/status (VmRSS, VmHWM), in
// bytes.
func procMemory(t *testing.T, pid int, key string) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatal(errors.New(key + " not in /proc/PID/status"))
	return 0
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }
