package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	advise "github.com/placement-advisor/advise"
	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

// MIMEProblemJSON is the media type of every error body (RFC 9457).
const MIMEProblemJSON = "application/problem+json"

// MIMEYAML is the media type the OpenAPI document is served as.
const MIMEYAML = "application/yaml"

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string          `json:"status"`
	Policy *api.PolicyInfo `json:"policy,omitempty"`
	// Saturation is how full the server is, from /readyz.
	Saturation *Saturation `json:"saturation,omitempty"`
}

// SourceList is the body of GET /v1/sources.
type SourceList struct {
	Sources []policy.Source `json:"sources"`
}

// RuleList is the body of GET /v1/rules: every rule and the placements the
// rules weigh.
type RuleList struct {
	Rules      []policy.Rule      `json:"rules"`
	Placements []policy.Placement `json:"placements"`
}

// advise answers POST /advise. The checks run cheapest first: language and
// media type before the body is read, the size limit while it is read, and
// decoding and validation before the rules are evaluated.
func (h *handlers) advise(c echo.Context) error {
	in, err := h.readAdviceRequest(c, h.opts.BodyLimit, false)
	if err != nil {
		return err
	}
	defer in.leave()
	r, lang, media := c.Request(), in.lang, in.media
	req, err := h.validator.Parse(in.body)
	in.release()
	if err != nil {
		return err
	}
	started := time.Now()
	// The request's context carries the evaluation deadline (see routes), so
	// a slow evaluation is cancelled and a caller who hangs up stops it.
	var answer api.Answer
	if err := h.evaluate(r.Context(), func() (err error) {
		defer h.metrics.evaluated(evaluationSingle, time.Now())
		if answer, err = h.advisor.Advise(r.Context(), &req, lang); err != nil {
			return fmt.Errorf("advise: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	h.logDecision(c, answer, time.Since(started))
	return respond(c, media, lang, &answer, func(w io.Writer) error {
		return report.Markdown(w, answer, report.Lang(lang))
	})
}

// adviseBatch answers POST /advise/batch: a JSON array of up to api.MaxBatch
// workloads, or a CSV table of them. Each item is decoded and validated on
// its own, so a bad item gets an error naming its index and field while the
// others are answered. The answer is written as the items are answered
// (answerBatch).
func (h *handlers) adviseBatch(c echo.Context) error {
	in, err := h.readAdviceRequest(c, h.opts.BatchBodyLimit, true)
	if err != nil {
		return err
	}
	defer in.leave()
	defer in.release() // the items are slices of the body
	r, lang, media := c.Request(), in.lang, in.media
	bodies, err := batchItems(in)
	if err != nil {
		return err
	}
	// A batch takes its turn, then its evaluation slot, waiting in line
	// for both within its deadline: one that does not begin in time is
	// answered evaluation-timeout before anything is written.
	if err := waitInLine(r.Context(), h.batchTurns, "wait for a batch turn"); err != nil {
		return err
	}
	defer func() { <-h.batchTurns }()
	if err := h.waitToEvaluate(r.Context()); err != nil {
		return err
	}
	return h.answerBatch(c, bodies, lang, media)
}

// batchItems splits a batch's body into its workloads, each as JSON.
func batchItems(in adviceRequest) ([][]byte, error) {
	if in.csv {
		return api.CSVDocuments(in.body)
	}
	return api.JSONArrayDocuments(in.body)
}

// respond writes v as JSON, or as the Markdown review section when the
// caller asked for text/markdown. Both name the language and vary on the
// headers that chose the representation.
func respond(c echo.Context, media string, lang policy.Lang, v any, markdown func(io.Writer) error) error {
	header := c.Response().Header()
	header[echo.HeaderVary] = varyOnNegotiation
	header[headerContentLanguage] = contentLanguage(lang)
	if media != MIMEMarkdown {
		if a, ok := v.(*api.Answer); ok && !prettyJSON(c) {
			return writeAnswer(c, a)
		}
		return c.JSON(http.StatusOK, v)
	}
	var buf bytes.Buffer
	if err := markdown(&buf); err != nil {
		return fmt.Errorf("render markdown: %w", err)
	}
	return c.Blob(http.StatusOK, MIMEMarkdown+"; charset=utf-8", buf.Bytes())
}

// The headers respond sets, as canonical keys and shared values that are
// never written to (see secureHeaders).
const headerContentLanguage = "Content-Language"

var (
	varyOnNegotiation = []string{"Accept, Accept-Language"}
	contentLanguages  = map[policy.Lang][]string{policy.English: {string(policy.English)}, policy.Chinese: {string(policy.Chinese)}}
)

func contentLanguage(lang policy.Lang) []string {
	if v, ok := contentLanguages[lang]; ok {
		return v
	}
	return []string{string(lang)}
}

// prettyJSON reports whether echo's c.JSON would indent: in debug mode or
// when the query has a pretty parameter.
func prettyJSON(c echo.Context) bool {
	_, pretty := queryParams(c)["pretty"]
	return pretty || c.Echo().Debug
}

// jsonBuffers recycles the buffers answers, and the workloads InputDigest
// hashes, are written into.
var jsonBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// writeAnswer writes an answer as c.JSON would (the same bytes and the
// newline json.Encoder ends with) but through api.Answer.AppendJSON, which
// costs a fraction of encoding/json's reflection, and with a Content-Length,
// so the body goes out in one piece rather than in chunks.
func writeAnswer(c echo.Context, a *api.Answer) error {
	bp := jsonBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= 64<<10 {
			jsonBuffers.Put(bp)
		}
	}()
	body, err := a.AppendJSON((*bp)[:0])
	if err != nil {
		return fmt.Errorf("encode answer: %w", err)
	}
	body = append(body, '\n')
	*bp = body
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// MIMEMarkdown is the media type of the review section (RFC 7763).
const MIMEMarkdown = "text/markdown"

// MIMECSV is the media type of a batch as a table (RFC 4180), which
// POST /advise/batch reads and writes.
const MIMECSV = "text/csv"

// negotiateMedia picks JSON or Markdown, or where tables is set CSV too,
// from Accept (RFC 9110 §12.5.1): the acceptable type with the highest
// weight, the first listed on a tie, JSON when Accept is absent. text/*
// is Markdown: CSV is given only to a caller that names it. An Accept
// that allows none of them is a 406.
func negotiateMedia(headers []string, tables bool) (string, error) {
	if len(headers) == 0 {
		return echo.MIMEApplicationJSON, nil
	}
	best, bestQ := "", 0.0
	for _, header := range headers {
		for _, entry := range strings.Split(header, ",") {
			mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(entry))
			if err != nil {
				continue
			}
			q := 1.0
			if v, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			var offer string
			switch mediaType {
			case echo.MIMEApplicationJSON, "application/*", "*/*":
				offer = echo.MIMEApplicationJSON
			case MIMEMarkdown, "text/*":
				offer = MIMEMarkdown
			case MIMECSV:
				if !tables {
					continue
				}
				offer = MIMECSV
			default:
				continue
			}
			if q > bestQ {
				best, bestQ = offer, q
			}
		}
	}
	if best == "" {
		detail := "this resource is available as application/json or text/markdown"
		if tables {
			detail = "this resource is available as application/json, text/markdown or text/csv"
		}
		return "", &problemError{kind: notAcceptable, detail: detail}
	}
	return best, nil
}

// adviceRequest is what both advice endpoints read before decoding the body.
type adviceRequest struct {
	lang  policy.Lang
	media string
	body  []byte
	// csv is set for a body sent as text/csv.
	csv bool
	// buffer holds body until release gives it back to bodyBuffers.
	buffer *bytes.Buffer
	// leave gives back the in-flight slot taken once the body was in.
	leave func()
}

// release recycles the body's buffer. Nothing may use body afterwards, and
// nothing decoded from it does: the decoders copy every string they keep.
func (in *adviceRequest) release() {
	if in.buffer != nil {
		recycleBody(in.buffer)
	}
	in.buffer, in.body = nil, nil
}

// bodyBuffers recycles the buffers request bodies are read into, which
// would otherwise be allocated and grown for every request. A buffer grown
// past maxPooledBody (by a batch) is left to the collector instead.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 64 << 10

func recycleBody(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBody {
		bodyBuffers.Put(buf)
	}
}

// readAdviceRequest runs the checks both advice endpoints share, cheapest
// first: language, Content-Type and Accept before the body is read, and the
// size limit while it is read. With tables set the endpoint also reads and
// writes CSV.
func (h *handlers) readAdviceRequest(c echo.Context, limit int64, tables bool) (adviceRequest, error) {
	r := c.Request()
	var in adviceRequest
	var err error
	if in.lang, err = requestedLang(c); err != nil {
		return in, err
	}
	if in.csv, err = requireBodyType(r.Header.Get(echo.HeaderContentType), tables); err != nil {
		return in, err
	}
	if in.media, err = negotiateMedia(r.Header.Values(echo.HeaderAccept), tables); err != nil {
		return in, err
	}
	doneReading, err := h.admission.startReading(c)
	if err != nil {
		return in, err
	}
	in.buffer, err = readBody(c, limit)
	doneReading()
	if err != nil {
		return in, err
	}
	if in.leave, err = h.admission.enter(); err != nil {
		recycleBody(in.buffer)
		in.buffer = nil
		return in, err
	}
	in.body = in.buffer.Bytes()
	return in, nil
}

// readBody reads the whole body through http.MaxBytesReader, which counts the
// bytes actually read, so a chunked body without a Content-Length is held to
// the limit as well. A declared length over the limit fails before reading.
// The body is read into a buffer of bodyBuffers.
func readBody(c echo.Context, limit int64) (*bytes.Buffer, error) {
	r := c.Request()
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body, err := decodedBody(c, limit)
	if err != nil {
		return nil, err
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	if _, err := buf.ReadFrom(body); err != nil {
		recycleBody(buf)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, tooLarge
		}
		if errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) && r.Header.Get(echo.HeaderContentEncoding) != "" {
			return nil, &problemError{kind: malformed, detail: "the gzip-encoded body could not be decoded", cause: err}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The server's read timeout ran out while the body trickled in.
			return nil, &problemError{kind: requestTimeout, detail: "the request body did not arrive in the time allowed", cause: err}
		}
		// The caller hung up or sent a broken body: their side, not ours.
		return nil, &problemError{kind: malformed, detail: "the request body could not be read", cause: err}
	}
	return buf, nil
}

// decodedBody is the request body, capped at limit both as sent and, for a
// gzip Content-Encoding, once decoded, so a small compressed body cannot
// expand past the limit. Any other encoding but identity is 415: answering
// a body read as something it is not would be a guess (RFC 9110 §8.4).
func decodedBody(c echo.Context, limit int64) (io.Reader, error) {
	r := c.Request()
	sent := http.MaxBytesReader(c.Response().Writer, r.Body, limit)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get(echo.HeaderContentEncoding))); enc {
	case "", "identity":
		return sent, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(sent)
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, tooLarge
			}
			return nil, &problemError{kind: malformed, detail: "the gzip-encoded body could not be decoded", cause: err}
		}
		return &cappedReader{r: zr, left: limit, limit: limit}, nil
	default:
		c.Response().Header().Set("Accept-Encoding", "gzip")
		return nil, &problemError{kind: unsupportedMedia, detail: "Content-Encoding " + strconv.Quote(api.SafeText(enc)) + " is not supported; send the body as it is, or gzip"}
	}
}

// cappedReader fails with *http.MaxBytesError once more than limit bytes
// have been read.
type cappedReader struct {
	r           io.Reader
	left, limit int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &http.MaxBytesError{Limit: c.limit}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &http.MaxBytesError{Limit: c.limit}
	}
	return n, err
}

// requireBodyType accepts application/json, and where tables is set
// text/csv, with no charset or charset utf-8: the only encoding a JSON
// body may use (RFC 8259), and the one the CSV reader reads. It reports
// whether the body is CSV.
func requireBodyType(contentType string, tables bool) (csv bool, err error) {
	send := "application/json"
	if tables {
		send = "application/json or text/csv"
	}
	unsupported := func(detail string) error {
		return &problemError{kind: unsupportedMedia, detail: detail}
	}
	switch contentType {
	case echo.MIMEApplicationJSON:
		return false, nil // what nearly every caller sends: no need to parse it
	case "":
		return false, unsupported("the request has no Content-Type; send " + send)
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	csv = err == nil && tables && mediaType == MIMECSV
	if err != nil || mediaType != echo.MIMEApplicationJSON && !csv {
		return false, unsupported("Content-Type " + strconv.Quote(contentType) + " is not supported; send " + send)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false, unsupported("charset " + strconv.Quote(cs) + " is not supported; the body must be UTF-8")
	}
	return csv, nil
}

// requestedLang picks the language of the summaries: the lang query parameter
// when given (an unknown value is the caller's mistake), else the preferred
// supported language of Accept-Language, else English.
func requestedLang(c echo.Context) (policy.Lang, error) {
	if values, ok := queryParams(c)["lang"]; ok {
		if len(values) == 1 {
			switch lang := policy.Lang(strings.ToLower(values[0])); lang {
			case policy.English, policy.Chinese:
				return lang, nil
			}
		}
		return "", &problemError{
			kind:   invalidParameter,
			detail: "query parameter lang must be en or zh, given once",
			fields: []api.FieldError{{Field: "lang", Rule: "oneof", Message: "must be one of: en, zh"}},
		}
	}
	return negotiateLang(c.Request().Header.Values("Accept-Language")), nil
}

// queryParams is the request's query, parsed once (echo keeps what it
// parsed for the request) and not at all when there is none, as in most
// requests: parsing even an empty query allocates a map.
func queryParams(c echo.Context) url.Values {
	if c.Request().URL.RawQuery == "" {
		return nil
	}
	return c.QueryParams()
}

// negotiateLang reads Accept-Language (RFC 9110 §12.5.4) and returns the
// supported language with the highest weight; on a tie the first listed wins.
// Malformed entries are skipped: a header the server cannot read falls back to
// English rather than failing the request.
func negotiateLang(headers []string) policy.Lang {
	best, bestQ := policy.English, 0.0
	for _, header := range headers {
		for _, entry := range strings.Split(header, ",") {
			tag, params, _ := strings.Cut(strings.TrimSpace(entry), ";")
			q := 1.0
			if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
				parsed, err := strconv.ParseFloat(v, 64)
				if err != nil || parsed < 0 || parsed > 1 {
					continue
				}
				q = parsed
			}
			primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
			var lang policy.Lang
			switch primary {
			case "zh":
				lang = policy.Chinese
			case "en", "*":
				lang = policy.English
			default:
				continue
			}
			if q > bestQ {
				best, bestQ = lang, q
			}
		}
	}
	return best
}

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, Health{Status: "ok"})
}

// readyz reports ready with the rules it serves, once a policy is active (at
// once for an engine compiled before the server was built; for a service
// waiting for its first bundle, when it has loaded), until shutdown begins
// and it must send traffic elsewhere.
func (h *handlers) readyz(c echo.Context) error {
	if h.draining.Load() {
		return &problemError{kind: shuttingDown, detail: "the server is shutting down; send new requests to another instance"}
	}
	if r, ok := h.advisor.(PolicyReporter); ok && !r.Ready() {
		return &problemError{kind: noPolicy, detail: "no policy is active yet; see GET /v1/policy"}
	}
	sat := h.admission.saturation()
	if sat.full() {
		return &problemError{kind: overloaded, detail: fmt.Sprintf("saturated: %d of %d requests in flight, %d of %d bodies being read; send new requests to another instance", sat.InFlight, sat.MaxInFlight, sat.Reading, sat.MaxReading)}
	}
	info := h.advisor.Info()
	return c.JSON(http.StatusOK, Health{Status: "ready", Policy: &info, Saturation: &sat})
}

func (h *handlers) sources(c echo.Context) error {
	return c.JSON(http.StatusOK, SourceList{Sources: h.advisor.Sources()})
}

func (h *handlers) rules(c echo.Context) error {
	return c.JSON(http.StatusOK, RuleList{Rules: h.advisor.Rules(), Placements: h.advisor.Placements()})
}

func (h *handlers) policy(c echo.Context) error {
	return c.JSON(http.StatusOK, h.policyStatus())
}

// policyStatus is the active policy and its reloads, as GET /v1/policy
// and the metrics report them; an Advisor that cannot reload has its one
// policy, built in or given at start.
func (h *handlers) policyStatus() api.PolicyStatus {
	if r, ok := h.advisor.(PolicyReporter); ok {
		return r.PolicyStatus()
	}
	info := h.advisor.Info()
	return api.PolicyStatus{
		Active:   &api.ActivePolicy{Version: info.Version, Digest: info.Digest, LoadedAt: h.started, Trigger: "start", Rules: len(h.advisor.Rules())},
		Origins:  []string{policy.OriginBuiltin},
		Watching: []string{},
		Reloads:  1,
	}
}

func (h *handlers) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, MIMEYAML, advise.OpenAPI)
}

// waitToEvaluate takes an evaluation slot, waiting in line for one while the
// request's context allows; the caller gives it back when its evaluation ends.
// Time spent waiting counts against the evaluation deadline, so a request
// that waited too long is answered evaluation-timeout like a slow one.
func (h *handlers) waitToEvaluate(ctx context.Context) error {
	return waitInLine(ctx, h.evaluating, "wait to evaluate")
}

// evaluate runs fn holding an evaluation slot (see waitToEvaluate), given
// back when fn returns, even if the engine panics.
func (h *handlers) evaluate(ctx context.Context, fn func() error) error {
	if err := h.waitToEvaluate(ctx); err != nil {
		return err
	}
	defer func() { <-h.evaluating }()
	return fn()
}

// waitInLine takes a token of a semaphore, at once if one is free whatever
// the context, else waiting in line while ctx allows.
func waitInLine(ctx context.Context, tokens chan struct{}, what string) error {
	select {
	case tokens <- struct{}{}:
		return nil
	default:
	}
	select {
	case tokens <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
}
