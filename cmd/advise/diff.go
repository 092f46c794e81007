package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

// diffFormats are the output formats of "advise diff", in the order its help
// shows them.
var diffFormats = []string{"text", "markdown", "json"}

// baseBuiltin is the --base value that names the built-in rules alone.
const baseBuiltin = "builtin"

// diffOptions is the parsed command line of "advise diff".
type diffOptions struct {
	output       string
	lang         policy.Lang
	base         policy.Options // the rules the advice is compared against
	next         policy.Options // the rules of the policy change
	failOnChange bool
	files        []string // paths, or "-" for standard input
}

// errAdviceChanged marks a diff that found changed advice under
// --fail-on-change, so a pipeline can hold a policy change for review.
var errAdviceChanged = errors.New("the new policy changes the advice")

// diff runs "advise diff": evaluate every workload of FILE... under the base
// and the new policy and report the workloads whose advice changed.
func diff(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	opts, err := parseDiffArgs(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeString(stdout, diffHelp)
		}
		return err
	}
	inputs, _, err := readWorkloads(opts.files, stdin)
	if err != nil {
		return err
	}
	base, next, err := loadDiffEngines(ctx, opts)
	if err != nil {
		return err
	}
	rep, err := diffWorkloads(ctx, base, next, inputs, opts.lang)
	if err != nil {
		return err
	}
	rep.Base.Origin = policyOrigin(opts.base)
	rep.New.Origin = policyOrigin(opts.next)
	if err := writeDiff(stdout, opts.output, rep, report.Lang(opts.lang)); err != nil {
		return err
	}
	// Bad input wins over a change: the comparison is incomplete.
	if len(rep.Invalid) > 0 {
		return invalidWorkloads(rep, inputs)
	}
	if opts.failOnChange && rep.Summary.Changed > 0 {
		return fmt.Errorf("%w for %d of %d workloads", errAdviceChanged, rep.Summary.Changed, rep.Summary.Workloads)
	}
	return nil
}

func parseDiffArgs(args []string) (diffOptions, error) {
	opts := diffOptions{}
	var lang, base string
	fs := flag.NewFlagSet("advise diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by diffHelp
	fs.StringVar(&opts.output, "output", "text", "")
	fs.StringVar(&lang, "lang", string(policy.English), "")
	fs.StringVar(&base, "base", baseBuiltin, "")
	fs.BoolVar(&opts.failOnChange, "fail-on-change", false, "")
	addPolicyFlags(fs, &opts.next)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return opts, err
	}
	if !slices.Contains(diffFormats, opts.output) {
		return opts, usagef("--output must be one of %s, not %q", strings.Join(diffFormats, ", "), opts.output)
	}
	switch policy.Lang(lang) {
	case policy.English, policy.Chinese:
		opts.lang = policy.Lang(lang)
	default:
		return opts, usagef("--lang must be en or zh, not %q", lang)
	}
	if len(opts.next.Paths) == 0 {
		return opts, usagef("diff needs at least one --policy: the new rules to compare with --base")
	}
	// A path that is not there is a mistake on the command line, not a
	// policy that fails to load.
	for _, path := range opts.next.Paths {
		if _, err := os.Stat(path); err != nil {
			return opts, usagef("--policy must be a policy directory or bundle: %v", err)
		}
	}
	switch {
	case base == baseBuiltin:
	case strings.TrimSpace(base) == "":
		return opts, usagef("--base must be builtin or a policy directory or bundle")
	default:
		if _, err := os.Stat(base); err != nil {
			return opts, usagef("--base must be builtin or a policy directory or bundle: %v", err)
		}
		opts.base.Paths = []string{base}
	}
	if err := checkFiles(files); err != nil {
		return opts, err
	}
	opts.files = files
	return opts, nil
}

// loadDiffEngines loads the base policy, then the new one; one at a time, as
// each load pauses the collector for the process.
func loadDiffEngines(ctx context.Context, opts diffOptions) (base, next *policy.Engine, err error) {
	if base, err = loadEngine(ctx, opts.base); err != nil {
		return nil, nil, fmt.Errorf("base policy: %w", err)
	}
	if next, err = loadEngine(ctx, opts.next); err != nil {
		return nil, nil, fmt.Errorf("new policy: %w", err)
	}
	return base, next, nil
}

// policyOrigin names what an engine of opts holds: "builtin" (left out with
// --no-builtin-rules) and the policy paths, comma-separated.
func policyOrigin(opts policy.Options) string {
	return strings.Join(opts.Origins(), ", ")
}

// diffReport is what a diff found, and the JSON document --output json
// prints; diffHelp documents it, so its field names are a contract.
type diffReport struct {
	Base    diffPolicy    `json:"base"`
	New     diffPolicy    `json:"new"`
	Summary diffSummary   `json:"summary"`
	Changes []diffChange  `json:"changes"`
	Invalid []diffInvalid `json:"invalid"`
}

// diffPolicy identifies one side's rules.
type diffPolicy struct {
	Digest string `json:"digest"`
	Origin string `json:"origin"`
}

// diffSummary counts the workloads. Workloads counts those evaluated, so
// Changed + Unchanged == Workloads; ConfidenceOnly are the unchanged ones
// whose confidence moved within its band.
type diffSummary struct {
	Workloads      int              `json:"workloads"`
	Changed        int              `json:"changed"`
	Unchanged      int              `json:"unchanged"`
	ConfidenceOnly int              `json:"confidence_only"`
	Invalid        int              `json:"invalid"`
	Transitions    []diffTransition `json:"transitions"`
}

// diffTransition counts the changed workloads that went from one verdict
// (see verdictKey) to another.
type diffTransition struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// diffChange is one workload whose advice changed.
type diffChange struct {
	Index          int           `json:"index"`
	Name           string        `json:"name,omitempty"`
	Source         string        `json:"source"`
	From           diffVerdict   `json:"from"`
	To             diffVerdict   `json:"to"`
	ReasonsAdded   []diffReason  `json:"reasons_added"`
	ReasonsRemoved []diffReason  `json:"reasons_removed"`
	WeightsChanged []diffWeights `json:"weights_changed"`
}

// diffVerdict is the part of an answer a diff compares.
type diffVerdict struct {
	Recommendation string  `json:"recommendation"`
	HybridPattern  string  `json:"hybrid_pattern,omitempty"`
	Band           string  `json:"band"`
	Confidence     float64 `json:"confidence"`
}

// diffReason is a reason one side gives and the other does not.
type diffReason struct {
	Rule   string  `json:"rule"`
	Title  string  `json:"title"`
	Favors string  `json:"favors"`
	Weight float64 `json:"weight"`
}

// diffWeights is a reason both sides give, with another weight.
type diffWeights struct {
	Rule   string  `json:"rule"`
	Title  string  `json:"title"`
	Favors string  `json:"favors"`
	From   float64 `json:"from"`
	To     float64 `json:"to"`
}

// diffInvalid is a workload that did not decode or validate, so neither
// policy advised on it.
type diffInvalid struct {
	Index  int              `json:"index"`
	Name   string           `json:"name,omitempty"`
	Source string           `json:"source"`
	Detail string           `json:"detail"`
	Errors []api.FieldError `json:"errors"`
}

// diffChunk is how many workloads are evaluated under both policies at a
// time: enough to keep every core busy, few enough that a portfolio of tens
// of thousands is not held as full answers, what-ifs and all.
const diffChunk = 256

// diffWorkloads evaluates every input under base and next, the way the
// portfolio mode does (an invalid workload fails alone), and compares the
// answers.
func diffWorkloads(ctx context.Context, base, next *policy.Engine, inputs []workloadInput, lang policy.Lang) (diffReport, error) {
	rep := diffReport{
		Base:    diffPolicy{Digest: base.Info().Digest},
		New:     diffPolicy{Digest: next.Info().Digest},
		Changes: []diffChange{},
		Invalid: []diffInvalid{},
	}
	counts := map[[2]string]int{}
	bodies := make([][]byte, 0, diffChunk)
	for start := 0; start < len(inputs); start += diffChunk {
		bodies = bodies[:0]
		for _, in := range inputs[start:min(start+diffChunk, len(inputs))] {
			bodies = append(bodies, in.body)
		}
		from, err := base.AdvisePortfolio(ctx, bodies, lang)
		if err != nil {
			return diffReport{}, fmt.Errorf("evaluate workloads with the base policy: %w", err)
		}
		to, err := next.AdvisePortfolio(ctx, bodies, lang)
		if err != nil {
			return diffReport{}, fmt.Errorf("evaluate workloads with the new policy: %w", err)
		}
		for i, item := range from.Items {
			index := start + i
			if item.Error != nil {
				rep.Invalid = append(rep.Invalid, diffInvalid{Index: index, Name: item.Name, Source: inputs[index].source, Detail: item.Error.Detail, Errors: item.Error.Errors})
				continue
			}
			rep.Summary.Workloads++
			change, changed := compareAnswers(item.Answer, to.Items[i].Answer)
			if !changed {
				rep.Summary.Unchanged++
				if item.Answer.Confidence != to.Items[i].Answer.Confidence {
					rep.Summary.ConfidenceOnly++
				}
				continue
			}
			change.Index, change.Name, change.Source = index, item.Name, inputs[index].source
			rep.Changes = append(rep.Changes, change)
			counts[[2]string{verdictKey(change.From), verdictKey(change.To)}]++
		}
	}
	rep.Summary.Changed = len(rep.Changes)
	rep.Summary.Invalid = len(rep.Invalid)
	rep.Summary.Transitions = []diffTransition{}
	for k, n := range counts {
		rep.Summary.Transitions = append(rep.Summary.Transitions, diffTransition{From: k[0], To: k[1], Count: n})
	}
	// Most frequent first; the names break ties so the order is stable.
	slices.SortFunc(rep.Summary.Transitions, func(a, b diffTransition) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return rep, nil
}

// verdictKey names a recommendation with its pattern, as transitions are
// counted: vm, container, or hybrid/<pattern>.
func verdictKey(v diffVerdict) string {
	if v.HybridPattern == "" {
		return v.Recommendation
	}
	return v.Recommendation + "/" + v.HybridPattern
}

// compareAnswers says what changed from one answer to the other: the
// recommendation or its pattern, the band, or the reasons (by rule id, and
// each one's weight). Confidence alone is no change: it moves with any weight
// anywhere, and the band says when that matters.
func compareAnswers(from, to *api.Answer) (diffChange, bool) {
	c := diffChange{
		From:           verdictOf(from),
		To:             verdictOf(to),
		ReasonsAdded:   []diffReason{},
		ReasonsRemoved: []diffReason{},
		WeightsChanged: []diffWeights{},
	}
	before := make(map[string]api.Reason, len(from.Reasons))
	for _, r := range from.Reasons {
		before[r.Rule] = r
	}
	after := make(map[string]bool, len(to.Reasons))
	// In the order the answers present them: needs first, heaviest first.
	for _, r := range to.Reasons {
		after[r.Rule] = true
		old, ok := before[r.Rule]
		switch {
		case !ok:
			c.ReasonsAdded = append(c.ReasonsAdded, diffReason{Rule: r.Rule, Title: r.Title, Favors: r.Favors, Weight: r.Weight})
		case old.Weight != r.Weight:
			c.WeightsChanged = append(c.WeightsChanged, diffWeights{Rule: r.Rule, Title: r.Title, Favors: r.Favors, From: old.Weight, To: r.Weight})
		}
	}
	for _, r := range from.Reasons {
		if !after[r.Rule] {
			c.ReasonsRemoved = append(c.ReasonsRemoved, diffReason{Rule: r.Rule, Title: r.Title, Favors: r.Favors, Weight: r.Weight})
		}
	}
	changed := c.From.Recommendation != c.To.Recommendation ||
		c.From.HybridPattern != c.To.HybridPattern ||
		c.From.Band != c.To.Band ||
		len(c.ReasonsAdded)+len(c.ReasonsRemoved)+len(c.WeightsChanged) > 0
	return c, changed
}

func verdictOf(a *api.Answer) diffVerdict {
	return diffVerdict{Recommendation: a.Recommendation, HybridPattern: a.HybridPattern, Band: a.Band, Confidence: a.Confidence}
}

// invalidWorkloads is the error for the workloads neither policy could
// advise on, listed on stderr as the portfolio mode lists them.
func invalidWorkloads(rep diffReport, inputs []workloadInput) error {
	pf := api.Portfolio{Summary: api.PortfolioSummary{Total: len(inputs), Failed: len(rep.Invalid)}}
	for _, inv := range rep.Invalid {
		pf.Items = append(pf.Items, api.PortfolioItem{Index: inv.Index, Name: inv.Name, Error: &api.ItemError{Detail: inv.Detail, Errors: inv.Errors}})
	}
	return &portfolioError{portfolio: pf, inputs: inputs}
}
