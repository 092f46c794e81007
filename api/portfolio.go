package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
)

// NewPortfolioSummary is the summary of a batch of total workloads before
// any is counted.
func NewPortfolioSummary(total int) PortfolioSummary {
	return PortfolioSummary{
		Total:            total,
		ByRecommendation: map[string]int{RecommendVM: 0, RecommendContainer: 0, RecommendHybrid: 0},
		WithConstraints:  []int{},
		FailedItems:      []int{},
	}
}

// Count adds one item to the summary; items are counted in input order.
func (s *PortfolioSummary) Count(it *PortfolioItem) {
	switch {
	case it.Error != nil:
		s.Failed++
		s.FailedItems = append(s.FailedItems, it.Index)
	case it.Answer != nil:
		s.Answered++
		s.ByRecommendation[it.Answer.Recommendation]++
		if len(it.Answer.Constraints) > 0 {
			s.WithConstraints = append(s.WithConstraints, it.Index)
		}
	}
}

// PortfolioEncoder writes a Portfolio's JSON one item at a time, so a
// batch's answer goes out as its items are produced instead of being held
// whole. The bytes are those json.Encoder writes for the whole Portfolio,
// indented by two spaces or not, with its final newline: the items, then
// the summary and the policy, which may be known only once every item is.
type PortfolioEncoder struct {
	w      io.Writer
	indent bool
	items  int
	buf    []byte
	err    error
}

// NewPortfolioEncoder starts a portfolio; with indent set it is written as
// json.Encoder with SetIndent("", "  ") writes it.
func NewPortfolioEncoder(w io.Writer, indent bool) *PortfolioEncoder {
	return &PortfolioEncoder{w: w, indent: indent}
}

// Item writes the next item.
func (e *PortfolioEncoder) Item(it *PortfolioItem) error {
	if e.err != nil {
		return e.err
	}
	b := e.buf[:0]
	switch {
	case e.items == 0 && e.indent:
		b = append(b, "{\n  \"items\": [\n    "...)
	case e.items == 0:
		b = append(b, `{"items":[`...)
	case e.indent:
		b = append(b, ",\n    "...)
	default:
		b = append(b, ',')
	}
	e.items++
	item, err := appendItemJSON(nil, it)
	if err != nil {
		e.err = err
		return err
	}
	b = e.appendIndented(b, item, "    ")
	e.buf = b
	return e.write(b)
}

// Close writes the summary and the policy, which end the portfolio.
func (e *PortfolioEncoder) Close(s PortfolioSummary, p PolicyInfo) error {
	if e.err != nil {
		return e.err
	}
	summary, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	policy, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode policy: %w", err)
	}
	b := e.buf[:0]
	switch {
	case e.items == 0 && e.indent:
		b = append(b, "{\n  \"items\": [],\n  \"summary\": "...)
	case e.items == 0:
		b = append(b, `{"items":[],"summary":`...)
	case e.indent:
		b = append(b, "\n  ],\n  \"summary\": "...)
	default:
		b = append(b, `],"summary":`...)
	}
	b = e.appendIndented(b, summary, "  ")
	if e.indent {
		b = append(b, ",\n  \"policy\": "...)
	} else {
		b = append(b, `,"policy":`...)
	}
	b = e.appendIndented(b, policy, "  ")
	if e.indent {
		b = append(b, '\n')
	}
	b = append(b, "}\n"...)
	return e.write(b)
}

// appendIndented appends compact JSON, indented as it would be at the depth
// prefix stands for.
func (e *PortfolioEncoder) appendIndented(dst, src []byte, prefix string) []byte {
	if !e.indent {
		return append(dst, src...)
	}
	var out bytes.Buffer
	// src is JSON this package just wrote: Indent cannot fail on it.
	_ = json.Indent(&out, src, prefix, "  ")
	return append(dst, out.Bytes()...)
}

func (e *PortfolioEncoder) write(b []byte) error {
	if _, err := e.w.Write(b); err != nil {
		e.err = err
		return err
	}
	return nil
}

// appendItemJSON appends an item as json.Marshal writes it, the answer by
// AppendJSON.
func appendItemJSON(dst []byte, it *PortfolioItem) ([]byte, error) {
	dst = append(dst, `{"index":`...)
	dst = strconv.AppendInt(dst, int64(it.Index), 10)
	if it.Name != "" {
		dst = append(dst, `,"name":`...)
		dst = appendJSONString(dst, it.Name)
	}
	if it.Answer != nil {
		dst = append(dst, `,"answer":`...)
		var err error
		if dst, err = it.Answer.AppendJSON(dst); err != nil {
			return nil, err
		}
	}
	if it.Error != nil {
		raw, err := json.Marshal(it.Error)
		if err != nil {
			return nil, fmt.Errorf("encode item error: %w", err)
		}
		dst = append(dst, `,"error":`...)
		dst = append(dst, raw...)
	}
	return append(dst, '}'), nil
}
