package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// maxInputBytes bounds what the CLI reads from one file: a workload is a few
// hundred bytes and a portfolio of a thousand well under a megabyte, and
// "advise /dev/zero" should fail, not fill memory.
const maxInputBytes = 4 << 20

// workloadInput is one workload description as JSON, with a name for messages.
type workloadInput struct {
	source string // the file name, or "stdin", with the item's place in it
	body   []byte // JSON; YAML input is converted on the way in
}

// fileError is a workload file that could not be read at all.
type fileError struct {
	err error
}

func (e *fileError) Error() string        { return "cannot read workload: " + e.err.Error() }
func (e *fileError) Unwrap() error        { return e.err }
func (e *fileError) Is(target error) bool { return target == errBadInput }

// readWorkloads reads every file ("-" is standard input). A file holds one
// workload (a JSON or YAML object), a JSON array of them, a YAML stream of
// documents, or a CSV table with a row per workload. The answer is a
// portfolio when there is more than one file or any file holds a list,
// several documents or a table; otherwise it is a single answer.
func readWorkloads(paths []string, stdin io.Reader) ([]workloadInput, bool, error) {
	var all []workloadInput
	batch := len(paths) > 1
	for _, path := range paths {
		inputs, list, err := readFile(path, stdin)
		if err != nil {
			return nil, false, err
		}
		batch = batch || list
		all = append(all, inputs...)
	}
	return all, batch, nil
}

func readFile(path string, stdin io.Reader) ([]workloadInput, bool, error) {
	source := path
	r := stdin
	if path == "-" {
		source = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, false, &fileError{err: err}
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil && info.IsDir() {
			return nil, false, &fileError{err: fmt.Errorf("%s is a directory", path)}
		}
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, false, &fileError{err: err}
	}
	if len(body) > maxInputBytes {
		return nil, false, &fileError{err: fmt.Errorf("%s is larger than %d bytes", source, maxInputBytes)}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, false, &workloadError{source: source, err: &api.DecodeError{Reason: "it is empty; a workload needs at least multi_tenant"}}
	}
	switch {
	case isCSV(path, trimmed):
		docs, err := api.CSVDocuments(body)
		if err != nil {
			return nil, false, &workloadError{source: source, err: err}
		}
		return itemsOf(source, docs), true, nil
	case isYAML(path, trimmed):
		docs, err := api.YAMLDocuments(body)
		if err != nil {
			return nil, false, &workloadError{source: source, err: err}
		}
		return itemsOf(source, docs), len(docs) > 1 || trimmed[0] == '-', nil
	case trimmed[0] == '[':
		docs, err := api.JSONArrayDocuments(body)
		if err != nil {
			return nil, false, &workloadError{source: source, err: err}
		}
		return itemsOf(source, docs), true, nil
	}
	return []workloadInput{{source: source, body: body}}, false, nil
}

// isCSV tells a CSV table by its extension, else by its first line: a
// header of comma-separated names with no colon, or a single field name.
// Such a line is no workload in JSON or YAML, whose first line is a key
// with its colon, a "-", "---", "{", "[" or a comment.
func isCSV(path string, content []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return true
	case ".json", ".yaml", ".yml":
		return false
	}
	line, _, _ := bytes.Cut(bytes.TrimPrefix(content, []byte(utf8BOM)), []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 || line[0] == '#' || bytes.ContainsRune(line, ':') {
		return false
	}
	_, field := api.FieldIndex(string(line))
	return field || bytes.ContainsRune(line, ',')
}

// utf8BOM is the byte order mark spreadsheets start a CSV file with.
const utf8BOM = "\xef\xbb\xbf"

// itemsOf names each workload of a multi-workload file by its place in it.
func itemsOf(source string, docs [][]byte) []workloadInput {
	if len(docs) == 1 {
		return []workloadInput{{source: source, body: docs[0]}}
	}
	out := make([]workloadInput, len(docs))
	for i, d := range docs {
		out[i] = workloadInput{source: fmt.Sprintf("%s[%d]", source, i), body: d}
	}
	return out
}

// isYAML tells YAML from JSON by extension, else by content: JSON starts
// with "{" or "[".
func isYAML(path string, content []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	case ".json":
		return false
	}
	return content[0] != '{' && content[0] != '['
}
