package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// Output formats. Each has a writer below; add a format by adding a case.
const (
	formatText = "text"
	formatJSON = "json"
)

// adviseOptions is the parsed command line of "advise FILE".
type adviseOptions struct {
	output string
	lang   policy.Lang
	server string // base URL of a running service; empty means evaluate locally
	file   string // path, or "-" for standard input
}

// advise runs "advise [flags] FILE|-": read the workload, get the answer from
// the embedded rules or from --server, print it.
func advise(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	opts, err := parseAdviseArgs(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return writeString(stdout, mainHelp)
		}
		return err
	}
	in, err := readWorkload(opts.file, stdin)
	if err != nil {
		return err
	}
	var ans api.Answer
	if opts.server != "" {
		ans, err = adviseRemote(ctx, opts.server, in, opts.lang)
	} else {
		ans, err = adviseLocal(ctx, in, opts.lang)
	}
	if err != nil {
		return err
	}
	return writeAnswer(stdout, opts.output, ans)
}

func parseAdviseArgs(args []string) (adviseOptions, error) {
	opts := adviseOptions{}
	var lang string
	fs := flag.NewFlagSet("advise", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported by run, help by mainHelp
	fs.StringVar(&opts.output, "output", formatText, "")
	fs.StringVar(&lang, "lang", string(policy.English), "")
	fs.StringVar(&opts.server, "server", "", "")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return opts, err
	}
	switch opts.output {
	case formatText, formatJSON:
	default:
		return opts, usagef("--output must be text or json, not %q", opts.output)
	}
	switch policy.Lang(lang) {
	case policy.English, policy.Chinese:
		opts.lang = policy.Lang(lang)
	default:
		return opts, usagef("--lang must be en or zh, not %q", lang)
	}
	if opts.server != "" {
		u, err := url.Parse(opts.server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return opts, usagef("--server must be an http:// or https:// URL, not %q", opts.server)
		}
	}
	switch len(files) {
	case 0:
		return opts, usagef("no workload file given; pass a FILE, or - to read standard input")
	case 1:
		opts.file = files[0]
	default:
		return opts, usagef("one workload file at a time, got %d", len(files))
	}
	return opts, nil
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

// adviseLocal evaluates the workload with the rules embedded in the binary.
func adviseLocal(ctx context.Context, in workloadInput, lang policy.Lang) (api.Answer, error) {
	req, err := api.NewValidator().Parse(in.body)
	if err != nil {
		return api.Answer{}, &workloadError{source: in.source, err: err}
	}
	engine, err := policy.New(ctx)
	if err != nil {
		return api.Answer{}, fmt.Errorf("load embedded policy: %w", err)
	}
	ans, err := engine.Advise(ctx, &req, lang)
	if err != nil {
		return api.Answer{}, fmt.Errorf("evaluate workload: %w", err)
	}
	return ans, nil
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

// writeAnswer prints the answer in the chosen format. Both the local and the
// --server path end here, so they print the same bytes for the same answer.
func writeAnswer(w io.Writer, format string, ans api.Answer) error {
	switch format {
	case formatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(ans)
	default:
		return writeText(w, ans)
	}
}
