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
	lblTextWorkload    = label{"Workload", "工作负载"}
	lblTextPlacements  = label{"Placements", "部署方式"}
	lblTextConstraints = label{"Constraints", "约束"}
	lblTextUnmet       = label{"Not met", "未满足"}
	lblTextReasons     = label{"Reasons", "理由"}
	lblTextWarnings    = label{"Warnings", "风险"}
	lblTextCites       = label{"cites", "出处"}
)

// Text writes an answer for people: plain lines, no colour, so it can be
// pasted into a review as it is. Empty sections are left out.
func Text(w io.Writer, ans api.Answer, lang Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%s: %s\n", lblVerdict.in(lang), verdictLine(ans, lang))
	if ans.Input.Name != nil {
		fmt.Fprintf(b, "%s: %s\n", lblTextWorkload.in(lang), *ans.Input.Name)
	}
	section(b, lblTextPlacements.in(lang))
	names := titles(ans)
	for _, pl := range ans.Placements {
		meets := ""
		if !pl.Allowed {
			meets = "  " + lblMisses.in(lang) + " " + served(pl.Misses, names)
		}
		fmt.Fprintf(b, "- %s %s%s\n", number(pl.Score), pl.Title, meets)
	}
	if l := ans.Layout; l != nil {
		section(b, lblSplit.in(lang))
		item(b, lang, lblGrouping.in(lang)+": ", l.Grouping.Title, l.Grouping.Summary, l.Grouping.Citations)
		for _, part := range l.VMLayer {
			item(b, lang, lblVMLayer.in(lang)+": ", part.Title+" ("+lblServes.in(lang)+" "+served(part.Serves, names)+")", part.Summary, part.Citations)
		}
		for _, part := range l.ContainerLayer {
			item(b, lang, lblCtrLayer.in(lang)+": ", part.Title+" ("+lblServes.in(lang)+" "+served(part.Serves, names)+")", part.Summary, part.Citations)
		}
		item(b, lang, lblGuestOS.in(lang)+": ", guestOSLine(l.GuestOS, lang), l.GuestOS.Summary, l.GuestOS.Citations)
	}
	if len(ans.Constraints) > 0 {
		section(b, lblTextConstraints.in(lang))
		for _, c := range ans.Constraints {
			item(b, lang, "["+lblExcludes.in(lang)+" "+strings.Join(c.Excludes, ", ")+"] ", c.Title, c.Summary, c.Citations)
		}
	}
	if len(ans.Unmet) > 0 {
		section(b, lblTextUnmet.in(lang))
		for _, u := range ans.Unmet {
			item(b, lang, "["+named(kindLabels, u.Kind, lang)+", "+named(metLabels, u.Met, lang)+"] ", u.Title, u.Why, u.Citations)
		}
	}
	if len(ans.Reasons) > 0 {
		section(b, lblTextReasons.in(lang))
		for _, r := range ans.Reasons {
			item(b, lang, fmt.Sprintf("[%s, %s, %s] ", option(r.Favors, lang), named(kindLabels, r.Kind, lang), number(r.Weight)), r.Title, r.Summary, r.Citations)
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
			fmt.Fprintf(b, "- %s -> %s (%s)\n", Changes(wi.Changes), Verdict(wi.Recommendation, wi.HybridPattern, lang), named(kindLabels, wi.Kind, lang))
			fmt.Fprintf(b, "    %s\n", wi.Summary)
		}
	}
	if len(ans.AskNext) > 0 {
		section(b, lblAskNext.in(lang))
		for _, q := range ans.AskNext {
			assumed := lblNotGiven.in(lang)
			if q.Assumed != nil {
				assumed = lblAssumed.in(lang) + " " + Value(q.Assumed)
			}
			fmt.Fprintf(b, "- %s (%s): %s\n", q.Field, assumed, q.Question)
			for _, o := range q.Outcomes {
				fmt.Fprintf(b, "    %s -> %s\n", Value(o.Value), Verdict(o.Recommendation, o.HybridPattern, lang))
			}
		}
	}
	fmt.Fprintln(b)
	if len(ans.Defaulted) > 0 {
		fmt.Fprintf(b, "%s: %s\n", lblDefaults.in(lang), strings.Join(ans.Defaulted, ", "))
	}
	fmt.Fprintf(b, "%s %s %s\n", lblPolicy.in(lang), ans.Policy.Version, ans.Policy.Digest)
	return b.Flush()
}

// PortfolioText writes a batch as a table, one row per workload, and the
// summary; failed items show what was wrong with them.
func PortfolioText(w io.Writer, pf api.Portfolio, lang Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%-4s %-32s %-40s %-6s %s\n", "#", lblWorkload.in(lang), lblVerdict.in(lang), lblConfidence.in(lang), lblConstraints.in(lang)+"/"+lblUnmetCount.in(lang))
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
		fmt.Fprintf(b, "%-4d %-32s %-40s %-6.2f %d/%d\n", it.Index, clip(name, 32), clip(Verdict(a.Recommendation, a.HybridPattern, lang), 40), a.Confidence, len(a.Constraints), len(a.Unmet))
	}
	fmt.Fprintf(b, "\n%s: %s\n", lblSummary.in(lang), summaryLine(pf.Summary, lang))
	fmt.Fprintf(b, "%s %s %s\n", lblPolicy.in(lang), pf.Policy.Version, pf.Policy.Digest)
	return b.Flush()
}

// summaryLine counts a portfolio's answers.
func summaryLine(s api.PortfolioSummary, lang Lang) string {
	return fmt.Sprintf("%s %d · %s %d · %s %d · %s %d · %s %d · %s %d",
		lblTotal.in(lang), s.Total, lblAnswered.in(lang), s.Answered, lblFailedCount.in(lang), s.Failed,
		option(api.RecommendVM, lang), s.ByRecommendation[api.RecommendVM],
		option(api.RecommendContainer, lang), s.ByRecommendation[api.RecommendContainer],
		option(api.RecommendHybrid, lang), s.ByRecommendation[api.RecommendHybrid])
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

// item prints one entry and the passages it cites.
func item(b *bufio.Writer, lang Lang, tag, title, summary string, cites []api.Citation) {
	fmt.Fprintf(b, "- %s%s — %s\n", tag, title, summary)
	for _, c := range cites {
		fmt.Fprintf(b, "    %s: %s (%s) — %s\n", lblTextCites.in(lang), c.Title, c.Source, c.Locator)
	}
}

// number prints a score or weight without a pointless ".0".
func number(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}
