package api_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/placement-advisor/advise/api"
)

// FuzzParse feeds arbitrary bodies to Parse. Whatever the body, Parse must not
// panic and must fail only with a caller's-mistake error; what it accepts must
// survive a round trip through JSON unchanged, so a request can be logged,
// forwarded or replayed without meaning something else.
func FuzzParse(f *testing.F) {
	addRequestSeeds(f)
	v := api.NewValidator()
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := v.Parse(body)
		if err != nil {
			if !errors.Is(err, api.ErrDecode) && !errors.Is(err, api.ErrInvalid) {
				t.Fatalf("Parse(%q) error %v matches neither ErrDecode nor ErrInvalid", body, err)
			}
			if err.Error() == "" {
				t.Fatalf("Parse(%q) error has no message", body)
			}
			return
		}
		if req.MultiTenant == nil {
			t.Fatalf("Parse(%q) accepted a request without multi_tenant", body)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("re-encode %+v: %v", req, err)
		}
		req2, err := v.Parse(again)
		if err != nil {
			t.Fatalf("Parse(%q) succeeded, but its re-encoding %q fails: %v", body, again, err)
		}
		if !reflect.DeepEqual(req, req2) {
			t.Fatalf("round trip changed the request:\n body  %q\n first %+v\n again %q\n then  %+v", body, req, again, req2)
		}
		// Resolve must work on anything Parse accepts.
		w, _ := req.Resolve()
		if *w.MultiTenant != *req.MultiTenant {
			t.Fatalf("Resolve changed multi_tenant")
		}
	})
}

// addRequestSeeds adds the test requests, the examples and bodies at the
// edges of the grammar and of each field's type.
func addRequestSeeds(f *testing.F) {
	f.Helper()
	for _, pattern := range []string{"testdata/*.json", "../examples/*.json"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			body, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(body)
		}
	}
	for _, seed := range []string{
		``,
		`null`,
		`[]`,
		`{}`,
		`{"multi_tenant": true}`,
		`{"multi_tenant": true} {"multi_tenant": false}`,
		`{"multi_tenant": true, "multi_tenant": false}`,
		`{"multi_tenant": true, "MULTI_TENANT": false}`,
		`{"multi_tenant": "true"}`,
		`{"multi_tenant": true, "startup_sla_ms": 1e30}`,
		`{"multi_tenant": true, "startup_sla_ms": 99999999999999999999}`,
		`{"multi_tenant": true, "instances": 2.5}`,
		`{"multi_tenant": true, "availability_target": 99.9999}`,
		`{"multi_tenant": true, "name": "\ud800\udc00 \u0000"}`,
		`{"multi_tenant": false, "tenants_trusted": true, "full_os": true, "architecture": "microservices", "density": "high", "instances": 1}`,
		"{\"multi_tenant\": true, \"name\": \"\xff\"}",
		`{"multi_tenant": true, "name": {"nested": [1, 2, {"deep": null}]}}`,
		` {"multi_tenant":false,"instances":-0,"startup_sla_ms":0} `,
		`{"multi_tenant": true, "instances": 1.0, "availability_target": 1E2}`,
		`{"multi_tenant": true, "availability_target": -0.5e-3, "name": "café"}`,
		`{"multi_tenant": true, "startup_sla_ms": 01}`,
		`{"multi_tenant": true, "availability_target": .5}`,
		`{"multi_tenant": true,}`,
		`{"multi_tenant" : true , "host_os" : "linux" }`,
		"{\"multi_tenant\":true,\"name\":\"a\tb\"}",
		`{"multi_tenant": tru}`,
		`{"multi_tenant": true}x`,
	} {
		f.Add([]byte(seed))
	}
}

// FuzzDecodeFlatAgrees holds DecodeRequest's fast path to its full decoding:
// whatever the fast path accepts, the full decoding must accept too and
// decode to the same request, so which one ran never shows.
func FuzzDecodeFlatAgrees(f *testing.F) {
	addRequestSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		flat, ok := api.DecodeFlat(body)
		if !ok {
			return
		}
		full, err := api.DecodeFull(body)
		if err != nil {
			t.Fatalf("the fast path accepted %q, the full decoding rejects it: %v", body, err)
		}
		if !reflect.DeepEqual(flat, full) {
			t.Fatalf("the two decodings differ on %q:\n fast %+v\n full %+v", body, flat, full)
		}
	})
}

// FuzzYAMLDocuments feeds arbitrary bytes to the YAML reader the CLI uses:
// it must not panic, whatever it is given, and what it accepts is JSON
// within the bounds, a workload per document or list item.
func FuzzYAMLDocuments(f *testing.F) {
	for _, seed := range []string{
		"multi_tenant: true\n",
		"- multi_tenant: true\n- &b {multi_tenant: false}\n- *b\n",
		"a: &a [1, 2]\nb: [*a, *a]\n",
		"[[[[]]]]",
		"- - - x\n",
		"k:\n k:\n  k: 1\n",
		"---\n...\n---\nmulti_tenant: no\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		docs, err := api.YAMLDocuments(body)
		if err != nil {
			return
		}
		for _, doc := range docs {
			if !json.Valid(doc) {
				t.Fatalf("not JSON: %q", doc)
			}
		}
	})
}
