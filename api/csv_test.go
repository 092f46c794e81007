package api_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
)

func TestCSVDocuments(t *testing.T) {
	tests := map[string]struct {
		csv       string
		want      []string // the JSON of each workload
		decodeErr string   // substring of the table's error, if any
		field     string   // field named by the table's error
		parseErr  string   // substring of the first workload's Parse error
	}{
		"one workload": {
			csv:  "name,multi_tenant,density,instances,availability_target\nshop,true,high,20,99.9\n",
			want: []string{`{"name":"shop","multi_tenant":true,"density":"high","instances":20,"availability_target":99.9}`},
		},
		"empty cells are left out": {
			csv:  "name,multi_tenant,density\n,false,\n",
			want: []string{`{"multi_tenant":false}`},
		},
		"spreadsheet booleans": {
			csv:  "multi_tenant,needs_windows,requires_root\nTRUE,False,true\n",
			want: []string{`{"multi_tenant":true,"needs_windows":false,"requires_root":true}`},
		},
		"byte order mark and CRLF": {
			csv:  "\xef\xbb\xbfname,multi_tenant\r\na,true\r\nb,false\r\n",
			want: []string{`{"name":"a","multi_tenant":true}`, `{"name":"b","multi_tenant":false}`},
		},
		"quoted cells": {
			csv:  "name,multi_tenant\n\"Smith, \"\"ERP\"\"\",false\n\"two\r\nlines\",true\n",
			want: []string{`{"name":"Smith, \"ERP\"","multi_tenant":false}`, `{"name":"two\nlines","multi_tenant":true}`},
		},
		"blank lines are skipped": {
			csv:  "multi_tenant\n\ntrue\n\nfalse\n",
			want: []string{`{"multi_tenant":true}`, `{"multi_tenant":false}`},
		},
		"no final newline": {
			csv:  "multi_tenant\ntrue",
			want: []string{`{"multi_tenant":true}`},
		},
		"enum judged like JSON": {
			csv:      "multi_tenant,density\nfalse,extreme\n",
			want:     []string{`{"multi_tenant":false,"density":"extreme"}`},
			parseErr: "density",
		},
		"fraction in an integer judged like JSON": {
			csv:      "multi_tenant,instances\nfalse,2.5\n",
			want:     []string{`{"multi_tenant":false,"instances":2.5}`},
			parseErr: "instances: must be an integer, got 2.5, which is not written as a whole number",
		},
		"a row without multi_tenant is an item error": {
			csv:      "name,multi_tenant\nx,\n",
			want:     []string{`{"name":"x"}`},
			parseErr: "multi_tenant",
		},
		"yes is not a boolean": {
			csv:       "name,multi_tenant\na,true\nb,yes\n",
			decodeErr: `multi_tenant: CSV item 1 (line 3): "yes" is not a boolean; write true or false`,
			field:     "multi_tenant",
		},
		"1 is not a boolean":   {csv: "multi_tenant\n1\n", decodeErr: `CSV item 0 (line 2): "1" is not a boolean`, field: "multi_tenant"},
		"padded boolean":       {csv: "multi_tenant\n true\n", decodeErr: `" true" is not a boolean`, field: "multi_tenant"},
		"words for a number":   {csv: "multi_tenant,instances\ntrue,many\n", decodeErr: `CSV item 0 (line 2): "many" is not an integer`, field: "instances"},
		"thousands separator":  {csv: "multi_tenant,instances\ntrue,\"1,000\"\n", decodeErr: `"1,000" is not an integer`, field: "instances"},
		"NaN":                  {csv: "multi_tenant,availability_target\ntrue,NaN\n", decodeErr: `"NaN" is not a number`, field: "availability_target"},
		"hex float":            {csv: "multi_tenant,availability_target\ntrue,0x1p6\n", decodeErr: `is not a number`, field: "availability_target"},
		"plus sign":            {csv: "multi_tenant,availability_target\ntrue,+99\n", decodeErr: `is not a number`, field: "availability_target"},
		"unknown column":       {csv: "name,multi_tenant,colour\na,true,red\n", decodeErr: "unknown field (CSV header cell 3)", field: "colour"},
		"column in other case": {csv: "Multi_Tenant\ntrue\n", decodeErr: "unknown field", field: "Multi_Tenant"},
		"column twice":         {csv: "multi_tenant,name,multi_tenant\ntrue,a,false\n", decodeErr: "column appears more than once (CSV header cell 3)", field: "multi_tenant"},
		"empty column name":    {csv: "multi_tenant,\ntrue,\n", decodeErr: "CSV header cell 2 is empty"},
		"too few cells":        {csv: "name,multi_tenant\na,true\nb\n", decodeErr: "CSV item 1 (line 3) has 1 cells; the header names 2 columns"},
		"too many cells":       {csv: "multi_tenant\ntrue,extra\n", decodeErr: "CSV item 0 (line 2) has 2 cells; the header names 1 columns"},
		"oversized cell": {
			csv:       "multi_tenant,name\ntrue," + strings.Repeat("x", api.MaxCSVCell+1) + "\n",
			decodeErr: "CSV item 0 (line 2): the cell is longer than 1024 bytes",
			field:     "name",
		},
		"oversized header": {csv: strings.Repeat("x", api.MaxCSVCell+1) + "\ntrue\n", decodeErr: "CSV header cell 1 is longer than 1024 bytes"},
		"more than a batch": {
			csv:       "multi_tenant\n" + strings.Repeat("true\n", api.MaxBatch+1),
			decodeErr: "CSV item 1000 (line 1002): a batch holds at most 1000 workloads",
		},
		"a bare quote":    {csv: "name,multi_tenant\na\"b,true\n", decodeErr: `CSV line 2, column 2: bare " in non-quoted-field`},
		"an open quote":   {csv: "name,multi_tenant\n\"a,true\n", decodeErr: "CSV line 2"},
		"invalid UTF-8":   {csv: "name,multi_tenant\n\xff,true\n", decodeErr: "CSV input is not valid UTF-8"},
		"empty":           {csv: "", decodeErr: "CSV input is empty"},
		"only a BOM":      {csv: "\xef\xbb\xbf\r\n", decodeErr: "CSV input is empty"},
		"only the header": {csv: "name,multi_tenant\r\n", decodeErr: "no workload in the CSV input"},
		"terminal escape in a column name": {
			csv:       "\x1b[31mred\ntrue\n",
			decodeErr: "unknown field",
			field:     api.SafeText("\x1b[31mred"),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			docs, err := api.CSVDocuments([]byte(tc.csv))
			if tc.decodeErr != "" {
				var de *api.DecodeError
				if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.decodeErr) || de.Field != tc.field {
					t.Fatalf("err = %v, want a DecodeError with %q naming %q", err, tc.decodeErr, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			got := make([]string, len(docs))
			for i, d := range docs {
				got[i] = string(d)
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("workloads:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			_, err = api.NewValidator().Parse(docs[0])
			switch {
			case tc.parseErr == "" && err != nil:
				t.Fatalf("parse: %v", err)
			case tc.parseErr != "" && (err == nil || !strings.Contains(err.Error(), tc.parseErr)):
				t.Fatalf("parse err = %v, want %q", err, tc.parseErr)
			}
		})
	}
}

// TestCSVDocumentsTakesEveryField writes a row with every field of the
// registry and checks that each arrives, typed, in the decoded request.
func TestCSVDocumentsTakesEveryField(t *testing.T) {
	var header, row []string
	want := map[string]any{}
	for _, f := range api.Fields() {
		header = append(header, f.Name)
		var cell string
		var v any
		switch f.Kind {
		case api.KindBool:
			cell, v = "TRUE", true
		case api.KindEnum:
			cell, v = f.Values[len(f.Values)-1], f.Values[len(f.Values)-1]
		case api.KindText:
			cell, v = "a, \"quoted\" name", "a, \"quoted\" name"
		case api.KindInteger:
			cell, v = "20", float64(20)
		case api.KindNumber:
			cell, v = "99.5", 99.5
		}
		if strings.ContainsAny(cell, ",\"") {
			cell = `"` + strings.ReplaceAll(cell, `"`, `""`) + `"`
		}
		row = append(row, cell)
		want[f.Name] = v
	}
	docs, err := api.CSVDocuments([]byte(strings.Join(header, ",") + "\n" + strings.Join(row, ",") + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(docs[0], &got); err != nil {
		t.Fatal(err)
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("%s = %v, want %v", name, got[name], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d fields, want %d", len(got), len(want))
	}
	if _, err := api.DecodeRequest(docs[0]); err != nil {
		t.Errorf("the strict decoder refuses the row: %v", err)
	}
}

// FuzzCSVDocuments feeds arbitrary bytes to the CSV reader: it must not
// panic, and what it accepts is at most MaxBatch JSON objects that the
// strict decoder reads without a syntax error.
func FuzzCSVDocuments(f *testing.F) {
	for _, seed := range []string{
		"name,multi_tenant\nshop,true\n",
		"\xef\xbb\xbfmulti_tenant,instances,availability_target\r\nTRUE,20,99.9\r\n",
		"name,multi_tenant\n\"a \"\"b\"\"\r\nc\",false\n",
		"multi_tenant,density\nfalse,extreme\n,\n",
		"multi_tenant,multi_tenant\n",
		"multi_tenant\ntrue,1\n",
		"multi_tenant,instances\ntrue,1e400\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		docs, err := api.CSVDocuments(body)
		if err != nil {
			if !errors.Is(err, api.ErrDecode) {
				t.Fatalf("err %v is not a decode error", err)
			}
			return
		}
		if len(docs) == 0 || len(docs) > api.MaxBatch {
			t.Fatalf("%d workloads", len(docs))
		}
		for _, doc := range docs {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(doc, &obj); err != nil {
				t.Fatalf("not a JSON object: %q: %v", doc, err)
			}
			if _, err := api.DecodeRequest(doc); err != nil && strings.Contains(err.Error(), "invalid JSON") {
				t.Fatalf("the decoder cannot read %q: %v", doc, err)
			}
		}
	})
}
