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
	if req, ok := decodeFlat(body); ok {
		return req, nil
	}
	return decodeFull(body)
}

// decodeFull is DecodeRequest by encoding/json, with the checks it lacks
// around it. It accepts what decodeFlat accepts and more (escaped strings and
// keys), and it is the one that words every error.
func decodeFull(body []byte) (Request, error) {
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
		if _, known := flatFields[key]; !known {
			return &DecodeError{Field: SafeText(key), Reason: "unknown field"}
		}
		if _, dup := seen[key]; dup {
			return &DecodeError{Field: key, Reason: "field appears more than once"}
		}
		seen[key] = struct{}{}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return describeJSONError(err)
		}
		// encoding/json would leave a null field unset, i.e. defaulted: a
		// silent guess at what the caller meant. Leaving the field out is the
		// way to ask for the default.
		if string(value) == "null" {
			return &DecodeError{Field: key, Reason: "must not be null; leave the field out to use its default"}
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
		want := jsonKind(typeErr.Type.String())
		return &DecodeError{Field: typeErr.Field, Reason: "must be " + want + ", got " + describeValue(typeErr.Value, want)}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, uerr := strconv.Unquote(field)
		if uerr != nil {
			name = field
		}
		return &DecodeError{Field: SafeText(name), Reason: "unknown field"}
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

// describeValue names what the caller sent, from encoding/json's description
// of it: "bool", "string", "object", "array", "number" (a number where a
// string was expected) or "number 1.5" (a number that does not fit the field).
func describeValue(v, want string) string {
	kind, literal, _ := strings.Cut(v, " ")
	switch kind {
	case "number":
		switch {
		case literal == "":
			return "a number"
		case want == "an integer" && strings.ContainsAny(literal, ".eE"):
			return literal + ", which is not written as a whole number"
		}
		return literal + ", which is out of range"
	case "bool":
		return "a boolean"
	case "string":
		return "a string"
	case "object":
		return "an object"
	case "array":
		return "an array"
	}
	return "a value of the wrong type"
}
