package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

// A batch's answer is written as its items are answered, so that however
// large the batch, it holds a few dozen answers (policy.BatchWindow) and a
// chunk or two of output, not the whole portfolio and its rendering. At
// most MaxEvaluating batches are answered at once (batchTurns); the others
// wait in line holding only their bodies. A batch in progress keeps its
// evaluation slot while it evaluates and renders; its chunks go to the
// caller from a goroutine of their own, and when they back up (the caller
// reads slowly) the batch gives its slot up until they move, so a slow
// reader holds its turn but never the CPU that single requests need.
//
// The status line goes out with the first chunk. Before it, every failure
// is a problem document as elsewhere, and the batch deadline is the time
// the answer has to begin: a batch that waited in line too long is
// answered evaluation-timeout. Once it has begun, the answer is finished
// however long the line was, and stops only when the caller hangs up, the
// connection's write timeout ends it, or evaluation fails. Those cannot be
// a problem document any more: the connection is closed before the body's
// end, which every HTTP client reports as an incomplete answer (an
// unexpected EOF; curl exits 18), so a cut-off answer is never taken for a
// whole one.

// chunkSize is how much output a batch gathers before handing it to its
// writer.
const chunkSize = 32 << 10

// chunkBuffers recycles the chunks; one grown past maxPooledChunk (by a
// very long section) is left to the collector.
var chunkBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, chunkSize+chunkSize/2)) }}

const maxPooledChunk = 4 * chunkSize

// batchStream is the io.Writer a batch's answer is rendered into.
type batchStream struct {
	c           echo.Context
	h           *handlers
	ctx         context.Context
	contentType string
	lang        policy.Lang
	// holding is whether the batch holds its evaluation slot.
	holding bool
	// phase says whether the answer has begun (the status line is out) or
	// the deadline came first; whichever is first wins, in one
	// compare-and-swap, so a deadline cannot stop an answer as it begins.
	phase atomic.Int32
	// stop ends ctx.
	stop context.CancelCauseFunc
	buf  *bytes.Buffer
	// chunks feeds the writer, which reports on written once chunks is
	// closed: nil, or the first error writing to the caller, which also
	// stops ctx: nobody reads the rest.
	chunks  chan *bytes.Buffer
	written chan error
	failed  error
}

// newBatchStream starts the answer of a batch that holds its evaluation
// slot; the stream gives it back (release). Its context is the request's
// until the answer begins, and from then on ends only when the caller
// hangs up or a write fails, not at the deadline; stop releases it.
func newBatchStream(c echo.Context, h *handlers, contentType string, lang policy.Lang) *batchStream {
	req := c.Request().Context()
	ctx, stop := context.WithCancelCause(context.WithoutCancel(req))
	s := &batchStream{c: c, h: h, ctx: ctx, contentType: contentType, lang: lang, holding: true, buf: newChunk()}
	unwatch := context.AfterFunc(req, func() {
		if s.phase.CompareAndSwap(phaseWaiting, phaseExpired) || errors.Is(req.Err(), context.Canceled) {
			stop(req.Err())
		}
	})
	s.stop = func(cause error) {
		unwatch()
		stop(cause)
	}
	return s
}

func newChunk() *bytes.Buffer {
	b := chunkBuffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func recycleChunk(b *bytes.Buffer) {
	if b.Cap() <= maxPooledChunk {
		chunkBuffers.Put(b)
	}
}

// Write gathers output, handing a full chunk to the writer.
func (s *batchStream) Write(p []byte) (int, error) {
	if s.failed != nil {
		return 0, s.failed
	}
	s.buf.Write(p)
	if s.buf.Len() >= chunkSize {
		if err := s.handOff(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// handOff gives the chunk gathered to the writer, starting the answer with
// the first one. When the writer is still busy with the one before, the
// caller reads slowly: the slot is given up while the batch waits for it.
func (s *batchStream) handOff() error {
	if s.chunks == nil {
		if err := s.start(); err != nil {
			s.failed = err
			return err
		}
	}
	select {
	case s.chunks <- s.buf:
	default:
		s.release()
		select {
		case s.chunks <- s.buf:
		case <-s.ctx.Done():
			s.failed = fmt.Errorf("write batch: %w", context.Cause(s.ctx))
			return s.failed
		}
		if err := s.h.waitToEvaluate(s.ctx); err != nil {
			s.failed = err
			return err
		}
		s.holding = true
	}
	s.buf = newChunk()
	return nil
}

// The phases of a batch's answer.
const (
	phaseWaiting int32 = iota // nothing written yet
	phaseBegun                // the status line is out
	phaseExpired              // the deadline passed before the answer began
)

// start sends the status line and headers, and starts the writer, unless
// the deadline has passed: then the batch fails as not begun.
func (s *batchStream) start() error {
	if !s.phase.CompareAndSwap(phaseWaiting, phaseBegun) {
		return fmt.Errorf("begin batch: %w", context.Cause(s.ctx))
	}
	resp := s.c.Response()
	header := resp.Header()
	header[echo.HeaderVary] = varyOnNegotiation
	header[headerContentLanguage] = contentLanguage(s.lang)
	header.Set(echo.HeaderContentType, s.contentType)
	resp.WriteHeader(http.StatusOK)
	s.chunks = make(chan *bytes.Buffer, 1)
	s.written = make(chan error, 1)
	go func() {
		var err error
		for chunk := range s.chunks {
			if err == nil {
				if _, err = resp.Write(chunk.Bytes()); err != nil {
					s.stop(fmt.Errorf("write batch: %w", err))
				}
			}
			recycleChunk(chunk)
		}
		s.written <- err
	}()
	return nil
}

// finish writes what is left and waits for the writer. An answer that
// never filled a chunk goes out in one piece, with its length.
func (s *batchStream) finish() error {
	defer s.release()
	if s.failed != nil {
		return s.failed
	}
	if s.chunks == nil {
		defer recycleChunk(s.buf)
		header := s.c.Response().Header()
		header[echo.HeaderVary] = varyOnNegotiation
		header[headerContentLanguage] = contentLanguage(s.lang)
		header.Set(echo.HeaderContentLength, strconv.Itoa(s.buf.Len()))
		return s.c.Blob(http.StatusOK, s.contentType, s.buf.Bytes())
	}
	s.release() // what is left is only writing
	s.chunks <- s.buf
	close(s.chunks)
	return <-s.written
}

// abort ends an answer that cannot be completed: before it started, the
// error is left to the problem renderer; after, the writer is stopped and
// the connection closed before the body's end. The error is returned for
// the log either way.
func (s *batchStream) abort(err error) error {
	s.release()
	if s.chunks == nil {
		recycleChunk(s.buf)
		return err
	}
	close(s.chunks)
	<-s.written
	conn, _, herr := s.c.Response().Hijack()
	if herr != nil {
		panic(http.ErrAbortHandler) // net/http's own way to cut a response short
	}
	_ = conn.Close()
	return err
}

func (s *batchStream) release() {
	if s.holding {
		s.holding = false
		<-s.h.evaluating
	}
}

// batchRenderer renders a batch's items, in the representation asked for,
// as AdviseEach hands them over, and ends the answer. The summary it is
// given is counted on the first pass, as the items go by.
type batchRenderer interface {
	// passes is how many times the renderer needs the items.
	passes() int
	item(pass int, it *api.PortfolioItem, counted *api.PortfolioSummary) error
	close(counted *api.PortfolioSummary, p api.PolicyInfo) error
}

// batchMediaType is the Content-Type of a batch's answer in a representation.
func batchMediaType(media string) string {
	switch media {
	case MIMEMarkdown:
		return MIMEMarkdown + "; charset=utf-8"
	case MIMECSV:
		return MIMECSV + "; charset=utf-8; header=present"
	}
	return echo.MIMEApplicationJSON
}

// newBatchRenderer is the renderer of a representation.
func newBatchRenderer(media string, w io.Writer, lang policy.Lang, indentJSON bool) batchRenderer {
	switch media {
	case MIMEMarkdown:
		return &markdownBatch{w: report.NewPortfolioMarkdownWriter(w, report.Lang(lang))}
	case MIMECSV:
		return &csvBatch{w: report.NewPortfolioCSVWriter(w, report.Lang(lang))}
	}
	return &jsonBatch{enc: api.NewPortfolioEncoder(w, indentJSON)}
}

// jsonBatch writes the Portfolio as JSON: the items, then the summary,
// which comes after them.
type jsonBatch struct{ enc *api.PortfolioEncoder }

func (b *jsonBatch) passes() int { return 1 }

func (b *jsonBatch) item(_ int, it *api.PortfolioItem, _ *api.PortfolioSummary) error {
	return b.enc.Item(it)
}

func (b *jsonBatch) close(counted *api.PortfolioSummary, p api.PolicyInfo) error {
	return b.enc.Close(*counted, p)
}

// markdownBatch writes the portfolio's review section: the table of every
// item on the first pass, then the summary, then the sections on the
// second pass.
type markdownBatch struct {
	w       *report.PortfolioMarkdownWriter
	summary bool
}

func (b *markdownBatch) passes() int { return 2 }

func (b *markdownBatch) item(pass int, it *api.PortfolioItem, counted *api.PortfolioSummary) error {
	if pass == 0 {
		return b.w.Row(it)
	}
	if err := b.writeSummary(counted); err != nil {
		return err
	}
	return b.w.Section(it)
}

func (b *markdownBatch) close(counted *api.PortfolioSummary, _ api.PolicyInfo) error {
	return b.writeSummary(counted) // an empty batch has no second pass
}

func (b *markdownBatch) writeSummary(counted *api.PortfolioSummary) error {
	if b.summary {
		return nil
	}
	b.summary = true
	return b.w.Summary(*counted)
}

// csvBatch writes the portfolio's table.
type csvBatch struct{ w *report.PortfolioCSVWriter }

func (b *csvBatch) passes() int { return 1 }

func (b *csvBatch) item(_ int, it *api.PortfolioItem, _ *api.PortfolioSummary) error {
	return b.w.WriteItem(it)
}

func (b *csvBatch) close(*api.PortfolioSummary, api.PolicyInfo) error { return b.w.Flush() }

// answerBatch evaluates a batch and streams its answer; the caller holds
// an evaluation slot, which the stream gives back.
func (h *handlers) answerBatch(c echo.Context, bodies [][]byte, lang policy.Lang, media string) error {
	out := newBatchStream(c, h, batchMediaType(media), lang)
	defer out.stop(nil)
	defer out.release() // given back even if rendering panics
	render := newBatchRenderer(media, out, lang, prettyJSON(c))
	summary := api.NewPortfolioSummary(len(bodies))
	defer h.metrics.evaluated(evaluationBatch, time.Now())
	info, err := h.advisor.AdviseEach(out.ctx, bodies, lang, render.passes(), func(pass int, it *api.PortfolioItem) error {
		if pass == 0 {
			summary.Count(it)
			if it.Answer != nil {
				h.metrics.decided(it.Answer)
			}
		}
		return render.item(pass, it, &summary)
	})
	if err == nil {
		err = render.close(&summary, info)
	}
	if err != nil {
		if cause := context.Cause(out.ctx); cause != nil && errors.Is(err, context.Canceled) {
			err = cause // the deadline or the caller's hang-up, not a cancel of ours
		}
		return out.abort(fmt.Errorf("advise batch: %w", err))
	}
	return out.finish()
}
