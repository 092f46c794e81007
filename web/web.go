// Package web is the advisor's page for people: the templates, style sheet
// and small script of GET / (describe a workload, see the advice and its
// reasons, try the what-ifs), the portfolio view and the rules page, all
// embedded in the binary so the page works offline. The server's handlers
// (server/page.go) decode, validate and advise exactly as the API does and
// hand this package what to show; it renders, computes nothing of the
// advice, and works without the script, which only makes it nicer.
package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Static holds the style sheet and the script, served under /static/ (the
// directory is embedded above, so Sub cannot fail).
var Static, _ = fs.Sub(staticFiles, "static")

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"add":            func(a, b int) int { return a + b },
	"hasFieldErrors": hasFieldErrors,
	"answerData":     func(p AdvicePage, a *AnswerView) answerData { return answerData{Page: p, Answer: a} },
}).ParseFS(templateFiles, "templates/*.html"))

// The pages Render knows.
const (
	PageAdvice    = "advice.html"
	PagePortfolio = "portfolio.html"
	PageRules     = "rules.html"
)

// Render writes a page, whole or not at all: it is rendered into a buffer
// first, so a template error cannot leave half a page behind.
func Render(w io.Writer, page string, data any) error {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, page, data); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
