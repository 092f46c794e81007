package api

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Decoding a request with encoding/json takes two passes (a token pass for
// duplicate and unknown keys, then the decoding itself) and about 25 µs,
// as long as evaluating the rules. Nearly every request is one flat object
// whose keys are exact field names and whose values are plain literals, and
// such a body can be checked and decoded in one pass over its bytes in a
// microsecond or two. decodeFlat is that pass. It accepts only bodies the
// full decoding accepts, and decodes them to the same Request
// (FuzzDecodeFlatAgrees holds it to that); on anything else, escapes in a
// string, a null, a nested value, a wrong type, a syntax error, it gives up and
// decodeFull decides, so every error is still worded by one decoder.

// flatField is how decodeFlat sets one field of Request.
type flatField struct {
	index int // in Request, and bit in the mask of fields seen
	kind  reflect.Kind
}

// flatFields maps each exact JSON name of Request to its field; both
// decoders check keys against it. encoding/json matches keys
// case-insensitively, so without this check "Multi_Tenant" would set
// multi_tenant, and {"multi_tenant":true,"MULTI_TENANT":false} would slip past
// the duplicate check and quietly keep the last value.
var flatFields = func() map[string]flatField {
	t := reflect.TypeFor[Request]()
	out := make(map[string]flatField, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		out[name] = flatField{index: i, kind: f.Type.Elem().Kind()}
	}
	if t.NumField() > 64 {
		panic("api: Request has more fields than decodeFlat's mask holds")
	}
	return out
}()

// decodeFlat decodes body when it is one flat object of known keys with
// literal values, and reports false, without an error, for anything else.
func decodeFlat(body []byte) (Request, bool) {
	var (
		req  Request
		seen uint64
		rv   = reflect.ValueOf(&req).Elem()
		i    = skipSpace(body, 0)
	)
	if i >= len(body) || body[i] != '{' {
		return Request{}, false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := plainString(body, i)
			if !ok {
				return Request{}, false
			}
			field, known := flatFields[string(key)]
			if !known || seen&(1<<field.index) != 0 {
				return Request{}, false
			}
			seen |= 1 << field.index
			i = skipSpace(body, next)
			if i >= len(body) || body[i] != ':' {
				return Request{}, false
			}
			i = skipSpace(body, i+1)
			if i, ok = setFlat(rv.Field(field.index), field.kind, body, i); !ok {
				return Request{}, false
			}
			i = skipSpace(body, i)
			if i >= len(body) {
				return Request{}, false
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return Request{}, false
			}
			i = skipSpace(body, i+1)
		}
	}
	if skipSpace(body, i) != len(body) {
		return Request{}, false
	}
	return req, true
}

// setFlat reads the literal at body[i:] into the pointer field f, whose
// element has the given kind, and returns the index after the literal.
func setFlat(f reflect.Value, kind reflect.Kind, body []byte, i int) (int, bool) {
	switch kind {
	case reflect.Bool:
		var v bool
		switch {
		case hasLiteral(body, i, "true"):
			v, i = true, i+4
		case hasLiteral(body, i, "false"):
			i += 5
		default:
			return i, false
		}
		f.Set(reflect.ValueOf(&v))
		return i, true
	case reflect.String:
		s, next, ok := plainString(body, i)
		if !ok {
			return i, false
		}
		v := string(s)
		f.Set(reflect.ValueOf(&v))
		return next, true
	case reflect.Int64:
		end, integer := jsonNumber(body, i)
		if end == i || !integer {
			return i, false
		}
		v, err := strconv.ParseInt(string(body[i:end]), 10, 64)
		if err != nil {
			return i, false
		}
		f.Set(reflect.ValueOf(&v))
		return end, true
	case reflect.Float64:
		end, _ := jsonNumber(body, i)
		if end == i {
			return i, false
		}
		v, err := strconv.ParseFloat(string(body[i:end]), 64)
		if err != nil {
			return i, false
		}
		f.Set(reflect.ValueOf(&v))
		return end, true
	}
	return i, false
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(body []byte, i int) int {
	for i < len(body) {
		switch body[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasLiteral(body []byte, i int, lit string) bool {
	return len(body)-i >= len(lit) && string(body[i:i+len(lit)]) == lit
}

// plainString reads a JSON string at body[i:] that has no escapes and no
// control characters and is valid UTF-8, and returns its content and the
// index after its closing quote.
func plainString(body []byte, i int) ([]byte, int, bool) {
	if i >= len(body) || body[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(body); j++ {
		switch c := body[j]; {
		case c == '"':
			s := body[i+1 : j]
			return s, j + 1, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, i, false
		}
	}
	return nil, i, false
}

// jsonNumber returns the end of the JSON number (RFC 8259 §6) at body[i:],
// i itself when there is none, and whether it is written as an integer
// (no fraction, no exponent).
func jsonNumber(body []byte, i int) (int, bool) {
	j := i
	if j < len(body) && body[j] == '-' {
		j++
	}
	switch {
	case j < len(body) && body[j] == '0':
		j++
	case j < len(body) && body[j] >= '1' && body[j] <= '9':
		j = digits(body, j)
	default:
		return i, false
	}
	integer := true
	if j < len(body) && body[j] == '.' {
		k := digits(body, j+1)
		if k == j+1 {
			return i, false
		}
		j, integer = k, false
	}
	if j < len(body) && (body[j] == 'e' || body[j] == 'E') {
		k := j + 1
		if k < len(body) && (body[k] == '+' || body[k] == '-') {
			k++
		}
		end := digits(body, k)
		if end == k {
			return i, false
		}
		j, integer = end, false
	}
	return j, integer
}

func digits(body []byte, i int) int {
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	return i
}
