package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

// Page is what every page shows around its content: the language, the
// navigation, whether the server asks for its token, and the catalog the
// citations link to.
type Page struct {
	Lang string
	// Path is the page's route, for the navigation and the forms.
	Path string
	// TokenRequired adds the token field to every form that asks.
	TokenRequired bool
	// TokenError is the label key saying why the token was refused.
	TokenError string
	// SwitchForm is the form the language switch resubmits, so a posted
	// answer is shown again in the other language; empty, it is a link.
	SwitchForm string
	sources    map[string]policy.Source
}

// NewPage starts a page in lang ("en" or "zh") at path.
func NewPage(lang, path string, tokenRequired bool, sources []policy.Source) Page {
	p := Page{Lang: lang, Path: path, TokenRequired: tokenRequired, sources: map[string]policy.Source{}}
	for _, s := range sources {
		p.sources[s.File] = s
	}
	return p
}

// T is a label of the page in its language.
func (p Page) T(key string) string { return text(key, p.Lang) }

// Other is the language the switch offers.
func (p Page) Other() string {
	if p.Lang == "zh" {
		return "en"
	}
	return "zh"
}

// OtherName names the other language in itself.
func (p Page) OtherName() string {
	if p.Lang == "zh" {
		return "English"
	}
	return "中文"
}

// Verdict names a recommendation and its pattern.
func (p Page) Verdict(recommendation, pattern string) string {
	return report.Verdict(recommendation, pattern, report.Lang(p.Lang))
}

// Term names a band, kind, met value, container form or basis.
func (p Page) Term(value string) string { return report.Term(value, report.Lang(p.Lang)) }

// Value prints an input value as the contract spells it.
func (p Page) Value(v any) string { return report.Value(v) }

// SourceURL is the address of a cited document, empty when the catalog has
// none.
func (p Page) SourceURL(file string) string { return p.sources[file].URL }

// FieldView is one input of the form: the registry's field, what the form
// holds for it, the errors the server found and, when ask_next names it,
// the question.
type FieldView struct {
	api.Field
	// Hint is the field's one line of help: its doc, or in Chinese its
	// question where it has one.
	Hint   string
	Value  string
	Errors []string
	Ask    string
	// Rules are the cross-field rules that blame this field.
	Rules []string
}

// DefaultText is the field's default as the contract spells it.
func (f FieldView) DefaultText() string { return formValue(f.Default) }

// Bounds are a number's limits, empty when it has none.
func (f FieldView) Bounds() (string, string) {
	if f.Min == nil || f.Max == nil || f.Kind == api.KindText {
		return "", ""
	}
	return report.Value(*f.Min), report.Value(*f.Max)
}

// Range says a number's limits in lang.
func (f FieldView) Range(lang string) string {
	lo, hi := f.Bounds()
	if lo == "" {
		return ""
	}
	return fmt.Sprintf(text("form.range", lang), lo, hi)
}

// Choices are a select's options: the enum's values, or true and false.
func (f FieldView) Choices() []string {
	if f.Kind == api.KindBool {
		return []string{"true", "false"}
	}
	return f.Values
}

// IsSelect says the field is chosen from a list.
func (f FieldView) IsSelect() bool { return f.Kind == api.KindBool || f.Kind == api.KindEnum }

// Fields lays out the form: every field of the registry with the values
// given, the errors by field and the questions ask_next puts.
func Fields(values url.Values, errs map[string][]string, ask map[string]string, lang string) []FieldView {
	rules := map[string][]string{}
	for _, r := range api.CrossFieldRules() {
		rules[r.Field] = append(rules[r.Field], r.Message)
	}
	out := make([]FieldView, 0, len(api.Fields()))
	for _, f := range api.Fields() {
		v := FieldView{Field: f, Hint: f.Doc, Value: api.SafeText(values.Get(f.Name)), Errors: errs[f.Name], Ask: ask[f.Name], Rules: rules[f.Name]}
		if lang == "zh" && f.Question[1] != "" {
			v.Hint = f.Question[1]
		}
		out = append(out, v)
	}
	return out
}

// OtherErrors are the errors that name no field of the form: an unknown
// key, or the body as a whole.
func OtherErrors(errs map[string][]string, general []string) []string {
	out := slices.Clone(general)
	var keys []string
	for k := range errs {
		if _, ok := api.FieldIndex(k); !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, m := range errs[k] {
			out = append(out, k+": "+m)
		}
	}
	return out
}

// AdvicePage is GET / and POST /: the form and, once asked, the answer.
type AdvicePage struct {
	Page
	Fields []FieldView
	// Errors are the errors that name no field of the form.
	Errors []string
	// Pending says the form holds a shared workload that awaits the token.
	Pending bool
	Answer  *AnswerView
}

// Bar is one bar of a chart.
type Bar struct {
	// Class is the recommendation the bar stands for, its colour.
	Class string
	Label string
	Value string
	// Width is the bar's length in the chart's units, Y its top.
	Width, Y int
}

// chartWidth is the length of the longest bar.
const chartWidth = 240

// bars draws values as bars, the longest chartWidth long.
func bars(classes, labels []string, values []float64) []Bar {
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	out := make([]Bar, len(values))
	for i, v := range values {
		w := 0
		if top > 0 {
			w = int(v / top * chartWidth)
		}
		out[i] = Bar{Class: classes[i], Label: labels[i], Value: report.Value(v), Width: w, Y: i * 28}
	}
	return out
}

// Chart is a bar chart with its accessible title.
type Chart struct {
	ID, Title string
	Bars      []Bar
	Height    int
}

// recommendations are the bars of both charts, in this order.
var recommendations = []string{api.RecommendVM, api.RecommendContainer, api.RecommendHybrid}

func newChart(id, title string, labels []string, values []float64) Chart {
	b := bars(recommendations, labels, values)
	return Chart{ID: id, Title: title, Bars: b, Height: len(b)*28 + 4}
}

// AnswerView is the answer and what the page adds to show it: the chart,
// the review section as Markdown, the downloads, the Share link and a
// button for each what-if.
type AnswerView struct {
	api.Answer
	Chart    Chart
	Markdown string
	JSONHref template.URL
	Share    string
	WhatIfs  []WhatIfView
}

// WhatIfView is one what-if and the value of its button.
type WhatIfView struct {
	api.WhatIf
	Changes string
	Apply   string
}

// NewAnswer prepares an answer to show in lang.
func NewAnswer(ans api.Answer, req *api.Request, lang string) (*AnswerView, error) {
	var md bytes.Buffer
	if err := report.Markdown(&md, ans, report.Lang(lang)); err != nil {
		return nil, fmt.Errorf("render markdown: %w", err)
	}
	body, err := json.MarshalIndent(ans, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode answer: %w", err)
	}
	rl := report.Lang(lang)
	v := &AnswerView{
		Answer:   ans,
		Markdown: md.String(),
		JSONHref: DataURL("application/json", body),
		Share:    ShareURL(Values(req), lang),
	}
	v.Chart = newChart("scores", text("scores.chart", lang),
		[]string{report.Verdict(api.RecommendVM, "", rl), report.Verdict(api.RecommendContainer, "", rl), report.Verdict(api.RecommendHybrid, "", rl)},
		[]float64{ans.Scores.VM, ans.Scores.Container, ans.Scores.Hybrid})
	for _, wi := range ans.WhatIf {
		v.WhatIfs = append(v.WhatIfs, WhatIfView{WhatIf: wi, Changes: report.Changes(wi.Changes), Apply: ApplyParam(wi.Changes)})
	}
	return v, nil
}

// AskMap is each ask_next question by its field.
func AskMap(ans *api.Answer) map[string]string {
	out := map[string]string{}
	if ans == nil {
		return out
	}
	for _, q := range ans.AskNext {
		out[q.Field] = q.Question
	}
	return out
}

// ShareURL is the page's address for a workload: GET / with the workload
// in the query, which answers it again.
func ShareURL(values url.Values, lang string) string {
	q := url.Values{}
	for k, v := range values {
		if !slices.Contains(pageParams, k) {
			q[k] = v
		}
	}
	q.Set(ParamLang, lang)
	return "/?" + q.Encode()
}

// DataURL is a download of body as a data: address. Its media types are
// this package's own and none a browser runs.
func DataURL(mediaType string, body []byte) template.URL {
	return template.URL("data:" + mediaType + ";charset=utf-8," + url.PathEscape(string(body)))
}

// PortfolioPage is GET and POST /portfolio: the upload form and, once
// asked, the table.
type PortfolioPage struct {
	Page
	// Error is why the upload as a whole was refused.
	Error     string
	Text      string
	Format    string
	Formats   []string
	Portfolio *api.Portfolio
	Chart     Chart
	CSVHref   template.URL
	MDHref    template.URL
}

// The formats a portfolio can be uploaded in.
const (
	FormatAuto = "auto"
	FormatJSON = "json"
	FormatYAML = "yaml"
	FormatCSV  = "csv"
)

// UploadFormats lists them in the order the form offers them.
var UploadFormats = []string{FormatAuto, FormatJSON, FormatYAML, FormatCSV}

// SetPortfolio adds a batch's answers to the page: the summary chart and
// the downloads.
func (p *PortfolioPage) SetPortfolio(pf api.Portfolio, csv []byte) error {
	var md bytes.Buffer
	if err := report.PortfolioMarkdown(&md, pf, report.Lang(p.Lang)); err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	p.Portfolio = &pf
	p.MDHref = DataURL("text/markdown", md.Bytes())
	if csv != nil {
		p.CSVHref = DataURL("text/csv", csv)
	}
	var names []string
	var counts []float64
	for _, rec := range []string{api.RecommendVM, api.RecommendContainer, api.RecommendHybrid} {
		names = append(names, p.Verdict(rec, ""))
		counts = append(counts, float64(pf.Summary.ByRecommendation[rec]))
	}
	p.Chart = newChart("counts", p.T("portfolio.chart"), names, counts)
	return nil
}

// ItemName is a batch item's name, or a label saying it has none.
func (p PortfolioPage) ItemName(it api.PortfolioItem) string {
	if it.Name == "" {
		return p.T("unnamed")
	}
	return api.SafeText(it.Name)
}

// RulesPage is /rules: every rule, every placement and the sources, from
// the data of /v1/rules and /v1/sources.
type RulesPage struct {
	Page
	Rules      []RuleView
	Placements []PlacementView
	Sources    []policy.Source
	Policy     api.PolicyInfo
}

// RuleView is a rule with its title and summary in the page's language.
type RuleView struct {
	policy.Rule
	LocalTitle, LocalSummary string
}

// WeightText prints the weight, empty for a rule without one.
func (r RuleView) WeightText() string {
	if r.Weight == nil {
		return ""
	}
	return strconv.FormatFloat(*r.Weight, 'f', -1, 64)
}

// PlacementView is a placement with its title in the page's language.
type PlacementView struct {
	policy.Placement
	LocalTitle string
}

// NewRulesPage lays out the rules for a page in p's language.
func NewRulesPage(p Page, rules []policy.Rule, placements []policy.Placement, sources []policy.Source, info api.PolicyInfo) RulesPage {
	out := RulesPage{Page: p, Sources: sources, Policy: info}
	lang := policy.Lang(p.Lang)
	for _, r := range rules {
		out.Rules = append(out.Rules, RuleView{Rule: r, LocalTitle: r.TitleIn(lang), LocalSummary: r.SummaryIn(lang)})
	}
	for _, pl := range placements {
		out.Placements = append(out.Placements, PlacementView{Placement: pl, LocalTitle: pl.TitleIn(lang)})
	}
	return out
}

// Unlisted says the form holds a value its list does not offer, which the
// select then shows as it was given, beside the error.
func (f FieldView) Unlisted() bool {
	return f.IsSelect() && f.Value != "" && !slices.Contains(f.Choices(), f.Value)
}

// CiteView is a citation with the address of its document.
type CiteView struct {
	api.Citation
	URL string
}

// Cites links citations to their documents where the catalog has an
// address.
func (p Page) Cites(cs []api.Citation) []CiteView {
	out := make([]CiteView, len(cs))
	for i, c := range cs {
		out[i] = CiteView{Citation: c, URL: p.SourceURL(c.Source)}
	}
	return out
}

// Served names rule ids by the titles of the answer's reasons.
func (v *AnswerView) Served(ids []string) []string {
	titles := map[string]string{}
	for _, r := range v.Reasons {
		titles[r.Rule] = r.Title
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id
		if t, ok := titles[id]; ok {
			out[i] = t
		}
	}
	return out
}

// Name is the workload's name as the answer echoes it, empty without one.
func (v *AnswerView) Name() string {
	if v.Input.Name == nil {
		return ""
	}
	return *v.Input.Name
}

// ConfidenceText prints the confidence with two decimals.
func (v *AnswerView) ConfidenceText() string { return strconv.FormatFloat(v.Confidence, 'f', 2, 64) }

// GuestOSLine says what a hybrid's guest operating systems cost.
func (p Page) GuestOSLine(g api.GuestOS) string {
	s := fmt.Sprintf("~%s MB", report.Value(g.PerGuestMB))
	if g.Guests != nil && g.TotalMB != nil {
		s += fmt.Sprintf(" × %d (%s) ≈ %s MB", *g.Guests, p.Term(g.Basis), report.Value(*g.TotalMB))
	}
	return s
}

// Given says a value is set: ask_next's assumed value is nil for a field
// without a default, and false is a value.
func (p Page) Given(v any) bool { return v != nil }

// answerData is what the answer template reads: the page and its answer.
type answerData struct {
	Page   AdvicePage
	Answer *AnswerView
}

func hasFieldErrors(fields []FieldView) bool {
	return slices.ContainsFunc(fields, func(f FieldView) bool { return len(f.Errors) > 0 })
}
