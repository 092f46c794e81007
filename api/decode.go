package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrDecode marks a body that is not one well-formed request object: the caller
// sent something that is not JSON, not an object, has unknown or duplicate
// fields, wrong types, or trailing data. Match it with errors.Is.
var ErrDecode = errors.New("malformed request")

// DecodeError says why a body could not be decoded and, when it can tell, which
// field (by its JSON name) was at fault.
type DecodeError struct {
	Field  string // JSON name of the field at fault; empty when the body as a whole is wrong
	Reason string
}

func (e *DecodeError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Is makes every DecodeError match ErrDecode.
func (e *DecodeError) Is(target error) bool { return target == ErrDecode }

// DecodeRequest reads exactly one JSON object from body into a Request. It
// rejects an empty body, invalid UTF-8, duplicate keys, unknown fields, wrong
// types and anything after the object. It does not validate values: call
// Validate for that.
func DecodeRequest(body []byte) (Request, error) {
	var req Request
	if len(bytes.TrimSpace(body)) == 0 {
		return req, &DecodeError{Reason: "request body is empty; send one JSON object"}
	}
	if !utf8.Valid(body) {
		return req, &DecodeError{Reason: "request body is not valid UTF-8"}
	}
	if err := checkObjectKeys(body); err != nil {
		return req, err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, describeJSONError(err)
	}
	// encoding/json stops after the first value; anything after it is an error,
	// not something to ignore.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return req, &DecodeError{Reason: "unexpected data after the request object"}
	}
	return req, nil
}

// checkObjectKeys makes sure the body is a single JSON object and that no key
// appears twice in it. encoding/json silently keeps the last duplicate, which
// would let two halves of a pipeline read different requests from one body.
func checkObjectKeys(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return describeJSONError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &DecodeError{Reason: "request body must be a JSON object"}
	}
	seen := make(map[string]struct{}, 24)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return describeJSONError(err)
		}
		key, _ := tok.(string)
		if _, dup := seen[key]; dup {
			return &DecodeError{Field: key, Reason: "field appears more than once"}
		}
		seen[key] = struct{}{}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return describeJSONError(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return describeJSONError(err)
	}
	return nil
}

// describeJSONError turns encoding/json's errors into a DecodeError that names
// the field by its JSON name and says what was expected, without Go type names.
func describeJSONError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntaxErr):
		return &DecodeError{Reason: fmt.Sprintf("invalid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Reason: "request body ends before the JSON object is complete"}
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return &DecodeError{Reason: "request body must be a JSON object"}
		}
		return &DecodeError{Field: typeErr.Field, Reason: "must be " + jsonKind(typeErr.Type.String()) + ", got " + describeValue(typeErr.Value)}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(field)
		if uerr != nil {
			name = field
		}
		return &DecodeError{Field: name, Reason: "unknown field"}
	}
	return &DecodeError{Reason: "invalid JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

func jsonKind(goType string) string {
	switch strings.TrimPrefix(goType, "*") {
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "int64":
		return "an integer"
	case "float64":
		return "a number"
	}
	return "a valid value"
}

func describeValue(v string) string {
	switch {
	case strings.HasPrefix(v, "number"):
		return "a number that does not fit (" + v + ")"
	case v == "":
		return "a value of the wrong type"
	}
	return "a " + v
}
