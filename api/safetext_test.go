package api_test

import (
	"errors"
	"testing"

	"github.com/placement-advisor/advise/api"
)

func TestSafeText(t *testing.T) {
	cases := map[string]string{
		"plain":            "plain",
		"中文名称 é ü":         "中文名称 é ü",
		"ok\x1b]0;pwned\a": `ok\x1b]0;pwned\x07`,
		"a\x00b\x7fc":      `a\x00b\x7fc`,
		"a\u009b2J":        `a\x9b2J`,
		"invoice\u202egpj": `invoice\u202egpj`,
		"x\u2066y\u2069":   `x\u2066y\u2069`,
	}
	for in, want := range cases {
		if got := api.SafeText(in); got != want {
			t.Errorf("SafeText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNamesHoldNoControlCharacters: a name with a control character or a
// bidirectional override is refused by the contract (rule plain_text),
// and an unknown field's name is repeated escaped.
func TestNamesHoldNoControlCharacters(t *testing.T) {
	val := api.NewValidator()
	for name, body := range map[string]string{
		"escape":   `{"multi_tenant":true,"name":"ok\u001b]0;pwned\u0007"}`,
		"nul":      `{"multi_tenant":true,"name":"a\u0000b"}`,
		"c1":       `{"multi_tenant":true,"name":"a\u009bb"}`,
		"override": `{"multi_tenant":true,"name":"invoice\u202egpj.exe"}`,
		"isolate":  `{"multi_tenant":true,"name":"a\u2067b"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := val.Parse([]byte(body))
			var ve *api.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "name" || ve.Fields[0].Rule != "plain_text" {
				t.Errorf("err = %v, want name breaking plain_text", err)
			}
		})
	}
	if _, err := val.Parse([]byte(`{"multi_tenant":true,"name":"Zahlungsdienst – 支付服务 (v2)"}`)); err != nil {
		t.Errorf("a name of printable text: %v", err)
	}
	_, err := val.Parse([]byte(`{"multi_tenant":true,"\u001b[2Jx":1}`))
	var de *api.DecodeError
	if !errors.As(err, &de) || de.Field != `\x1b[2Jx` {
		t.Errorf("err = %v, want the unknown field named escaped", err)
	}
}
