package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/placement-advisor/advise/api"
)

// AdvisePortfolio answers every workload of a batch. A workload that does not
// decode or validate gets an error naming its index and field and does not
// stop the others; only an evaluation failure or the context ending fails the
// whole batch, since then no answer can be trusted.
func (e *Engine) AdvisePortfolio(ctx context.Context, bodies [][]byte, lang Lang) (api.Portfolio, error) {
	p := api.Portfolio{
		Items:  make([]api.PortfolioItem, len(bodies)),
		Policy: e.info,
		Summary: api.PortfolioSummary{
			Total:            len(bodies),
			ByRecommendation: map[string]int{api.RecommendVM: 0, api.RecommendContainer: 0, api.RecommendHybrid: 0},
			WithConstraints:  []int{},
			FailedItems:      []int{},
		},
	}
	// Items are independent, so they are evaluated on every core; each worker
	// writes only its own items, and the summary is counted afterwards in
	// input order so the result does not depend on scheduling.
	answers := make([]*api.Answer, len(bodies))
	errs := make([]error, len(bodies))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(bodies)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				req, err := e.validator.Parse(bodies[i])
				if err != nil {
					errs[i] = err
					if req.Name != nil {
						p.Items[i].Name = api.SafeText(*req.Name) // refused, perhaps for what it holds
					}
					continue
				}
				ans, err := e.Advise(ctx, &req, lang)
				if err != nil {
					errs[i] = errEvaluation{err}
					continue
				}
				answers[i] = &ans
			}
		}()
	}
	for i := range bodies {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return api.Portfolio{}, fmt.Errorf("evaluate portfolio: %w", err)
	}
	for i := range bodies {
		item := &p.Items[i]
		item.Index = i
		var evalErr errEvaluation
		switch {
		case errors.As(errs[i], &evalErr):
			return api.Portfolio{}, evalErr.err
		case errs[i] != nil:
			item.Error = ItemErrorOf(errs[i])
			p.Summary.Failed++
			p.Summary.FailedItems = append(p.Summary.FailedItems, i)
		default:
			ans := answers[i]
			if ans.Input.Name != nil {
				item.Name = *ans.Input.Name
			}
			item.Answer = ans
			p.Summary.Answered++
			p.Summary.ByRecommendation[ans.Recommendation]++
			if len(ans.Constraints) > 0 {
				p.Summary.WithConstraints = append(p.Summary.WithConstraints, i)
			}
		}
	}
	return p, nil
}

// errEvaluation carries an evaluation failure out of a worker, apart from the
// items' own decoding and validation errors.
type errEvaluation struct{ err error }

func (e errEvaluation) Error() string { return e.err.Error() }

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
