package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-yaml"
)

// MaxBatch is the most workloads one batch may hold.
const MaxBatch = 1000

// ErrBatchTooLarge marks a batch with more than MaxBatch workloads. It is a
// DecodeError, so it also matches ErrDecode and renders like one.
var ErrBatchTooLarge = &DecodeError{Reason: fmt.Sprintf("a batch holds at most %d workloads; split it", MaxBatch)}

// SplitJSONArray reads a JSON array and returns each element's bytes, to be
// decoded one by one so that one bad workload does not fail the others. Only
// a body that is not an array, or holds more than max elements, is an error.
func SplitJSONArray(body []byte, max int) ([]json.RawMessage, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &DecodeError{Reason: "request body is empty; send a JSON array of workloads"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, describeJSONError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, &DecodeError{Reason: "request body must be a JSON array of workloads"}
	}
	var items []json.RawMessage
	for dec.More() {
		if len(items) == max {
			return nil, ErrBatchTooLarge
		}
		var item json.RawMessage
		if err := dec.Decode(&item); err != nil {
			return nil, describeJSONError(err)
		}
		items = append(items, item)
	}
	if _, err := dec.Token(); err != nil {
		return nil, describeJSONError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &DecodeError{Reason: "unexpected data after the array"}
	}
	return items, nil
}

// JSONArrayDocuments is SplitJSONArray with MaxBatch elements at most, each
// as the bytes DecodeRequest takes: the batch's workloads, as YAMLDocuments
// and CSVDocuments give theirs.
func JSONArrayDocuments(body []byte) ([][]byte, error) {
	items, err := SplitJSONArray(body, MaxBatch)
	if err != nil {
		return nil, err
	}
	docs := make([][]byte, len(items))
	for i, it := range items {
		docs[i] = it
	}
	return docs, nil
}

// YAMLDocuments turns a YAML stream into one JSON object per workload: each
// document is a workload, or a list of workloads. The JSON then goes through
// DecodeRequest, so YAML and JSON input meet exactly the same strictness.
// Duplicate keys are errors, and YAML 1.2 rules apply: `no` and `yes` stay
// strings, so they fail where a boolean is expected instead of being guessed.
//
// The input is bounded before it is decoded: at most MaxYAMLDepth levels
// of nesting and MaxYAMLNodes nodes with its aliases expanded.
func YAMLDocuments(body []byte) ([][]byte, error) {
	if err := checkYAMLBounds(body); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(body))
	var out [][]byte
	for doc := 1; ; doc++ {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &DecodeError{Field: duplicateKey(err), Reason: fmt.Sprintf("YAML document %d: %s", doc, oneLine(err))}
		}
		items := []any{v}
		if list, ok := v.([]any); ok {
			items = list
		}
		for _, item := range items {
			if item == nil {
				continue
			}
			raw, err := json.Marshal(item)
			if err != nil {
				return nil, &DecodeError{Reason: fmt.Sprintf("YAML document %d: %s", doc, oneLine(err))}
			}
			out = append(out, raw)
		}
	}
	if len(out) == 0 {
		return nil, &DecodeError{Reason: "no workload in the YAML input"}
	}
	return out, nil
}

// oneLine keeps the first line of a YAML error; the rest is a source excerpt
// that reads badly inside a one-line message.
func oneLine(err error) string {
	s, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return s
}

// duplicateKey names the key of a duplicate-key error, so the error points at
// the field like every other decoding error does.
func duplicateKey(err error) string {
	_, rest, ok := strings.Cut(err.Error(), `mapping key "`)
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, `"`)
	return key
}
