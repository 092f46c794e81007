package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/placement-advisor/advise/api"
)

// BatchWindow is how many workloads of a batch AdviseEach evaluates at
// once: enough to keep every core busy, few enough that a batch holds a
// small, fixed number of answers however large it is.
const BatchWindow = 64

// AdvisePortfolio answers every workload of a batch. A workload that does not
// decode or validate gets an error naming its index and field and does not
// stop the others; only an evaluation failure or the context ending fails the
// whole batch, since then no answer can be trusted.
func (e *Engine) AdvisePortfolio(ctx context.Context, bodies [][]byte, lang Lang) (api.Portfolio, error) {
	return CollectPortfolio(ctx, e, bodies, lang)
}

// ItemAdvisor answers a batch item by item: an *Engine, or what stands in
// for one (the server's Advisor, a reloading holder).
type ItemAdvisor interface {
	AdviseEach(ctx context.Context, bodies [][]byte, lang Lang, passes int, emit func(pass int, it *api.PortfolioItem) error) (api.PolicyInfo, error)
}

// CollectPortfolio keeps every item a's AdviseEach hands over, as one
// portfolio, for the callers that need the batch whole (a page, a diff).
func CollectPortfolio(ctx context.Context, a ItemAdvisor, bodies [][]byte, lang Lang) (api.Portfolio, error) {
	p := api.Portfolio{Items: make([]api.PortfolioItem, 0, len(bodies)), Summary: api.NewPortfolioSummary(len(bodies))}
	info, err := a.AdviseEach(ctx, bodies, lang, 1, func(_ int, it *api.PortfolioItem) error {
		item := *it
		if it.Answer != nil {
			ans := *it.Answer // AdviseEach reuses its answers' storage
			item.Answer = &ans
		}
		p.Items = append(p.Items, item)
		p.Summary.Count(&item)
		return nil
	})
	if err != nil {
		return api.Portfolio{}, err
	}
	p.Policy = info
	return p, nil
}

// AdviseEach answers a batch's workloads as AdvisePortfolio does, but hands
// each item to emit, in input order, instead of keeping them: it evaluates
// BatchWindow workloads at a time on every core, then emits them before it
// evaluates the next, so however large the batch, it holds at most
// BatchWindow answers. An item is emitted whole (index, name, answer or
// error) and is valid only during the call. It goes over the batch passes
// times, for a rendering that needs the items twice (a table of them all
// before their sections); every pass is evaluated by the same policy, and
// its digest is returned. The first error of emit, or of evaluation, or the
// context ending stops the batch and is returned; what was emitted before
// it stands.
func (e *Engine) AdviseEach(ctx context.Context, bodies [][]byte, lang Lang, passes int, emit func(pass int, it *api.PortfolioItem) error) (api.PolicyInfo, error) {
	window := min(BatchWindow, len(bodies))
	items := make([]api.PortfolioItem, window)
	answers := make([]api.Answer, window)
	errs := make([]error, window)
	// Items are independent, so each window is evaluated on every core;
	// each worker writes only its own items, and they are emitted in input
	// order once the whole window is done, so the result does not depend
	// on scheduling. The workers are idle while emit runs.
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), window) {
		go func() {
			for i := range next {
				items[i%window], errs[i%window] = e.adviseItem(ctx, i, bodies[i], lang, &answers[i%window])
				wg.Done()
			}
		}()
	}
	defer close(next)
	for pass := range passes {
		for start := 0; start < len(bodies); start += window {
			end := min(start+window, len(bodies))
			wg.Add(end - start)
			for i := start; i < end; i++ {
				next <- i
			}
			wg.Wait()
			if err := ctx.Err(); err != nil {
				return api.PolicyInfo{}, fmt.Errorf("evaluate portfolio: %w", err)
			}
			for i := start; i < end; i++ {
				if err := errs[i-start]; err != nil {
					return api.PolicyInfo{}, err
				}
				if err := emit(pass, &items[i-start]); err != nil {
					return api.PolicyInfo{}, err
				}
			}
		}
	}
	return e.info, nil
}

// adviseItem answers workload i of a batch into ans, which the item points
// at. Its decoding and validation errors are the item's; an evaluation
// failure is returned, to fail the batch.
func (e *Engine) adviseItem(ctx context.Context, i int, body []byte, lang Lang, ans *api.Answer) (api.PortfolioItem, error) {
	item := api.PortfolioItem{Index: i}
	req, err := e.validator.Parse(body)
	if err != nil {
		item.Error = ItemErrorOf(err)
		if req.Name != nil {
			item.Name = api.SafeText(*req.Name) // refused, perhaps for what it holds
		}
		return item, nil
	}
	if *ans, err = e.Advise(ctx, &req, lang); err != nil {
		return item, err
	}
	if ans.Input.Name != nil {
		item.Name = *ans.Input.Name
	}
	item.Answer = ans
	return item, nil
}

// ItemErrorOf describes a decoding or validation error of one workload.
func ItemErrorOf(err error) *api.ItemError {
	var de *api.DecodeError
	var ve *api.ValidationError
	switch {
	case errors.As(err, &ve):
		return &api.ItemError{Title: "Invalid workload", Detail: "the workload breaks contract v1", Errors: ve.Fields}
	case errors.As(err, &de):
		ie := &api.ItemError{Title: "Malformed workload", Detail: de.Error(), Errors: []api.FieldError{}}
		if de.Field != "" {
			ie.Errors = append(ie.Errors, api.FieldError{Field: de.Field, Rule: "decode", Message: de.Reason})
		}
		return ie
	}
	return &api.ItemError{Title: "Malformed workload", Detail: err.Error(), Errors: []api.FieldError{}}
}
