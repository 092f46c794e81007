package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/bench/corpus"
)

// The benchmarks measure each step of a request on its own, over the example
// workloads and a generated mix (bench/corpus). Figures and how they compare
// with the goals are in BENCHMARKS.md; nothing here asserts a timing.

func benchSets(b *testing.B) []corpus.Set {
	b.Helper()
	sets, err := corpus.Sets()
	if err != nil {
		b.Fatal(err)
	}
	return sets
}

func BenchmarkDecode(b *testing.B) {
	for _, set := range benchSets(b) {
		b.Run(set.Name, func(b *testing.B) {
			corpus.Run(b, len(set.Bodies), func(i int) error {
				_, err := api.DecodeRequest(set.Bodies[i].JSON)
				return err
			})
		})
	}
}

func BenchmarkValidate(b *testing.B) {
	val := api.NewValidator()
	for _, set := range benchSets(b) {
		reqs := make([]api.Request, len(set.Bodies))
		for i, body := range set.Bodies {
			var err error
			if reqs[i], err = api.DecodeRequest(body.JSON); err != nil {
				b.Fatalf("%s: %v", body.Name, err)
			}
		}
		b.Run(set.Name, func(b *testing.B) {
			corpus.Run(b, len(reqs), func(i int) error {
				return val.Validate(&reqs[i])
			})
		})
	}
}

// BenchmarkEncode writes the golden answers of the examples as JSON, the
// way the server writes an answer (api.Answer.AppendJSON).
func BenchmarkEncode(b *testing.B) {
	files, err := filepath.Glob(filepath.Join(corpus.Root(), "examples", "golden", "*.answer.json"))
	if err != nil || len(files) == 0 {
		b.Fatalf("no golden answers: %v", err)
	}
	slices.Sort(files)
	answers := make([]api.Answer, len(files))
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &answers[i]); err != nil {
			b.Fatalf("%s: %v", f, err)
		}
	}
	// What the server writes with, and encoding/json for comparison.
	b.Run("examples", func(b *testing.B) {
		var buf []byte
		corpus.Run(b, len(answers), func(i int) error {
			var err error
			buf, err = answers[i].AppendJSON(buf[:0])
			return err
		})
	})
	b.Run("examples-encoding-json", func(b *testing.B) {
		corpus.Run(b, len(answers), func(i int) error {
			_, err := json.Marshal(&answers[i])
			return err
		})
	})
}
