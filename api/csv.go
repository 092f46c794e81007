package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxCSVCell is the most bytes one CSV cell may hold. The longest value
// of the contract is a name of 128 characters, at most 512 bytes of UTF-8;
// the bound leaves room for that twice over and caps what one cell can
// grow to as JSON.
const MaxCSVCell = 1024

// utf8BOM is the byte order mark spreadsheets write at the start of a
// UTF-8 CSV file.
const utf8BOM = "\xef\xbb\xbf"

// CSVDocuments turns a CSV table into one JSON object per row, for
// DecodeRequest, so CSV input meets the same strictness as JSON and YAML.
// The header row names the columns by the contract's JSON names (Fields);
// every later row is a workload, item 0 first. A cell is written as the
// column's type: a boolean is true or false in any letter case (TRUE is
// what spreadsheets write; 1, 0, yes and no are refused), an integer or a
// number is a JSON number literal, an enum or text is a string whose
// values DecodeRequest and Validate judge as they judge JSON's. An empty
// cell leaves the field out, so its default applies.
//
// The table as a whole is refused, naming the item (its 0-based index, as
// a batch's answer names it, and its line) and the column: an unknown or
// repeated column, a row with another number of cells than the header, a
// cell over MaxCSVCell bytes, a boolean or number cell that is not one,
// more than MaxBatch rows. Reading stops at the first of them, so nothing
// past a bound is expanded. A leading UTF-8 byte order mark is skipped,
// and lines may end in CRLF.
func CSVDocuments(body []byte) ([][]byte, error) {
	body = bytes.TrimPrefix(body, []byte(utf8BOM))
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &DecodeError{Reason: "CSV input is empty; send a header row of field names, then a row per workload"}
	}
	if !utf8.Valid(body) {
		return nil, &DecodeError{Reason: "CSV input is not valid UTF-8"}
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1 // counted here, to name the row and column
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, csvSyntaxError(err)
	}
	columns, err := csvColumns(header)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for item := 0; ; item++ {
		record, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvSyntaxError(err)
		}
		line, _ := r.FieldPos(0)
		if item == MaxBatch {
			return nil, &DecodeError{Reason: fmt.Sprintf("CSV item %d (line %d): a batch holds at most %d workloads; split it", item, line, MaxBatch)}
		}
		if len(record) != len(columns) {
			return nil, &DecodeError{Reason: fmt.Sprintf("CSV item %d (line %d) has %d cells; the header names %d columns", item, line, len(record), len(columns))}
		}
		obj, err := csvObject(record, columns, func(cell int) string {
			line, _ := r.FieldPos(cell) // a quoted cell may start on a later line
			return fmt.Sprintf("CSV item %d (line %d)", item, line)
		})
		if err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	if len(out) == 0 {
		return nil, &DecodeError{Reason: "no workload in the CSV input: it has a header row and no rows"}
	}
	return out, nil
}

// csvColumns maps each header cell to its field, refusing a name the
// contract does not have or one given twice.
func csvColumns(header []string) ([]*Field, error) {
	columns := make([]*Field, len(header))
	seen := make(map[string]bool, len(header))
	for i, name := range header {
		if len(name) > MaxCSVCell {
			return nil, &DecodeError{Reason: fmt.Sprintf("CSV header cell %d is longer than %d bytes", i+1, MaxCSVCell)}
		}
		f, ok := FieldIndex(name)
		switch {
		case name == "":
			return nil, &DecodeError{Reason: fmt.Sprintf("CSV header cell %d is empty; every column needs a field name", i+1)}
		case !ok:
			return nil, &DecodeError{Field: SafeText(name), Reason: fmt.Sprintf("unknown field (CSV header cell %d)", i+1)}
		case seen[name]:
			return nil, &DecodeError{Field: name, Reason: fmt.Sprintf("column appears more than once (CSV header cell %d)", i+1)}
		}
		seen[name] = true
		columns[i] = &fields[f]
	}
	return columns, nil
}

// csvObject writes one row as a JSON object, its keys in the header's
// order; where names a cell for an error.
func csvObject(record []string, columns []*Field, where func(cell int) string) ([]byte, error) {
	obj := []byte{'{'}
	for i, cell := range record {
		f := columns[i]
		if len(cell) > MaxCSVCell {
			return nil, &DecodeError{Field: f.Name, Reason: fmt.Sprintf("%s: the cell is longer than %d bytes", where(i), MaxCSVCell)}
		}
		if cell == "" {
			continue
		}
		value, err := csvValue(f, cell)
		if err != nil {
			return nil, &DecodeError{Field: f.Name, Reason: where(i) + ": " + err.Error()}
		}
		if len(obj) > 1 {
			obj = append(obj, ',')
		}
		obj = strconv.AppendQuote(obj, f.Name) // a registry name is plain ASCII, the same in JSON
		obj = append(obj, ':')
		obj = append(obj, value...)
	}
	return append(obj, '}'), nil
}

// csvValue is a cell as the JSON value of the field's kind.
func csvValue(f *Field, cell string) ([]byte, error) {
	switch f.Kind {
	case KindBool:
		switch strings.ToLower(cell) {
		case "true":
			return []byte("true"), nil
		case "false":
			return []byte("false"), nil
		}
		return nil, fmt.Errorf("%q is not a boolean; write true or false (any letter case), or leave the cell empty for the default", SafeText(cell))
	case KindInteger, KindNumber:
		// A JSON number literal, as JSON input would carry it; the decoder
		// then judges whether it is whole and in range, as it does for JSON.
		if !isJSONNumber(cell) {
			return nil, fmt.Errorf("%q is not %s; write it in digits, like 2 or 99.9, without spaces or thousands separators", SafeText(cell), jsonKindOf(f.Kind))
		}
		return []byte(cell), nil
	}
	return json.Marshal(cell)
}

func jsonKindOf(k Kind) string {
	if k == KindInteger {
		return "an integer"
	}
	return "a number"
}

// isJSONNumber says whether s is exactly one number literal of JSON
// (RFC 8259 §6): -? int frac? exp?, with no space around it.
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// csvSyntaxError words encoding/csv's errors, which carry the line.
func csvSyntaxError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &DecodeError{Reason: fmt.Sprintf("CSV line %d, column %d: %s", pe.Line, pe.Column, pe.Err)}
	}
	return &DecodeError{Reason: "CSV: " + err.Error()}
}
