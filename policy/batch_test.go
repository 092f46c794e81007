package policy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// batchBodies is n workloads, every fifth one invalid, spanning several
// windows of AdviseEach.
func batchBodies(n int) [][]byte {
	densities := []string{"low", "medium", "high", "medium", "extreme"}
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"name":"w%d","multi_tenant":%t,"density":%q,"architecture":"microservices"}`, i, i%2 == 0, densities[i%len(densities)])
	}
	return bodies
}

// TestAdviseEachMatchesOneByOne holds the streamed batch to each workload
// answered alone: in input order, whole, and the same on every pass.
func TestAdviseEachMatchesOneByOne(t *testing.T) {
	e := newEngine(t)
	bodies := batchBodies(2*policy.BatchWindow + 7)
	want := make([]api.PortfolioItem, len(bodies))
	for i, b := range bodies {
		want[i].Index = i
		req, err := api.NewValidator().Parse(b)
		if err != nil {
			want[i].Error = policy.ItemErrorOf(err)
			want[i].Name = *req.Name
			continue
		}
		ans, err := e.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		want[i].Name, want[i].Answer = *req.Name, &ans
	}
	wantJSON, _ := json.Marshal(want)
	for _, passes := range []int{1, 2} {
		var got [2][]api.PortfolioItem
		info, err := e.AdviseEach(context.Background(), bodies, policy.English, passes, func(pass int, it *api.PortfolioItem) error {
			raw, err := json.Marshal(it) // an item is valid only during the call
			if err != nil {
				return err
			}
			var copied api.PortfolioItem
			if err := json.Unmarshal(raw, &copied); err != nil {
				return err
			}
			got[pass] = append(got[pass], copied)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if info != e.Info() {
			t.Errorf("policy %+v, want %+v", info, e.Info())
		}
		for pass := range passes {
			gotJSON, _ := json.Marshal(got[pass])
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("%d passes, pass %d: the streamed items differ from each answered alone", passes, pass)
			}
		}
	}
	pf, err := e.AdvisePortfolio(context.Background(), bodies, policy.English)
	if err != nil {
		t.Fatal(err)
	}
	if gotJSON, _ := json.Marshal(pf.Items); string(gotJSON) != string(wantJSON) {
		t.Error("AdvisePortfolio's items differ from each answered alone")
	}
	summary := api.NewPortfolioSummary(len(want))
	for i := range want {
		summary.Count(&want[i])
	}
	if !reflect.DeepEqual(pf.Summary, summary) || pf.Summary.Failed != (len(bodies)+4)/5 {
		t.Errorf("summary %+v, want %+v", pf.Summary, summary)
	}
}

func TestAdviseEachStops(t *testing.T) {
	e := newEngine(t)
	bodies := batchBodies(3 * policy.BatchWindow)
	stop := errors.New("stop")
	tests := map[string]struct {
		ctx      func() context.Context
		failAt   int // emit fails at this item, -1 never
		want     error
		atMostBy int // items emitted at most
	}{
		"emit fails": {ctx: context.Background, failAt: policy.BatchWindow + 3, want: stop, atMostBy: policy.BatchWindow + 3},
		"context ended": {ctx: func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, failAt: -1, want: context.Canceled, atMostBy: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			emitted := 0
			_, err := e.AdviseEach(tc.ctx(), bodies, policy.English, 1, func(_ int, it *api.PortfolioItem) error {
				if it.Index != emitted {
					t.Fatalf("item %d emitted as %d", emitted, it.Index)
				}
				if emitted == tc.failAt {
					return stop
				}
				emitted++
				return nil
			})
			if !errors.Is(err, tc.want) || emitted > tc.atMostBy {
				t.Errorf("err %v after %d items, want %v after at most %d", err, emitted, tc.want, tc.atMostBy)
			}
		})
	}
	t.Run("an empty batch", func(t *testing.T) {
		info, err := e.AdviseEach(context.Background(), nil, policy.English, 2, func(int, *api.PortfolioItem) error {
			t.Fatal("emit called for an empty batch")
			return nil
		})
		if err != nil || info != e.Info() {
			t.Errorf("info %+v, err %v", info, err)
		}
	})
}
