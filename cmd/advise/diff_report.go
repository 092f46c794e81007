package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/placement-advisor/advise/report"
)

// diffLabel is a heading or a word of a diff report, in English and Chinese.
type diffLabel struct{ en, zh string }

func (l diffLabel) in(lang report.Lang) string {
	if lang == report.Chinese {
		return l.zh
	}
	return l.en
}

var (
	lblDiffTitle       = diffLabel{"Policy change: impact on the advice", "规则变更对建议的影响"}
	lblDiffBase        = diffLabel{"Base policy", "基准规则集"}
	lblDiffNew         = diffLabel{"New policy", "新规则集"}
	lblDiffPolicy      = diffLabel{"policy", "规则集"}
	lblDiffRules       = diffLabel{"rules", "规则"}
	lblDiffDigest      = diffLabel{"digest", "摘要"}
	lblDiffChanged     = diffLabel{"Changed workloads", "建议有变化的工作负载"}
	lblDiffLegend      = diffLabel{"+ reason added, - reason removed, ~ weight changed", "+ 新增理由，- 移除理由，~ 权重变化"}
	lblDiffNoChange    = diffLabel{"No workload's advice changed.", "没有工作负载的建议发生变化。"}
	lblDiffTransitions = diffLabel{"Transitions", "建议的变化"}
	lblDiffFrom        = diffLabel{"from", "原建议"}
	lblDiffTo          = diffLabel{"to", "新建议"}
	lblDiffInvalid     = diffLabel{"Invalid workloads, not compared", "无效的工作负载（未比较）"}
	lblDiffWorkload    = diffLabel{"workload", "工作负载"}
	lblDiffRec         = diffLabel{"recommendation", "建议"}
	lblDiffBand        = diffLabel{"band", "等级"}
	lblDiffConfidence  = diffLabel{"confidence", "置信度"}
	lblDiffReasons     = diffLabel{"reasons", "理由"}
	lblDiffUnchanged   = diffLabel{"unchanged", "未变"}
	lblDiffUnnamed     = diffLabel{"(unnamed)", "（未命名）"}
	lblDiffSummary     = diffLabel{"Summary", "汇总"}
	lblDiffWorkloads   = diffLabel{"workloads", "工作负载数"}
	lblDiffNChanged    = diffLabel{"changed", "有变化"}
	lblDiffNUnchanged  = diffLabel{"unchanged", "无变化"}
	lblDiffConfOnly    = diffLabel{"in confidence only", "个仅置信度变化"}
	lblDiffNInvalid    = diffLabel{"invalid", "无效"}
)

// writeDiff renders a diff in one of diffFormats.
func writeDiff(w io.Writer, format string, rep diffReport, lang report.Lang) error {
	switch format {
	case "text":
		return diffText(w, rep, lang)
	case "markdown":
		return diffMarkdown(w, rep, lang)
	case "json":
		return diffJSON(w, rep)
	}
	return fmt.Errorf("unknown output format %q", format)
}

// diffText writes a diff as plain lines for a terminal: the two policies,
// each changed workload, the transitions, the invalid workloads and the
// summary last, where a terminal leaves it in view.
func diffText(w io.Writer, rep diffReport, lang report.Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "%s: %s · %s\n", lblDiffBase.in(lang), rep.Base.Origin, rep.Base.Digest)
	fmt.Fprintf(b, "%s: %s · %s\n", lblDiffNew.in(lang), rep.New.Origin, rep.New.Digest)
	if len(rep.Changes) == 0 {
		fmt.Fprintf(b, "\n%s\n", lblDiffNoChange.in(lang))
	} else {
		fmt.Fprintf(b, "\n%s (%s):\n", lblDiffChanged.in(lang), lblDiffLegend.in(lang))
	}
	for _, c := range rep.Changes {
		fmt.Fprintf(b, "\n#%d %s (%s)\n", c.Index, changeName(c, lang), c.Source)
		fmt.Fprintf(b, "   %s: %s\n", lblDiffRec.in(lang), fromTo(verdictKey(c.From), verdictKey(c.To), lang))
		fmt.Fprintf(b, "   %s: %s\n", lblDiffBand.in(lang), fromTo(c.From.Band, c.To.Band, lang))
		fmt.Fprintf(b, "   %s: %.2f → %.2f\n", lblDiffConfidence.in(lang), c.From.Confidence, c.To.Confidence)
		for _, line := range reasonLines(c, "") {
			fmt.Fprintf(b, "   %s\n", line)
		}
	}
	if len(rep.Summary.Transitions) > 0 {
		fmt.Fprintf(b, "\n%s:\n", lblDiffTransitions.in(lang))
		tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
		for _, t := range rep.Summary.Transitions {
			fmt.Fprintf(tw, "  %s → %s\t%d\n", t.From, t.To, t.Count)
		}
		tw.Flush()
	}
	if len(rep.Invalid) > 0 {
		fmt.Fprintf(b, "\n%s:\n", lblDiffInvalid.in(lang))
		for _, inv := range rep.Invalid {
			fmt.Fprintf(b, "  %s\n", invalidLine(inv))
		}
	}
	fmt.Fprintf(b, "\n%s: %s\n", lblDiffSummary.in(lang), diffSummaryLine(rep.Summary, lang))
	return b.Flush()
}

// diffMarkdown writes a diff as a section for an architecture review board:
// the two policies and their digests, the summary, a table of transitions and
// one row per changed workload saying what changed.
func diffMarkdown(w io.Writer, rep diffReport, lang report.Lang) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s\n\n", lblDiffTitle.in(lang))
	fmt.Fprintf(b, "| %s | %s | %s |\n|---|---|---|\n", lblDiffPolicy.in(lang), lblDiffRules.in(lang), lblDiffDigest.in(lang))
	fmt.Fprintf(b, "| %s | %s | `%s` |\n", lblDiffBase.in(lang), mdCell(rep.Base.Origin), rep.Base.Digest)
	fmt.Fprintf(b, "| %s | %s | `%s` |\n", lblDiffNew.in(lang), mdCell(rep.New.Origin), rep.New.Digest)
	fmt.Fprintf(b, "\n**%s:** %s\n", lblDiffSummary.in(lang), diffSummaryLine(rep.Summary, lang))
	if len(rep.Summary.Transitions) > 0 {
		fmt.Fprintf(b, "\n## %s\n\n", lblDiffTransitions.in(lang))
		fmt.Fprintf(b, "| %s | %s | %s |\n|---|---|---:|\n", lblDiffFrom.in(lang), lblDiffTo.in(lang), lblDiffWorkloads.in(lang))
		for _, t := range rep.Summary.Transitions {
			fmt.Fprintf(b, "| `%s` | `%s` | %d |\n", t.From, t.To, t.Count)
		}
	}
	fmt.Fprintf(b, "\n## %s\n\n", lblDiffChanged.in(lang))
	if len(rep.Changes) == 0 {
		fmt.Fprintf(b, "%s\n", lblDiffNoChange.in(lang))
	} else {
		fmt.Fprintf(b, "| # | %s | %s | %s | %s | %s |\n|---:|---|---|---|---|---|\n",
			lblDiffWorkload.in(lang), lblDiffRec.in(lang), lblDiffBand.in(lang), lblDiffConfidence.in(lang), lblDiffReasons.in(lang))
		for _, c := range rep.Changes {
			fmt.Fprintf(b, "| %d | %s | %s | %s | %.2f → %.2f | %s |\n", c.Index, mdCell(changeName(c, lang)),
				mdCell(fromTo("`"+verdictKey(c.From)+"`", "`"+verdictKey(c.To)+"`", lang)),
				mdCell(fromTo(c.From.Band, c.To.Band, lang)),
				c.From.Confidence, c.To.Confidence, strings.Join(reasonLines(c, "`"), "<br>"))
		}
		fmt.Fprintf(b, "\n_%s_\n", lblDiffLegend.in(lang))
	}
	if len(rep.Invalid) > 0 {
		fmt.Fprintf(b, "\n## %s\n\n", lblDiffInvalid.in(lang))
		for _, inv := range rep.Invalid {
			fmt.Fprintf(b, "- %s\n", invalidLine(inv))
		}
	}
	return b.Flush()
}

// diffJSON writes the report as indented JSON, as the other commands do.
func diffJSON(w io.Writer, rep diffReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "&" and "<" stay readable in names and titles
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	return nil
}

// reasonLines lists what changed in a workload's reasons, one line each:
// added, removed, then reweighted; quote wraps the rule ids (a backtick for
// Markdown).
func reasonLines(c diffChange, quote string) []string {
	var lines []string
	for _, r := range c.ReasonsAdded {
		lines = append(lines, fmt.Sprintf("+ %s%s%s (%s, %s) %s", quote, r.Rule, quote, r.Favors, report.Value(r.Weight), r.Title))
	}
	for _, r := range c.ReasonsRemoved {
		lines = append(lines, fmt.Sprintf("- %s%s%s (%s, %s) %s", quote, r.Rule, quote, r.Favors, report.Value(r.Weight), r.Title))
	}
	for _, r := range c.WeightsChanged {
		lines = append(lines, fmt.Sprintf("~ %s%s%s (%s, %s → %s) %s", quote, r.Rule, quote, r.Favors, report.Value(r.From), report.Value(r.To), r.Title))
	}
	if quote != "" {
		for i, l := range lines {
			lines[i] = mdCell(l)
		}
	}
	return lines
}

// fromTo is "old → new", or "old (unchanged)".
func fromTo(from, to string, lang report.Lang) string {
	if from == to {
		return from + " (" + lblDiffUnchanged.in(lang) + ")"
	}
	return from + " → " + to
}

func changeName(c diffChange, lang report.Lang) string {
	if c.Name == "" {
		return lblDiffUnnamed.in(lang)
	}
	return c.Name
}

// invalidLine names an invalid workload by its place, its name when it has
// one, and every field at fault.
func invalidLine(inv diffInvalid) string {
	where := fmt.Sprintf("#%d (%s)", inv.Index, inv.Source)
	if inv.Name != "" {
		where = fmt.Sprintf("#%d %s (%s)", inv.Index, inv.Name, inv.Source)
	}
	if len(inv.Errors) == 0 {
		return where + ": " + inv.Detail
	}
	parts := make([]string, len(inv.Errors))
	for i, f := range inv.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return where + ": " + strings.Join(parts, "; ")
}

func diffSummaryLine(s diffSummary, lang report.Lang) string {
	return fmt.Sprintf("%s %d · %s %d · %s %d (%d %s) · %s %d",
		lblDiffWorkloads.in(lang), s.Workloads, lblDiffNChanged.in(lang), s.Changed,
		lblDiffNUnchanged.in(lang), s.Unchanged, s.ConfidenceOnly, lblDiffConfOnly.in(lang),
		lblDiffNInvalid.in(lang), s.Invalid)
}

// mdCell keeps text from breaking a Markdown table row.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
