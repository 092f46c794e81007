package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// writeOrgRules lists, under a text portfolio, each rule of the
// organisation's policies that fired (as a reason or a warning), with the
// workloads it fired for and its citations: the table alone does not show
// that the organisation's own standards were applied, or on what authority.
func writeOrgRules(w io.Writer, rules []policy.Rule, pf api.Portfolio, lang policy.Lang) error {
	fired := map[string][]string{}
	for _, it := range pf.Items {
		if it.Answer == nil {
			continue
		}
		seen := map[string]bool{}
		mark := func(id string) {
			if !seen[id] {
				seen[id] = true
				fired[id] = append(fired[id], strconv.Itoa(it.Index))
			}
		}
		for _, r := range it.Answer.Reasons {
			mark(r.Rule)
		}
		for _, r := range it.Answer.Warnings {
			mark(r.Rule)
		}
	}
	heading, none, workloads := "Organisation's rules that fired:", "none", "workloads"
	if lang == policy.Chinese {
		heading, none, workloads = "触发的组织规则：", "无", "工作负载"
	}
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "\n%s\n", heading)
	listed := 0
	for _, r := range rules {
		if r.Origin == policy.OriginBuiltin || len(fired[r.ID]) == 0 {
			continue
		}
		listed++
		weight := ""
		if r.Weight != nil {
			weight = ", " + strconv.FormatFloat(*r.Weight, 'f', -1, 64)
		}
		favors := ""
		if r.Favors != "" {
			favors = ", " + r.Favors
		}
		fmt.Fprintf(b, "- %s (%s%s%s) %s — %s %s\n", r.ID, r.Kind, favors, weight, r.Title, workloads, strings.Join(fired[r.ID], ", "))
		for _, c := range r.Citations {
			fmt.Fprintf(b, "    cites: %s (%s) — %s\n", c.Title, c.Source, c.Locator)
		}
	}
	if listed == 0 {
		fmt.Fprintf(b, "%s\n", none)
	}
	return b.Flush()
}
