package server

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
)

// InputDigest identifies the input an answer was given for without revealing
// it: the SHA-256 of the resolved workload's canonical JSON (struct field
// order, defaults filled in), so two requests that mean the same thing, such
// as one with a default spelled out and one without, share a digest.
func InputDigest(w api.Workload) string {
	// AppendJSON writes what json.Marshal writes, without reflection, into
	// a recycled buffer: one on the stack would escape through AppendJSON.
	bp := jsonBuffers.Get().(*[]byte)
	*bp = w.AppendJSON((*bp)[:0])
	sum := sha256.Sum256(*bp)
	jsonBuffers.Put(bp)
	var digest [len(digestPrefix) + 2*sha256.Size]byte // two hex digits a byte
	copy(digest[:], digestPrefix)
	hex.Encode(digest[len(digestPrefix):], sum[:])
	return string(digest[:])
}

const digestPrefix = "sha256:"

// logDecision writes the decision line of one answer: what was decided, for
// which input (by digest) and by which rules, under the request's id. The
// input itself is logged only when the operator asked for it (LogInputs),
// because workload descriptions can name internal systems. extra carries
// what a caller adds, such as the item index of a batch. It also counts the
// answer in advise_decisions_total.
func (h *handlers) logDecision(c echo.Context, ans api.Answer, took time.Duration, extra ...slog.Attr) {
	attrs := make([]slog.Attr, 0, 10+len(extra))
	attrs = append(attrs,
		slog.String("request_id", requestIDOf(c)),
		slog.String("input_digest", InputDigest(ans.Input)),
		slog.String("recommendation", ans.Recommendation),
		slog.String("hybrid_pattern", ans.HybridPattern),
		slog.Float64("confidence", ans.Confidence),
		slog.String("band", ans.Band),
		slog.String("policy_digest", ans.Policy.Digest),
		slog.Float64("duration_ms", milliseconds(took)))
	attrs = append(attrs, extra...)
	if h.opts.LogInputs {
		attrs = append(attrs, slog.Any("input", ans.Input))
	}
	h.opts.Logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "decision", attrs...)
	h.metrics.decided(&ans)
}
