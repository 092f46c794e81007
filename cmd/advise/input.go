package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/placement-advisor/advise/api"
)

// maxWorkloadBytes bounds what the CLI reads: a workload description is a few
// hundred bytes, and "advise /dev/zero" should fail, not fill memory.
const maxWorkloadBytes = 1 << 20

// workloadInput is a workload description as JSON, with a name for messages.
type workloadInput struct {
	source string // the file name, or "stdin"
	body   []byte // JSON; YAML input is converted on the way in
}

// fileError is a workload file that could not be read at all.
type fileError struct {
	err error
}

func (e *fileError) Error() string        { return "cannot read workload: " + e.err.Error() }
func (e *fileError) Unwrap() error        { return e.err }
func (e *fileError) Is(target error) bool { return target == errBadInput }

// readWorkload reads the workload from path, or from stdin when path is "-".
// YAML (by a .yaml/.yml extension, or by content when it does not start with
// "{") is converted to JSON so that one strict decoder checks every input.
func readWorkload(path string, stdin io.Reader) (workloadInput, error) {
	in := workloadInput{source: path}
	r := stdin
	if path == "-" {
		in.source = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return in, &fileError{err: err}
		}
		defer f.Close()
		if info, err := f.Stat(); err == nil && info.IsDir() {
			return in, &fileError{err: fmt.Errorf("%s is a directory", path)}
		}
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, maxWorkloadBytes+1))
	if err != nil {
		return in, &fileError{err: err}
	}
	if len(body) > maxWorkloadBytes {
		return in, &fileError{err: fmt.Errorf("%s is larger than %d bytes", in.source, maxWorkloadBytes)}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return in, &workloadError{source: in.source, err: &api.DecodeError{Reason: "it is empty; a workload needs at least multi_tenant"}}
	}
	if isYAML(path, trimmed) {
		body, err = yamlToJSON(body)
		if err != nil {
			return in, &workloadError{source: in.source, err: err}
		}
	}
	in.body = body
	return in, nil
}

func isYAML(path string, content []byte) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return true
	case ".json":
		return false
	}
	return content[0] != '{'
}

// yamlToJSON converts one YAML mapping to JSON. Duplicate keys are an error, as
// in JSON; everything else (unknown fields, types, values) is left to the
// strict JSON decoder and the validator.
func yamlToJSON(body []byte) ([]byte, error) {
	out, err := yaml.YAMLToJSON(body)
	if err != nil {
		var yamlErr yaml.Error
		msg := err.Error()
		if errors.As(err, &yamlErr) {
			msg = yaml.FormatError(err, false, false)
		}
		return nil, &api.DecodeError{Reason: "invalid YAML: " + strings.TrimSpace(msg)}
	}
	if t := bytes.TrimSpace(out); len(t) == 0 || t[0] != '{' {
		return nil, &api.DecodeError{Reason: "a workload must be a mapping of field names to values"}
	}
	return out, nil
}
