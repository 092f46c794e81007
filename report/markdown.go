package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// Markdown writes the architecture-review section for one answer: verdict,
// confidence and band, how every placement scored, for a hybrid how to split
// and what the split costs, a checklist of constraints, unmet demands and
// warnings for the reviewer to confirm, the reasons with their citations,
// what would change the answer, what to ask next, the defaults assumed and
// the policy digest.
func Markdown(w io.Writer, ans api.Answer, lang Lang) error {
	p := &printer{w: w}
	p.f("## %s: %s\n\n", lblTitle.in(lang), cell(workloadName(ans, lang)))
	p.f("**%s:** %s\n\n", lblVerdict.in(lang), verdictLine(ans, lang))
	p.f("| %s | %s | %s | %s |\n|---|---|---:|---|\n", lblPlacement.in(lang), lblRecommendation.in(lang), lblScore.in(lang), lblMeetsNeeds.in(lang))
	names := titles(ans)
	for _, pl := range ans.Placements {
		meets := lblYes.in(lang)
		if !pl.Allowed {
			meets = lblNo.in(lang) + " (" + lblMisses.in(lang) + " " + cell(served(pl.Misses, names)) + ")"
		}
		p.f("| %s | %s | %s | %s |\n", cell(pl.Title), option(pl.Recommendation, lang), Value(pl.Score), meets)
	}
	if l := ans.Layout; l != nil {
		p.f("\n### %s\n\n", lblSplit.in(lang))
		p.f("- **%s:** %s — %s %s\n", lblGrouping.in(lang), cell(l.Grouping.Title), l.Grouping.Summary, citeShort(l.Grouping.Citations))
		for _, layer := range []struct {
			name  label
			parts []api.LayerPart
		}{{lblVMLayer, l.VMLayer}, {lblCtrLayer, l.ContainerLayer}} {
			for _, part := range layer.parts {
				p.f("- **%s:** %s (%s %s) — %s %s\n", layer.name.in(lang), part.Title, lblServes.in(lang), served(part.Serves, names), part.Summary, citeShort(part.Citations))
			}
		}
		p.f("- **%s:** %s — %s %s\n", lblGuestOS.in(lang), guestOSLine(l.GuestOS, lang), l.GuestOS.Summary, citeShort(l.GuestOS.Citations))
	}
	p.f("\n### %s\n\n", lblChecklist.in(lang))
	if len(ans.Constraints) == 0 && len(ans.Unmet) == 0 && len(ans.Warnings) == 0 {
		p.f("%s\n", lblNothingCheck.in(lang))
	}
	for _, c := range ans.Constraints {
		p.f("- [ ] **%s (%s %s):** %s — %s %s\n", lblConstraint.in(lang), lblExcludes.in(lang), strings.Join(c.Excludes, ", "), c.Title, c.Summary, citeShort(c.Citations))
	}
	for _, u := range ans.Unmet {
		p.f("- [ ] **%s (%s, %s):** %s — %s %s\n", lblUnmet.in(lang), named(kindLabels, u.Kind, lang), named(metLabels, u.Met, lang), u.Title, u.Why, citeShort(u.Citations))
	}
	for _, wn := range ans.Warnings {
		p.f("- [ ] **%s:** %s — %s %s\n", lblWarning.in(lang), wn.Title, wn.Summary, citeShort(wn.Citations))
	}
	p.f("\n### %s\n\n", lblReasons.in(lang))
	p.f("| %s | %s | %s | %s | %s |\n|---|---|---:|---|---|\n", lblFavours.in(lang), lblKind.in(lang), lblWeight.in(lang), lblReason.in(lang), lblCitations.in(lang))
	for _, r := range ans.Reasons {
		p.f("| %s | %s | %s | **%s** — %s | %s |\n", option(r.Favors, lang), named(kindLabels, r.Kind, lang), Value(r.Weight), cell(r.Title), cell(r.Summary), citeCell(r.Citations))
	}
	if len(ans.WhatIf) > 0 {
		p.f("\n### %s\n\n", lblWhatIf.in(lang))
		for _, wi := range ans.WhatIf {
			p.f("- `%s` → %s (%s): %s\n", Changes(wi.Changes), Verdict(wi.Recommendation, wi.HybridPattern, lang), named(kindLabels, wi.Kind, lang), wi.Summary)
		}
	}
	if len(ans.AskNext) > 0 {
		p.f("\n### %s\n\n", lblAskNext.in(lang))
		for _, q := range ans.AskNext {
			outcomes := make([]string, len(q.Outcomes))
			for i, o := range q.Outcomes {
				outcomes[i] = "`" + Value(o.Value) + "` → " + Verdict(o.Recommendation, o.HybridPattern, lang)
			}
			assumed := lblNotGiven.in(lang)
			if q.Assumed != nil {
				assumed = lblAssumed.in(lang) + " `" + Value(q.Assumed) + "`"
			}
			p.f("- %s (`%s`, %s; %s %s)\n", q.Question, q.Field, assumed, lblIfAnswered.in(lang), strings.Join(outcomes, ", "))
		}
	}
	defaults := lblNone.in(lang)
	if len(ans.Defaulted) > 0 {
		defaults = "`" + strings.Join(ans.Defaulted, "`, `") + "`"
	}
	p.f("\n%s: %s\n\n", lblDefaults.in(lang), defaults)
	p.f("_%s %s · `%s`_\n", lblPolicy.in(lang), ans.Policy.Version, ans.Policy.Digest)
	return p.err
}

// PortfolioMarkdown writes the review section for a batch: a table with one
// row per workload, the summary, and then each answered workload's section.
func PortfolioMarkdown(w io.Writer, pf api.Portfolio, lang Lang) error {
	m := NewPortfolioMarkdownWriter(w, lang)
	for i := range pf.Items {
		if err := m.Row(&pf.Items[i]); err != nil {
			return err
		}
	}
	if err := m.Summary(pf.Summary); err != nil {
		return err
	}
	for i := range pf.Items {
		if err := m.Section(&pf.Items[i]); err != nil {
			return err
		}
	}
	return nil
}

// PortfolioMarkdownWriter writes PortfolioMarkdown piece by piece, for an
// answer that is sent as its items are produced: every item's row, then
// the summary, then every item's section.
type PortfolioMarkdownWriter struct {
	p       printer
	lang    Lang
	started bool
}

// NewPortfolioMarkdownWriter starts a portfolio's review section.
func NewPortfolioMarkdownWriter(w io.Writer, lang Lang) *PortfolioMarkdownWriter {
	return &PortfolioMarkdownWriter{p: printer{w: w}, lang: lang}
}

// Row writes an item's row of the table, after the title and the table's
// head for the first.
func (m *PortfolioMarkdownWriter) Row(it *api.PortfolioItem) error {
	p, lang := &m.p, m.lang
	m.start()
	name := it.Name
	if name == "" {
		name = lblUnnamed.in(lang)
	}
	if it.Answer == nil {
		p.f("| %d | %s | **%s:** %s | | | |\n", it.Index, cell(name), lblFailed.in(lang), cell(itemErrorText(it.Error)))
		return p.err
	}
	a := it.Answer
	p.f("| %d | %s | %s | %.2f (%s) | %d | %d |\n", it.Index, cell(name), Verdict(a.Recommendation, a.HybridPattern, lang), a.Confidence, named(bandLabels, a.Band, lang), len(a.Constraints), len(a.Unmet))
	return p.err
}

// Summary writes the summary line that ends the table.
func (m *PortfolioMarkdownWriter) Summary(s api.PortfolioSummary) error {
	m.start()
	m.p.f("\n**%s:** %s\n\n", lblSummary.in(m.lang), summaryLine(s, m.lang))
	return m.p.err
}

// Section writes an answered item's section; a failed item has none.
func (m *PortfolioMarkdownWriter) Section(it *api.PortfolioItem) error {
	if it.Answer == nil || m.p.err != nil {
		return m.p.err
	}
	m.p.f("\n")
	if m.p.err != nil {
		return m.p.err
	}
	m.p.err = Markdown(m.p.w, *it.Answer, m.lang)
	return m.p.err
}

func (m *PortfolioMarkdownWriter) start() {
	if m.started {
		return
	}
	m.started = true
	lang := m.lang
	m.p.f("# %s\n\n", lblPortfolio.in(lang))
	m.p.f("| # | %s | %s | %s | %s | %s |\n|---:|---|---|---:|---:|---:|\n", lblWorkload.in(lang), lblVerdict.in(lang), lblConfidence.in(lang), lblConstraints.in(lang), lblUnmetCount.in(lang))
}

func itemErrorText(e *api.ItemError) string {
	if e == nil {
		return ""
	}
	if len(e.Errors) == 0 {
		return e.Detail
	}
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return strings.Join(parts, "; ")
}

// citeCell lists citations as "title (file) — locator" for a table cell.
func citeCell(cs []api.Citation) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = cell(c.Title) + " (`" + c.Source + "`) — " + cell(c.Locator)
	}
	return strings.Join(parts, "<br>")
}

// citeShort lists citations after a checklist item.
func citeShort(cs []api.Citation) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Title + " — " + c.Locator
	}
	return "(" + strings.Join(parts, "; ") + ")"
}

// cell keeps text from breaking a Markdown table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// printer remembers the first write error so a report is written in one pass.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}
