package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/placement-advisor/advise/api"
)

var (
	lblTextVerdict     = label{"Recommendation", "建议"}
	lblTextScores      = label{"Scores", "得分"}
	lblTextWorkload    = label{"Workload", "工作负载"}
	lblTextConstraints = label{"Constraints", "约束"}
	lblTextReasons     = label{"Reasons", "理由"}
	lblTextWarnings    = label{"Warnings", "风险"}
	lblTextCites       = label{"cites", "出处"}
	lblTextNotGiven    = label{"not given", "未提供"}
	lblTextDefaults    = label{"Assumed defaults", "采用的默认值"}
)

// Text writes an answer for people: plain lines, no colour, so it can be
// pasted into a review as it is. Empty sections are left out.
func Text(w io.Writer, ans api.Answer, lang Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%s: %s  %s %.2f\n", lblTextVerdict.in(lang), option(ans.Recommendation, ans.HybridPattern, true), lblConfidence.in(lang), ans.Confidence)
	fmt.Fprintf(b, "%s: vm %s · container %s · hybrid %s\n", lblTextScores.in(lang),
		number(ans.Scores.VM), number(ans.Scores.Container), number(ans.Scores.Hybrid))
	if ans.Input.Name != "" {
		fmt.Fprintf(b, "%s: %s\n", lblTextWorkload.in(lang), ans.Input.Name)
	}
	if len(ans.Constraints) > 0 {
		section(b, lblTextConstraints.in(lang))
		for _, c := range ans.Constraints {
			item(b, lang, fmt.Sprintf("[%s, %s, excludes %s] ", c.Favors, number(c.Weight), c.Excludes), c.Title, c.Summary, c.Citations)
		}
	}
	if len(ans.Reasons) > 0 {
		section(b, lblTextReasons.in(lang))
		for _, r := range ans.Reasons {
			item(b, lang, fmt.Sprintf("[%s, %s] ", r.Favors, number(r.Weight)), r.Title, r.Summary, r.Citations)
		}
	}
	if len(ans.Warnings) > 0 {
		section(b, lblTextWarnings.in(lang))
		for _, wa := range ans.Warnings {
			item(b, lang, "", wa.Title, wa.Summary, wa.Citations)
		}
	}
	if len(ans.WhatIf) > 0 {
		section(b, lblWhatIf.in(lang))
		for _, wi := range ans.WhatIf {
			fmt.Fprintf(b, "- %s -> %s\n", Changes(wi.Changes), option(wi.Recommendation, wi.HybridPattern, false))
			fmt.Fprintf(b, "    %s\n", wi.Summary)
		}
	}
	if len(ans.AskNext) > 0 {
		section(b, lblAskNext.in(lang))
		for _, q := range ans.AskNext {
			assumed := lblTextNotGiven.in(lang)
			if q.Assumed != nil {
				assumed = lblAssumed.in(lang) + " " + Value(q.Assumed)
			}
			fmt.Fprintf(b, "- %s (%s): %s\n", q.Field, assumed, q.Question)
			for _, o := range q.Outcomes {
				fmt.Fprintf(b, "    %s -> %s\n", Value(o.Value), option(o.Recommendation, o.HybridPattern, false))
			}
		}
	}
	fmt.Fprintln(b)
	if len(ans.Defaulted) > 0 {
		fmt.Fprintf(b, "%s: %s\n", lblTextDefaults.in(lang), strings.Join(ans.Defaulted, ", "))
	}
	fmt.Fprintf(b, "%s %s %s\n", lblPolicy.in(lang), ans.Policy.Version, ans.Policy.Digest)
	return b.Flush()
}

// PortfolioText writes a batch as a table, one row per workload, and the
// summary; failed items show what was wrong with them.
func PortfolioText(w io.Writer, pf api.Portfolio, lang Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%-4s %-32s %-32s %-6s %s\n", "#", lblWorkload.in(lang), lblVerdict.in(lang), lblConfidence.in(lang), lblConstraints.in(lang))
	for _, it := range pf.Items {
		name := it.Name
		if name == "" {
			name = lblUnnamed.in(lang)
		}
		if it.Answer == nil {
			fmt.Fprintf(b, "%-4d %-32s %s: %s\n", it.Index, clip(name, 32), lblFailed.in(lang), itemErrorText(it.Error))
			continue
		}
		a := it.Answer
		fmt.Fprintf(b, "%-4d %-32s %-32s %-6.2f %d\n", it.Index, clip(name, 32), option(a.Recommendation, a.HybridPattern, false), a.Confidence, len(a.Constraints))
	}
	s := pf.Summary
	fmt.Fprintf(b, "\n%s: %s %d · %s %d · %s %d · vm %d · container %d · hybrid %d\n",
		lblSummary.in(lang), lblTotal.in(lang), s.Total, lblAnswered.in(lang), s.Answered, lblFailedCount.in(lang), s.Failed,
		s.ByRecommendation[api.RecommendVM], s.ByRecommendation[api.RecommendContainer], s.ByRecommendation[api.RecommendHybrid])
	fmt.Fprintf(b, "%s %s %s\n", lblPolicy.in(lang), pf.Policy.Version, pf.Policy.Digest)
	return b.Flush()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func section(b *bufio.Writer, title string) {
	fmt.Fprintf(b, "\n%s\n", title)
}

// item prints one reason, constraint or warning and the passages it cites.
func item(b *bufio.Writer, lang Lang, tag, title, summary string, cites []api.Citation) {
	fmt.Fprintf(b, "- %s%s — %s\n", tag, title, summary)
	for _, c := range cites {
		fmt.Fprintf(b, "    %s: %s (%s) — %s\n", lblTextCites.in(lang), c.Title, c.Source, c.Locator)
	}
}

// option names an option, with its hybrid pattern when there is one.
func option(name, pattern string, upper bool) string {
	if upper {
		name = strings.ToUpper(name)
	}
	if pattern == "" {
		return name
	}
	return name + " (" + pattern + ")"
}

// number prints a score or weight without a pointless ".0".
func number(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
