package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/placement-advisor/advise/api"
)

// writeText prints an answer for people: plain lines, no colour, so it can be
// pasted into an architecture review as it is. Empty sections are left out.
func writeText(w io.Writer, ans api.Answer) error {
	b := bufio.NewWriter(w)

	fmt.Fprintf(b, "Recommendation: %s  confidence %.2f\n", recommendation(ans.Recommendation, ans.HybridPattern, true), ans.Confidence)
	fmt.Fprintf(b, "Scores: vm %s · container %s · hybrid %s\n",
		number(ans.Scores.VM), number(ans.Scores.Container), number(ans.Scores.Hybrid))
	if ans.Input.Name != "" {
		fmt.Fprintf(b, "Workload: %s\n", ans.Input.Name)
	}

	if len(ans.Constraints) > 0 {
		section(b, "Constraints")
		for _, c := range ans.Constraints {
			item(b, fmt.Sprintf("[%s, %s, excludes %s] ", c.Favors, number(c.Weight), c.Excludes), c.Title, c.Summary, c.Citations)
		}
	}
	if len(ans.Reasons) > 0 {
		section(b, "Reasons")
		for _, r := range ans.Reasons {
			item(b, fmt.Sprintf("[%s, %s] ", r.Favors, number(r.Weight)), r.Title, r.Summary, r.Citations)
		}
	}
	if len(ans.Warnings) > 0 {
		section(b, "Warnings")
		for _, wa := range ans.Warnings {
			item(b, "", wa.Title, wa.Summary, wa.Citations)
		}
	}

	if len(ans.WhatIf) > 0 {
		section(b, "What would change the answer")
		for _, wi := range ans.WhatIf {
			changes := make([]string, len(wi.Changes))
			for i, c := range wi.Changes {
				changes[i] = c.Field + "=" + value(c.Value)
			}
			fmt.Fprintf(b, "- %s -> %s\n", strings.Join(changes, ", "), recommendation(wi.Recommendation, wi.HybridPattern, false))
		}
	}
	if len(ans.AskNext) > 0 {
		section(b, "Ask next")
		for _, q := range ans.AskNext {
			assumed := "not given"
			if q.Assumed != nil {
				assumed = "assumed " + value(q.Assumed)
			}
			fmt.Fprintf(b, "- %s (%s): %s\n", q.Field, assumed, q.Question)
			for _, o := range q.Outcomes {
				fmt.Fprintf(b, "    %s -> %s\n", value(o.Value), recommendation(o.Recommendation, o.HybridPattern, false))
			}
		}
	}

	fmt.Fprintln(b)
	if len(ans.Defaulted) > 0 {
		fmt.Fprintf(b, "Assumed defaults: %s\n", strings.Join(ans.Defaulted, ", "))
	}
	fmt.Fprintf(b, "Policy %s %s\n", ans.Policy.Version, ans.Policy.Digest)
	return b.Flush()
}

func section(b *bufio.Writer, title string) {
	fmt.Fprintf(b, "\n%s\n", title)
}

// item prints one reason, constraint or warning and the passages it cites.
func item(b *bufio.Writer, tag, title, summary string, cites []api.Citation) {
	fmt.Fprintf(b, "- %s%s — %s\n", tag, title, summary)
	for _, c := range cites {
		fmt.Fprintf(b, "    cites: %s (%s) — %s\n", c.Title, c.Source, c.Locator)
	}
}

// recommendation names an option, with its hybrid pattern when there is one.
func recommendation(option, pattern string, upper bool) string {
	if upper {
		option = strings.ToUpper(option)
	}
	if pattern == "" {
		return option
	}
	return option + " (" + pattern + ")"
}

// number prints a score or weight without a pointless ".0".
func number(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// value prints an input value as a caller would write it. It goes through JSON
// so that 5000 reads the same whether it came from the engine (an int64) or
// from a server's reply (a float64): both paths must print identical text.
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "unset"
	case string:
		return x
	case float64:
		return number(x)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}
