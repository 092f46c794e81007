package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

// adviseOptions is the parsed command line of "advise FILE...".
type adviseOptions struct {
	output string
	lang   policy.Lang
	server string   // base URL of a running service; empty means evaluate locally
	remote *remote  // the client of server
	expect string   // the recommendation the workloads must get, for gating
	files  []string // paths, or "-" for standard input
	policy policy.Options
}

// advise runs "advise [flags] FILE...|-": read the workloads, get the answers
// from the embedded rules or from --server, print them. One workload prints
// one answer; several (files, a JSON array, YAML documents) print a portfolio.
func advise(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	opts, err := parseAdviseArgs(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeString(stdout, mainHelp)
		}
		return err
	}
	if opts.server != "" {
		opts.remote = newRemote(ctx, opts.server, stderr)
	}
	inputs, batch, err := readWorkloads(opts.files, stdin)
	if err != nil {
		return err
	}
	if !batch {
		ans, err := adviseOne(ctx, opts, inputs[0])
		if err != nil {
			return err
		}
		if err := report.Write(stdout, opts.output, ans, report.Lang(opts.lang)); err != nil {
			return err
		}
		return checkExpected(stderr, opts.expect, []api.PortfolioItem{{Name: inputs[0].source, Answer: &ans}})
	}
	pf, rules, err := advisePortfolio(ctx, opts, inputs)
	if err != nil {
		return err
	}
	if err := report.WritePortfolio(stdout, opts.output, pf, report.Lang(opts.lang)); err != nil {
		return err
	}
	if opts.output == "text" && len(opts.policy.Paths) > 0 {
		if err := writeOrgRules(stdout, rules, pf, opts.lang); err != nil {
			return err
		}
	}
	if pf.Summary.Failed > 0 {
		return &portfolioError{portfolio: pf, inputs: inputs}
	}
	return checkExpected(stderr, opts.expect, pf.Items)
}

func parseAdviseArgs(args []string) (adviseOptions, error) {
	opts := adviseOptions{}
	var lang string
	fs := flag.NewFlagSet("advise", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by mainHelp
	fs.StringVar(&opts.output, "output", "text", "")
	fs.StringVar(&lang, "lang", string(policy.English), "")
	fs.StringVar(&opts.server, "server", "", "")
	fs.StringVar(&opts.expect, "expect", "", "")
	addPolicyFlags(fs, &opts.policy)
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return opts, err
	}
	if !report.ValidFormat(opts.output) {
		return opts, usagef("--output must be one of %s, not %q", strings.Join(report.Formats, ", "), opts.output)
	}
	switch policy.Lang(lang) {
	case policy.English, policy.Chinese:
		opts.lang = policy.Lang(lang)
	default:
		return opts, usagef("--lang must be en or zh, not %q", lang)
	}
	switch opts.expect {
	case "", api.RecommendVM, api.RecommendContainer, api.RecommendHybrid:
	default:
		return opts, usagef("--expect must be vm, container or hybrid, not %q", opts.expect)
	}
	if opts.server != "" && (len(opts.policy.Paths) > 0 || opts.policy.NoBuiltinRules) {
		return opts, usagef("--policy and --no-builtin-rules choose the local rules; --server uses the service's")
	}
	if opts.policy.NoBuiltinRules && len(opts.policy.Paths) == 0 {
		return opts, usagef("--no-builtin-rules needs at least one --policy")
	}
	if opts.server != "" {
		u, err := url.Parse(opts.server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return opts, usagef("--server must be an http:// or https:// URL, not %q", opts.server)
		}
	}
	if err := checkFiles(files); err != nil {
		return opts, err
	}
	opts.files = files
	return opts, nil
}

// checkFiles refuses a command line with no workload file, or with standard
// input (-) more than once.
func checkFiles(files []string) error {
	if len(files) == 0 {
		return usagef("no workload file given; pass a FILE, or - to read standard input")
	}
	if stdin := slices.Index(files, "-"); stdin >= 0 && slices.Contains(files[stdin+1:], "-") {
		return usagef("standard input (-) can be read only once")
	}
	return nil
}

// parseInterspersed parses flags wherever they appear, so "advise FILE
// --output json" works as well as "advise --output json FILE". Everything after
// "--" is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// adviseOne gets the answer for one workload, locally or from --server.
func adviseOne(ctx context.Context, opts adviseOptions, in workloadInput) (api.Answer, error) {
	var ans api.Answer
	if opts.server != "" {
		err := opts.remote.postJSON(ctx, "advise", in.body, opts.lang, &ans)
		return ans, err
	}
	req, err := api.NewValidator().Parse(in.body)
	if err != nil {
		return ans, &workloadError{source: in.source, err: err}
	}
	engine, err := loadEngine(ctx, opts.policy)
	if err != nil {
		return ans, err
	}
	ans, err = engine.Advise(ctx, &req, opts.lang)
	if err != nil {
		return ans, fmt.Errorf("evaluate workload: %w", err)
	}
	return ans, nil
}

// advisePortfolio gets the answers for a batch, locally or from --server's
// batch endpoint, and the rules of a local engine. A bad workload fails
// alone, not the batch.
func advisePortfolio(ctx context.Context, opts adviseOptions, inputs []workloadInput) (api.Portfolio, []policy.Rule, error) {
	var pf api.Portfolio
	if len(inputs) > api.MaxBatch {
		return pf, nil, &fileError{err: fmt.Errorf("%d workloads; one batch takes at most %d", len(inputs), api.MaxBatch)}
	}
	bodies := make([][]byte, len(inputs))
	for i, in := range inputs {
		bodies[i] = in.body
	}
	if opts.server != "" {
		err := opts.remote.postJSON(ctx, "advise/batch", jsonArray(bodies), opts.lang, &pf)
		return pf, nil, err
	}
	engine, err := loadEngine(ctx, opts.policy)
	if err != nil {
		return pf, nil, err
	}
	pf, err = engine.AdvisePortfolio(ctx, bodies, opts.lang)
	if err != nil {
		return pf, nil, fmt.Errorf("evaluate workloads: %w", err)
	}
	return pf, engine.Rules(), nil
}

func loadEngine(ctx context.Context, opts policy.Options) (*policy.Engine, error) {
	engine, resumeGC, err := newEnginePaused(ctx, opts)
	resumeGC() // a run of the CLI may read many files; nothing waits on the first
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", policyLabel(opts), err)
	}
	return engine, nil
}

// jsonArray joins JSON documents into one array without decoding them, so
// the server sees each workload exactly as it was written.
func jsonArray(items [][]byte) []byte {
	out := []byte{'['}
	for i, it := range items {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, it...)
	}
	return append(out, ']')
}

// errExpectation marks advice that differs from what --expect demanded.
var errExpectation = errors.New("advice differs from the expected recommendation")

// checkExpected holds the answers to --expect and, when one differs, says on
// stderr why the advice is what it is and what would give the expected one.
func checkExpected(stderr io.Writer, expect string, items []api.PortfolioItem) error {
	if expect == "" {
		return nil
	}
	misses := 0
	for _, it := range items {
		a := it.Answer
		if a == nil || a.Recommendation == expect {
			continue
		}
		misses++
		name := it.Name
		if a.Input.Name != nil {
			name = *a.Input.Name
		}
		got := a.Recommendation
		if a.HybridPattern != "" {
			got += " (" + a.HybridPattern + ")"
		}
		fmt.Fprintf(stderr, "advise: %s: expected %s, advice is %s (confidence %.2f)\n", name, expect, got, a.Confidence)
		for _, c := range a.Constraints {
			fmt.Fprintf(stderr, "  constraint: %s rules out %s\n", c.Title, strings.Join(c.Excludes, ", "))
		}
		for i, r := range a.Reasons {
			if i == 3 {
				break
			}
			fmt.Fprintf(stderr, "  reason: %s (%s, %s)\n", r.Title, r.Favors, report.Value(r.Weight))
		}
		for _, u := range a.Unmet {
			fmt.Fprintf(stderr, "  not met (%s): %s\n", u.Met, u.Title)
		}
		for _, wi := range a.WhatIf {
			if wi.Recommendation == expect {
				fmt.Fprintf(stderr, "  would be %s with: %s (%s)\n", expect, report.Changes(wi.Changes), wi.Kind)
			}
		}
	}
	if misses > 0 {
		return fmt.Errorf("%w: %d of %d workloads", errExpectation, misses, len(items))
	}
	return nil
}

// portfolioError reports the workloads of a batch that could not be advised
// on; the others were answered and printed.
type portfolioError struct {
	portfolio api.Portfolio
	inputs    []workloadInput
}

func (e *portfolioError) Error() string {
	return fmt.Sprintf("%d of %d workloads are not valid", e.portfolio.Summary.Failed, e.portfolio.Summary.Total)
}

func (e *portfolioError) Is(target error) bool { return target == errBadInput }

func (e *portfolioError) headline() string { return e.Error() + ":" }

func (e *portfolioError) details() []string {
	var lines []string
	for _, it := range e.portfolio.Items {
		if it.Error == nil {
			continue
		}
		where := fmt.Sprintf("item %d", it.Index)
		if it.Index < len(e.inputs) {
			where += " (" + e.inputs[it.Index].source + ")"
		}
		if len(it.Error.Errors) == 0 {
			lines = append(lines, where+": "+it.Error.Detail)
		}
		for _, f := range it.Error.Errors {
			lines = append(lines, where+": "+f.Field+": "+f.Message)
		}
	}
	return lines
}

// workloadError is a workload that did not decode or validate, with where it
// came from. It keeps api.ErrDecode / api.ErrInvalid reachable for exitCode.
type workloadError struct {
	source string
	err    error
}

func (e *workloadError) Error() string { return e.source + ": " + e.err.Error() }
func (e *workloadError) Unwrap() error { return e.err }

func (e *workloadError) headline() string {
	var decodeErr *api.DecodeError
	if errors.As(e.err, &decodeErr) {
		if decodeErr.Field == "" {
			return fmt.Sprintf("%s is not a valid workload: %s", e.source, decodeErr.Reason)
		}
		return fmt.Sprintf("%s is not a valid workload: field %s: %s", e.source, decodeErr.Field, decodeErr.Reason)
	}
	var invalid *api.ValidationError
	if errors.As(e.err, &invalid) {
		return fmt.Sprintf("%s is not a valid workload:", e.source)
	}
	return e.Error()
}

func (e *workloadError) details() []string {
	var invalid *api.ValidationError
	if !errors.As(e.err, &invalid) {
		return nil
	}
	lines := make([]string, len(invalid.Fields))
	for i, f := range invalid.Fields {
		lines[i] = f.Field + ": " + f.Message
	}
	return lines
}
