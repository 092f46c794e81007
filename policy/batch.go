package policy

import (
	"context"
	"errors"

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
	for i, body := range bodies {
		item := &p.Items[i]
		item.Index = i
		req, err := e.validator.Parse(body)
		if err != nil {
			item.Error = ItemErrorOf(err)
			if req.Name != nil {
				item.Name = *req.Name
			}
			p.Summary.Failed++
			p.Summary.FailedItems = append(p.Summary.FailedItems, i)
			continue
		}
		ans, err := e.Advise(ctx, &req, lang)
		if err != nil {
			return api.Portfolio{}, err
		}
		item.Name = ans.Input.Name
		item.Answer = &ans
		p.Summary.Answered++
		p.Summary.ByRecommendation[ans.Recommendation]++
		if len(ans.Constraints) > 0 {
			p.Summary.WithConstraints = append(p.Summary.WithConstraints, i)
		}
	}
	return p, nil
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
