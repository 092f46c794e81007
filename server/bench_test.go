package server_test

import (
	"bytes"
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
