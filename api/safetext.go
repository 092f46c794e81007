package api

import (
	"fmt"
	"strings"
)

// unsafeRune reports a C0 or C1 control character, DEL, or a bidirectional
// embedding, override or isolate: characters that, printed in a terminal,
// a Markdown review or YAML, rewrite what a reader sees (an escape sequence
// retitles or clears a terminal, an override reverses text).
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// SafeText is s with each unsafe character (see unsafeRune) written as an
// escape, \x1b or \u202e, for text that repeats what a caller sent (an
// unknown field's name, a refused workload's name) in a message. The
// contract keeps such characters out of every accepted value.
func SafeText(s string) string {
	if !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !unsafeRune(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
