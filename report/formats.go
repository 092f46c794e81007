package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/goccy/go-yaml"

	"github.com/placement-advisor/advise/api"
)

// Formats lists the output formats, in the order help texts show them.
var Formats = []string{"text", "json", "yaml", "markdown", "csv"}

// ValidFormat says whether name is one of Formats.
func ValidFormat(name string) bool { return slices.Contains(Formats, name) }

// Write renders one answer in a format; as CSV it is a table of one row.
func Write(w io.Writer, format string, ans api.Answer, lang Lang) error {
	switch format {
	case "text":
		return Text(w, ans, lang)
	case "markdown":
		return Markdown(w, ans, lang)
	case "csv":
		item := api.PortfolioItem{Answer: &ans}
		if ans.Input.Name != nil {
			item.Name = *ans.Input.Name
		}
		return PortfolioCSV(w, api.Portfolio{Items: []api.PortfolioItem{item}}, lang)
	}
	return encode(w, format, ans)
}

// WritePortfolio renders a batch in a format.
func WritePortfolio(w io.Writer, format string, pf api.Portfolio, lang Lang) error {
	switch format {
	case "text":
		return PortfolioText(w, pf, lang)
	case "markdown":
		return PortfolioMarkdown(w, pf, lang)
	case "csv":
		return PortfolioCSV(w, pf, lang)
	}
	return encode(w, format, pf)
}

// encode writes JSON indented by two spaces, or YAML with the same field
// names and order (converted from that JSON, so the two never disagree).
func encode(w io.Writer, format string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "&" and "<" stay readable in names and summaries
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", format, err)
	}
	switch format {
	case "json":
		_, err := w.Write(buf.Bytes())
		return err
	case "yaml":
		out, err := yaml.JSONToYAML(buf.Bytes())
		if err != nil {
			return fmt.Errorf("encode yaml: %w", err)
		}
		_, err = w.Write(out)
		return err
	}
	return fmt.Errorf("unknown output format %q", format)
}
