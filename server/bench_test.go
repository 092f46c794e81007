package server_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/placement-advisor/advise/bench/corpus"
	"github.com/placement-advisor/advise/server"
)

// BenchmarkAdviseHandler is the whole POST /advise handler, middleware
// included, without a network: each iteration sends one body of the corpus
// through the echo instance the server runs. BENCHMARKS.md holds the figures.
func BenchmarkAdviseHandler(b *testing.B) {
	sets, err := corpus.Sets()
	if err != nil {
		b.Fatal(err)
	}
	handler := server.New(engine, server.Options{})
	for _, set := range sets {
		b.Run(set.Name, func(b *testing.B) {
			corpus.Run(b, len(set.Bodies), func(i int) error {
				req := httptest.NewRequest(http.MethodPost, "/advise", bytes.NewReader(set.Bodies[i].JSON))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: status %d: %s", set.Bodies[i].Name, rec.Code, rec.Body)
				}
				return nil
			})
		})
	}
}

// BenchmarkMetricsCost is the whole POST /advise handler without metrics
// (a) and with them (b), side by side on the same bodies (corpus.RunPair):
// b/a is what recording the series costs an answer.
func BenchmarkMetricsCost(b *testing.B) {
	sets, err := corpus.Sets()
	if err != nil {
		b.Fatal(err)
	}
	reg, err := server.NewRegistry()
	if err != nil {
		b.Fatal(err)
	}
	plain, measured := server.New(engine, server.Options{}), server.New(engine, server.Options{Metrics: reg})
	post := func(handler http.Handler, body []byte) error {
		req := httptest.NewRequest(http.MethodPost, "/advise", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return fmt.Errorf("status %d: %s", rec.Code, rec.Body)
		}
		return nil
	}
	for _, set := range sets {
		b.Run(set.Name, func(b *testing.B) {
			corpus.RunPair(b, len(set.Bodies),
				func(i int) error { return post(plain, set.Bodies[i].JSON) },
				func(i int) error { return post(measured, set.Bodies[i].JSON) })
		})
	}
}
