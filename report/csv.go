package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// CSVColumns are the columns of PortfolioCSV, in order: the item's index
// (from 0) and name; for an answer the recommendation, hybrid pattern,
// the verdict in words, confidence (two decimals), band, each
// recommendation's best score, how many constraints, unmet demands and
// warnings, and the constraints' titles; for a failed item the fields at
// fault and why. The names are identifiers, the same in every language,
// so a script or a formula finds a column by name; the verdict and the
// texts are in the report's language.
var CSVColumns = []string{
	"index", "name",
	"recommendation", "hybrid_pattern", "verdict", "confidence", "band",
	"score_vm", "score_container", "score_hybrid",
	"constraints", "unmet", "warnings", "constraint_titles",
	"error_fields", "error",
}

// PortfolioCSV writes a batch as a table for a spreadsheet: a header row
// of CSVColumns, then one row per workload in input order, a failed one
// with its error columns filled. The summary is not a row: a spreadsheet
// counts the rows itself, and a table stays a table.
//
// It is RFC 4180 CSV: UTF-8 without a byte order mark, CRLF line ends,
// cells quoted where they hold a comma, a quote or a line break. A cell
// that starts with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, so a spreadsheet shows a workload's name or an error's text
// instead of running it as a formula (CSV injection, OWASP).
func PortfolioCSV(w io.Writer, p api.Portfolio, lang Lang) error {
	cw := NewPortfolioCSVWriter(w, lang)
	for i := range p.Items {
		if err := cw.WriteItem(&p.Items[i]); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// PortfolioCSVWriter writes PortfolioCSV one item at a time, for an answer
// that is sent while its items are produced.
type PortfolioCSVWriter struct {
	w      *csv.Writer
	lang   Lang
	header bool
	row    []string
}

// NewPortfolioCSVWriter starts a table; the header row is written with the
// first item, or by Flush if there is none.
func NewPortfolioCSVWriter(w io.Writer, lang Lang) *PortfolioCSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &PortfolioCSVWriter{w: cw, lang: lang, row: make([]string, len(CSVColumns))}
}

// WriteItem writes one workload's row.
func (c *PortfolioCSVWriter) WriteItem(it *api.PortfolioItem) error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	row := c.row
	clear(row)
	row[0] = strconv.Itoa(it.Index)
	row[1] = it.Name
	if a := it.Answer; a != nil {
		titles := make([]string, len(a.Constraints))
		for i, con := range a.Constraints {
			titles[i] = con.Title
		}
		copy(row[2:], []string{
			a.Recommendation,
			a.HybridPattern,
			Verdict(a.Recommendation, a.HybridPattern, c.lang),
			fmt.Sprintf("%.2f", a.Confidence),
			a.Band,
			Value(a.Scores.VM),
			Value(a.Scores.Container),
			Value(a.Scores.Hybrid),
			strconv.Itoa(len(a.Constraints)),
			strconv.Itoa(len(a.Unmet)),
			strconv.Itoa(len(a.Warnings)),
			strings.Join(titles, "; "),
		})
	}
	if e := it.Error; e != nil {
		names := make([]string, len(e.Errors))
		for i, f := range e.Errors {
			names[i] = f.Field
		}
		row[len(row)-2] = strings.Join(names, "; ")
		row[len(row)-1] = itemErrorText(e)
	}
	for i := range row {
		row[i] = defuseFormula(row[i])
	}
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Flush writes what is buffered (the header row of an empty batch too) and
// reports the first write error.
func (c *PortfolioCSVWriter) Flush() error {
	if err := c.writeHeader(); err != nil {
		return err
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (c *PortfolioCSVWriter) writeHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	if err := c.w.Write(CSVColumns); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// defuseFormula puts an apostrophe before a cell a spreadsheet would read
// as a formula.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
