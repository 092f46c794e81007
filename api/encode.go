package api

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/placement-advisor/advise/internal/memo"
)

// Writing an answer with encoding/json walks it by reflection and costs
// about 15 µs, as much as evaluating the rules. AppendJSON writes the same
// bytes by hand. TestAppendJSONMatchesEncodingJSON and FuzzAppendJSON hold
// it to json.Marshal byte for byte, so a new field added to a type here and
// not to the encoder fails them.

// ErrUnsupportedValue is returned by AppendJSON for a number JSON cannot
// carry (NaN or an infinity), as json.Marshal refuses it.
var ErrUnsupportedValue = errors.New("json: unsupported value")

// AppendJSON appends the answer's JSON, exactly as json.Marshal writes it, to
// dst.
func (a *Answer) AppendJSON(dst []byte) ([]byte, error) {
	e := jsonAppender{b: dst}
	e.raw(`{"recommendation":`)
	e.str(a.Recommendation)
	if a.HybridPattern != "" {
		e.raw(`,"hybrid_pattern":`)
		e.str(a.HybridPattern)
	}
	if a.ContainerForm != "" {
		e.raw(`,"container_form":`)
		e.str(a.ContainerForm)
	}
	e.raw(`,"confidence":`)
	e.float(a.Confidence)
	e.raw(`,"band":`)
	e.str(a.Band)
	e.raw(`,"scores":{"vm":`)
	e.float(a.Scores.VM)
	e.raw(`,"container":`)
	e.float(a.Scores.Container)
	e.raw(`,"hybrid":`)
	e.float(a.Scores.Hybrid)
	e.raw(`},"placements":`)
	list(&e, a.Placements, func(p *Placement) {
		e.raw(`{"placement":`)
		e.str(p.Placement)
		e.raw(`,"title":`)
		e.text(p.Title)
		e.raw(`,"recommendation":`)
		e.str(p.Recommendation)
		if p.HybridPattern != "" {
			e.raw(`,"hybrid_pattern":`)
			e.str(p.HybridPattern)
		}
		e.raw(`,"score":`)
		e.float(p.Score)
		e.raw(`,"allowed":`)
		e.flag(p.Allowed)
		e.raw(`,"misses":`)
		e.strings(p.Misses)
		e.raw(`}`)
	})
	e.raw(`,"reasons":`)
	list(&e, a.Reasons, func(r *Reason) {
		e.raw(`{"rule":`)
		e.str(r.Rule)
		e.raw(`,"title":`)
		e.text(r.Title)
		e.raw(`,"kind":`)
		e.str(r.Kind)
		e.raw(`,"favors":`)
		e.str(r.Favors)
		e.raw(`,"weight":`)
		e.float(r.Weight)
		e.raw(`,"summary":`)
		e.text(r.Summary)
		e.raw(`,"citations":`)
		e.citations(r.Citations)
		e.raw(`}`)
	})
	e.raw(`,"constraints":`)
	list(&e, a.Constraints, func(c *Constraint) {
		e.raw(`{"rule":`)
		e.str(c.Rule)
		e.raw(`,"title":`)
		e.text(c.Title)
		e.raw(`,"excludes":`)
		e.strings(c.Excludes)
		e.raw(`,"summary":`)
		e.text(c.Summary)
		e.raw(`,"citations":`)
		e.citations(c.Citations)
		e.raw(`}`)
	})
	e.raw(`,"unmet":`)
	list(&e, a.Unmet, func(u *Unmet) {
		e.raw(`{"rule":`)
		e.str(u.Rule)
		e.raw(`,"title":`)
		e.text(u.Title)
		e.raw(`,"kind":`)
		e.str(u.Kind)
		e.raw(`,"met":`)
		e.str(u.Met)
		e.raw(`,"because":`)
		e.str(u.Because)
		e.raw(`,"why":`)
		e.text(u.Why)
		e.raw(`,"citations":`)
		e.citations(u.Citations)
		e.raw(`}`)
	})
	if a.Layout != nil {
		l := a.Layout
		e.raw(`,"layout":{"grouping":`)
		e.statement(&l.Grouping)
		e.raw(`,"vm_layer":`)
		e.layer(l.VMLayer)
		e.raw(`,"container_layer":`)
		e.layer(l.ContainerLayer)
		e.raw(`,"guest_os":{"per_guest_mb":`)
		e.float(l.GuestOS.PerGuestMB)
		if l.GuestOS.Guests != nil {
			e.raw(`,"guests":`)
			e.b = strconv.AppendInt(e.b, *l.GuestOS.Guests, 10)
		}
		if l.GuestOS.Basis != "" {
			e.raw(`,"basis":`)
			e.str(l.GuestOS.Basis)
		}
		if l.GuestOS.TotalMB != nil {
			e.raw(`,"total_mb":`)
			e.float(*l.GuestOS.TotalMB)
		}
		e.raw(`,`)
		e.statementFields(&l.GuestOS.Statement)
		e.raw(`}}`)
	}
	e.raw(`,"warnings":`)
	list(&e, a.Warnings, func(w *Warning) {
		e.raw(`{"rule":`)
		e.str(w.Rule)
		e.raw(`,"title":`)
		e.text(w.Title)
		e.raw(`,"summary":`)
		e.text(w.Summary)
		e.raw(`,"citations":`)
		e.citations(w.Citations)
		e.raw(`}`)
	})
	e.raw(`,"what_if":`)
	list(&e, a.WhatIf, func(w *WhatIf) {
		e.raw(`{"changes":`)
		list(&e, w.Changes, func(c *Change) {
			e.raw(`{"field":`)
			e.str(c.Field)
			e.raw(`,"value":`)
			e.value(c.Value)
			e.raw(`}`)
		})
		e.raw(`,"kind":`)
		e.str(w.Kind)
		e.raw(`,"recommendation":`)
		e.str(w.Recommendation)
		if w.HybridPattern != "" {
			e.raw(`,"hybrid_pattern":`)
			e.str(w.HybridPattern)
		}
		e.raw(`,"summary":`)
		e.str(w.Summary)
		e.raw(`}`)
	})
	e.raw(`,"ask_next":`)
	list(&e, a.AskNext, func(q *AskNext) {
		e.raw(`{"field":`)
		e.str(q.Field)
		e.raw(`,"assumed":`)
		e.value(q.Assumed)
		e.raw(`,"question":`)
		e.text(q.Question)
		e.raw(`,"outcomes":`)
		list(&e, q.Outcomes, func(o *Outcome) {
			e.raw(`{"value":`)
			e.value(o.Value)
			e.raw(`,"recommendation":`)
			e.str(o.Recommendation)
			if o.HybridPattern != "" {
				e.raw(`,"hybrid_pattern":`)
				e.str(o.HybridPattern)
			}
			e.raw(`}`)
		})
		e.raw(`}`)
	})
	e.raw(`,"input":`)
	e.workload(&a.Input)
	e.raw(`,"defaulted":`)
	e.strings(a.Defaulted)
	e.raw(`,"policy":{"version":`)
	e.str(a.Policy.Version)
	e.raw(`,"digest":`)
	e.str(a.Policy.Digest)
	e.raw(`}}`)
	return e.b, e.err
}

// AppendJSON appends the workload's JSON, exactly as json.Marshal writes it,
// to dst.
func (w *Workload) AppendJSON(dst []byte) []byte {
	e := jsonAppender{b: dst}
	e.workload(w)
	return e.b
}

// jsonAppender appends JSON to b, remembering the first error.
type jsonAppender struct {
	b   []byte
	err error
}

func (e *jsonAppender) raw(s string) { e.b = append(e.b, s...) }

func (e *jsonAppender) str(s string) { e.b = appendJSONString(e.b, s) }

// text writes a string that comes from the rules rather than the caller
// (titles, summaries, citations, questions): the same few hundred strings in
// every answer, so their quoted form is looked up instead of escaped again.
func (e *jsonAppender) text(s string) {
	q, ok := ruleTexts.Load(s)
	if !ok {
		q = appendJSONString(nil, s)
		ruleTexts.Store(strings.Clone(s), q)
	}
	e.b = append(e.b, q...)
}

// ruleTexts memoises quoted rule texts; past its bound, new strings are
// escaped every time.
var ruleTexts = memo.Map[string, []byte]{Max: 4096}

func (e *jsonAppender) flag(v bool) { e.b = strconv.AppendBool(e.b, v) }

// float writes a number as encoding/json does: like ES6, %f unless the
// exponent is below -6 or at least 21, and an exponent without padding.
func (e *jsonAppender) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if e.err == nil {
			e.err = ErrUnsupportedValue
		}
		e.b = append(e.b, '0')
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	e.b = strconv.AppendFloat(e.b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9
		if n := len(e.b); n >= 4 && e.b[n-4] == 'e' && e.b[n-3] == '-' && e.b[n-2] == '0' {
			e.b[n-2] = e.b[n-1]
			e.b = e.b[:n-1]
		}
	}
}

// value writes one of the values a change, an assumption or an outcome
// carries; anything else goes through encoding/json.
func (e *jsonAppender) value(v any) {
	switch x := v.(type) {
	case nil:
		e.raw("null")
	case bool:
		e.flag(x)
	case string:
		e.str(x)
	case int64:
		e.b = strconv.AppendInt(e.b, x, 10)
	case int:
		e.b = strconv.AppendInt(e.b, int64(x), 10)
	case float64:
		e.float(x)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			if e.err == nil {
				e.err = err
			}
			e.raw("null")
			return
		}
		e.b = append(e.b, raw...)
	}
}

func (e *jsonAppender) citations(cs []Citation) {
	list(e, cs, func(c *Citation) {
		e.raw(`{"source":`)
		e.text(c.Source)
		e.raw(`,"title":`)
		e.text(c.Title)
		e.raw(`,"locator":`)
		e.text(c.Locator)
		e.raw(`}`)
	})
}

// workload writes the fields that are set, in contract order, as
// json.Marshal writes them (every field but multi_tenant is omitempty, and a
// resolved workload always has multi_tenant).
func (e *jsonAppender) workload(w *Workload) {
	e.raw(`{`)
	first := true
	for i := range fields {
		v := w.Get(i)
		if !v.Set {
			if fields[i].Required {
				// json.Marshal writes a nil required pointer as null.
				e.sep(&first)
				e.key(fields[i].Name)
				e.raw("null")
			}
			continue
		}
		e.sep(&first)
		e.key(fields[i].Name)
		switch fields[i].Kind {
		case KindBool:
			e.flag(v.Bool)
		case KindEnum, KindText:
			e.str(v.Text)
		case KindInteger:
			e.b = strconv.AppendInt(e.b, v.Integer, 10)
		default:
			e.float(v.Number)
		}
	}
	e.raw(`}`)
}

func (e *jsonAppender) sep(first *bool) {
	if !*first {
		e.raw(`,`)
	}
	*first = false
}

// key writes a field name the registry holds: plain ASCII, quoted as it is.
func (e *jsonAppender) key(name string) {
	e.b = append(e.b, '"')
	e.b = append(e.b, name...)
	e.b = append(e.b, '"', ':')
}

func (e *jsonAppender) strings(list []string) {
	if list == nil {
		e.raw("null")
		return
	}
	e.b = append(e.b, '[')
	for i, s := range list {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		e.str(s)
	}
	e.b = append(e.b, ']')
}

func (e *jsonAppender) statement(s *Statement) {
	e.raw(`{`)
	e.statementFields(s)
	e.raw(`}`)
}

func (e *jsonAppender) statementFields(s *Statement) {
	e.raw(`"rule":`)
	e.str(s.Rule)
	e.raw(`,"title":`)
	e.text(s.Title)
	e.raw(`,"summary":`)
	e.text(s.Summary)
	e.raw(`,"citations":`)
	e.citations(s.Citations)
}

func (e *jsonAppender) layer(parts []LayerPart) {
	list(e, parts, func(p *LayerPart) {
		e.raw(`{`)
		e.statementFields(&p.Statement)
		e.raw(`,"serves":`)
		e.strings(p.Serves)
		e.raw(`}`)
	})
}

// list writes a slice as a JSON array, each item with item, and a nil slice
// as null, as encoding/json does.
func list[T any](e *jsonAppender, items []T, item func(*T)) {
	if items == nil {
		e.raw("null")
		return
	}
	e.b = append(e.b, '[')
	for i := range items {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		item(&items[i])
	}
	e.b = append(e.b, ']')
}

// plainASCII marks the bytes appendJSONString copies as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for b := range t {
		t[b] = b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// appendJSONString quotes s as encoding/json does by default: <, > and &
// escaped for HTML, control characters as \b \f \n \r \t or \u00XX, invalid
// UTF-8 as U+FFFD, and U+2028 and U+2029 escaped for JSONP.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	// Valid UTF-8 (every string the rules write) needs no decoding: only
	// ASCII and the three bytes of U+2028 and U+2029 are ever escaped.
	valid := utf8.ValidString(s)
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if plainASCII[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		if valid {
			// U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
			if b == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', hex[s[i+2]&1+8])
				i += 3
				start = i
				continue
			}
			i++
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
