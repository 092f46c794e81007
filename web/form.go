package web

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/placement-advisor/advise/api"
)

// Page parameters travel beside the workload's fields in a form or a query;
// every other key is read as a field of the contract.
const (
	ParamToken      = "token"
	ParamLang       = "lang"
	ParamSwitchLang = "switch_lang"
	ParamApply      = "apply"
)

var pageParams = []string{ParamToken, ParamLang, ParamSwitchLang, ParamApply}

// jsonNumber is a number as JSON writes it: only such a value goes into the
// body as a number, anything else as a string, which the decoder refuses
// for a number field with the field's name and the reason.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// RequestJSON writes form or query values as the JSON body of a request, by
// the registry: each field's values by its kind, in the contract's order,
// then every key that is no field, so the decoder names it unknown. An empty
// value leaves its field out (to its default); a key given twice is written
// twice, which the decoder refuses. The body then goes through the same
// decoding and validation as POST /advise, so the page and the API cannot
// disagree.
func RequestJSON(values url.Values) []byte {
	body := []byte{'{'}
	add := func(key string, raw []byte) {
		if len(body) > 1 {
			body = append(body, ',')
		}
		body = append(appendString(body, key), ':')
		body = append(body, raw...)
	}
	str := func(s string) []byte { return appendString(nil, s) }
	for _, f := range api.Fields() {
		for _, v := range values[f.Name] {
			if f.Kind != api.KindText {
				v = strings.TrimSpace(v)
			}
			if v == "" {
				continue
			}
			switch {
			case f.Kind == api.KindBool && (v == "true" || v == "false"):
				add(f.Name, []byte(v))
			case (f.Kind == api.KindInteger || f.Kind == api.KindNumber) && jsonNumber.MatchString(v):
				add(f.Name, []byte(v))
			default:
				add(f.Name, str(v))
			}
		}
	}
	var unknown []string
	for key := range values {
		if _, ok := api.FieldIndex(key); !ok && !slices.Contains(pageParams, key) {
			unknown = append(unknown, key)
		}
	}
	slices.Sort(unknown)
	for _, key := range unknown {
		for _, v := range values[key] {
			add(key, str(v))
		}
	}
	return append(body, '}')
}

// appendString writes s as a JSON string, but leaves bytes that are not
// UTF-8 as they are, where encoding/json would put U+FFFD in their place:
// the decoder then refuses the body as the API refuses such a one, rather
// than the page answering for text the caller did not send.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[i])
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// HasWorkload reports whether values give any field of the contract: a
// query without one is the empty form, not a workload to answer.
func HasWorkload(values url.Values) bool {
	for key, vs := range values {
		if slices.Contains(pageParams, key) {
			continue
		}
		if slices.ContainsFunc(vs, func(v string) bool { return v != "" }) {
			return true
		}
	}
	return false
}

// Values are a request's given fields as form values, in the form the page
// posts them: the workload of a Share link and the form's contents.
func Values(req *api.Request) url.Values {
	out := url.Values{}
	for i, f := range api.Fields() {
		if v := req.Get(i); v.Set {
			out.Set(f.Name, formValue(v.Any(f.Kind)))
		}
	}
	return out
}

// formValue writes a value of the contract as a form value.
func formValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Apply returns values with the changes of a what-if made: each change sets
// its field, or leaves it out where the change's value is nil.
func Apply(values url.Values, changes []api.Change) url.Values {
	out := url.Values{}
	for k, v := range values {
		out[k] = slices.Clone(v)
	}
	for _, c := range changes {
		if c.Value == nil {
			out.Del(c.Field)
			continue
		}
		out.Set(c.Field, formValue(c.Value))
	}
	return out
}

// ApplyParam is a what-if's changes as the value of ParamApply: field=value
// pairs, a query string, where an empty value leaves the field out.
func ApplyParam(changes []api.Change) string {
	q := url.Values{}
	for _, c := range changes {
		q.Set(c.Field, formValue(c.Value))
	}
	return q.Encode()
}

// ApplySubmitted makes the changes a ParamApply value carries, which only
// names fields of the contract; anything else in it is ignored.
func ApplySubmitted(values url.Values, param string) url.Values {
	changes, err := url.ParseQuery(param)
	if err != nil {
		return values
	}
	out := url.Values{}
	for k, v := range values {
		out[k] = slices.Clone(v)
	}
	for field, vs := range changes {
		if _, ok := api.FieldIndex(field); !ok || len(vs) != 1 {
			continue
		}
		if vs[0] == "" {
			out.Del(field)
		} else {
			out.Set(field, vs[0])
		}
	}
	return out
}

// FieldErrors sorts a decoding or validation error into the messages of
// each field, by JSON name, and those of the workload as a whole. Any other
// error is no mistake of the form's and is returned as it is.
func FieldErrors(err error) (map[string][]string, []string, error) {
	var decodeErr *api.DecodeError
	var invalidErr *api.ValidationError
	byField := map[string][]string{}
	switch {
	case errors.As(err, &decodeErr):
		if decodeErr.Field == "" {
			return byField, []string{api.SafeText(decodeErr.Reason)}, nil
		}
		byField[api.SafeText(decodeErr.Field)] = []string{api.SafeText(decodeErr.Reason)}
		return byField, nil, nil
	case errors.As(err, &invalidErr):
		for _, fe := range invalidErr.Fields {
			byField[fe.Field] = append(byField[fe.Field], api.SafeText(fe.Message))
		}
		return byField, nil, nil
	}
	return nil, nil, err
}
