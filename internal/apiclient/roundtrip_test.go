package apiclient_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/internal/apiclient"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/server"
)

// engine is compiled once for the package: compiling is the slow part and
// the engine is safe for concurrent use.
var engine *policy.Engine

func TestMain(m *testing.M) {
	var err error
	engine, err = policy.New(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "compile policy:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// newClient serves the real engine over HTTP for the length of the test and
// returns the generated client for it.
func newClient(t *testing.T) *apiclient.ClientWithResponses {
	t.Helper()
	srv := httptest.NewServer(server.New(engine, server.Options{}))
	t.Cleanup(srv.Close)
	client, err := apiclient.NewClientWithResponses(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func ptr[T any](v T) *T { return &v }

// sameJSON reports whether the typed value, encoded again, is the body it
// was decoded from: the types hold every field the server sent.
func sameJSON(t *testing.T, typed any, body []byte) {
	t.Helper()
	again, err := json.Marshal(typed)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the typed answer loses or changes fields\nsent:  %.1500s\ntyped: %.1500s", body, again)
	}
}

// TestAdvise posts typed requests and reads typed answers.
func TestAdvise(t *testing.T) {
	client := newClient(t)
	for name, tc := range map[string]struct {
		params   apiclient.AdviseParams
		request  apiclient.Request
		want     apiclient.Option
		pattern  *apiclient.HybridPattern
		language string
		given    []apiclient.FieldName // fields the answer must not list as defaulted
		assumed  map[apiclient.FieldName]string
	}{
		"windows erp": {
			request:  apiclient.Request{Name: ptr("legacy-erp"), NeedsWindows: ptr(true)},
			want:     apiclient.OptionVm,
			language: "en",
			given:    []apiclient.FieldName{apiclient.FieldNameMultiTenant, apiclient.FieldNameNeedsWindows},
			assumed:  map[apiclient.FieldName]string{apiclient.FieldNameArchitecture: "monolith"},
		},
		"shop frontend in chinese": {
			params: apiclient.AdviseParams{Lang: ptr(apiclient.AdviseParamsLangZh)},
			request: apiclient.Request{
				Name:             ptr("shop-frontend"),
				Architecture:     ptr(apiclient.RequestArchitectureMicroservices),
				ReleaseFrequency: ptr(apiclient.RequestReleaseFrequencyDaily),
				EnvDriftPain:     ptr(true),
				Orchestrator:     ptr(apiclient.RequestOrchestratorKubernetes),
				Instances:        ptr[int64](40),
			},
			want:     apiclient.OptionContainer,
			language: "zh",
			given:    []apiclient.FieldName{apiclient.FieldNameArchitecture, apiclient.FieldNameInstances},
		},
		"untrusted tenants": {
			request:  apiclient.Request{MultiTenant: true, UntrustedCode: ptr(true), Isolation: ptr(apiclient.RequestIsolationHardware), Density: ptr(apiclient.RequestDensityHigh)},
			want:     apiclient.OptionHybrid,
			pattern:  ptr(apiclient.ContainersInVms),
			language: "en",
			given:    []apiclient.FieldName{apiclient.FieldNameMultiTenant, apiclient.FieldNameIsolation},
		},
	} {
		t.Run(name, func(t *testing.T) {
			params := tc.params
			params.XRequestID = ptr("client-" + string(tc.want))
			resp, err := client.AdviseWithResponse(t.Context(), &params, tc.request)
			if err != nil {
				t.Fatal(err)
			}
			answer := resp.JSON200
			if answer == nil {
				t.Fatalf("status %d, no answer: %s", resp.StatusCode(), resp.Body)
			}
			if answer.Recommendation != tc.want || !reflect.DeepEqual(answer.HybridPattern, tc.pattern) {
				t.Errorf("recommendation %s (pattern %v), want %s (%v)", answer.Recommendation, deref(answer.HybridPattern), tc.want, deref(tc.pattern))
			}
			if h := resp.Headers200; h == nil || deref(h.ContentLanguage) != tc.language || deref(h.XRequestID) != *params.XRequestID {
				t.Errorf("headers %+v, want Content-Language %s and X-Request-ID %s", resp.HTTPResponse.Header, tc.language, *params.XRequestID)
			}
			if !reflect.DeepEqual(answer.Input.Name, tc.request.Name) || answer.Input.MultiTenant != tc.request.MultiTenant {
				t.Errorf("input %+v does not echo the request %+v", answer.Input, tc.request)
			}
			for _, f := range tc.given {
				if slices.Contains(answer.Defaulted, f) {
					t.Errorf("defaulted lists %s, which the request gave", f)
				}
			}
			if len(answer.Placements) == 0 || len(answer.Reasons) == 0 {
				t.Errorf("%d placements, %d reasons: the contract promises both", len(answer.Placements), len(answer.Reasons))
			}
			for _, r := range answer.Reasons {
				if len(r.Citations) == 0 {
					t.Errorf("reason %s cites nothing", r.Rule)
				}
			}
			for field, want := range tc.assumed {
				i := slices.IndexFunc(answer.AskNext, func(q apiclient.AskNext) bool { return q.Field == field })
				if i < 0 {
					t.Errorf("ask_next does not ask about %s", field)
					continue
				}
				// A text field's default is the union's string member.
				if got, err := answer.AskNext[i].Assumed.AsAskNextAssumed1(); err != nil || got != want {
					t.Errorf("ask_next assumed %s = %q (%v), want %q", field, got, err, want)
				}
			}
			sameJSON(t, answer, resp.Body)
		})
	}
}

// TestAdviseBatch posts a portfolio with a bad item and reads the typed
// portfolio.
func TestAdviseBatch(t *testing.T) {
	client := newClient(t)
	batch := apiclient.AdviseBatchJSONRequestBody{
		apiclient.Request{Name: ptr("payroll"), NeedsWindows: ptr(true)},
		apiclient.Request{Name: ptr("shop"), Architecture: ptr(apiclient.RequestArchitectureMicroservices), Scaling: ptr(apiclient.RequestScalingElastic)},
		// Items are not typed on purpose: a bad one is answered with an item
		// error, not a rejected batch.
		map[string]any{"name": "typo", "multi_tenant": false, "density": "extreme"},
	}
	resp, err := client.AdviseBatchWithResponse(t.Context(), &apiclient.AdviseBatchParams{}, batch)
	if err != nil {
		t.Fatal(err)
	}
	portfolio := resp.JSON200
	if portfolio == nil {
		t.Fatalf("status %d, no portfolio: %s", resp.StatusCode(), resp.Body)
	}
	if s := portfolio.Summary; s.Total != 3 || s.Answered != 2 || s.Failed != 1 || !slices.Equal(s.FailedItems, []int{2}) {
		t.Errorf("summary %+v, want 3 items, 2 answered, item 2 failed", s)
	}
	want := map[int]string{0: "payroll", 1: "shop", 2: "typo"}
	for _, item := range portfolio.Items {
		if deref(item.Name) != want[item.Index] {
			t.Errorf("item %d is named %q, want %q", item.Index, deref(item.Name), want[item.Index])
		}
		if (item.Answer == nil) == (item.Error == nil) {
			t.Errorf("item %d has answer %v and error %v, want exactly one", item.Index, item.Answer != nil, item.Error != nil)
		}
	}
	if len(portfolio.Items) == 3 {
		if e := portfolio.Items[2].Error; e == nil || len(e.Errors) != 1 || e.Errors[0].Field != "density" {
			t.Errorf("item 2's error %+v, want one naming density", e)
		}
		if a := portfolio.Items[0].Answer; a == nil || a.Recommendation != apiclient.OptionVm {
			t.Errorf("payroll's answer %+v, want vm", a)
		}
	}
	sameJSON(t, portfolio, resp.Body)
}

// TestAdviseInvalid sends typed requests the server refuses and reads the
// typed problem, which names every field at fault. The client's types state
// each field's type and enum, not the bounds and cross-field rules: those
// the server enforces.
func TestAdviseInvalid(t *testing.T) {
	client := newClient(t)
	for name, tc := range map[string]struct {
		request apiclient.Request
		want    []apiclient.FieldError // field and rule; messages are for people
	}{
		"trusted tenants without tenants": {
			request: apiclient.Request{TenantsTrusted: ptr(true)},
			want:    []apiclient.FieldError{{Field: "tenants_trusted", Rule: "requires_multi_tenant"}},
		},
		"no instance, full os microservices": {
			request: apiclient.Request{Instances: ptr[int64](0), FullOs: ptr(true), Architecture: ptr(apiclient.RequestArchitectureMicroservices)},
			want: []apiclient.FieldError{
				{Field: "instances", Rule: "min"},
				{Field: "full_os", Rule: "conflicts_with_microservices"},
			},
		},
		"an enum value the contract lacks": {
			request: apiclient.Request{MultiTenant: true, HostOs: ptr(apiclient.RequestHostOs("solaris"))},
			want:    []apiclient.FieldError{{Field: "host_os", Rule: "oneof"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := client.AdviseWithResponse(t.Context(), &apiclient.AdviseParams{}, tc.request)
			if err != nil {
				t.Fatal(err)
			}
			problem := resp.ApplicationproblemJSON422
			if resp.StatusCode() != http.StatusUnprocessableEntity || problem == nil {
				t.Fatalf("status %d, want a 422 problem: %s", resp.StatusCode(), resp.Body)
			}
			if problem.Type != apiclient.HttpsplacementAdvisorDevproblemsinvalidRequest || problem.Status != http.StatusUnprocessableEntity {
				t.Errorf("problem type %s, status %d", problem.Type, problem.Status)
			}
			var got []apiclient.FieldError
			for _, e := range deref(problem.Errors) {
				if e.Message == "" {
					t.Errorf("error on %s has no message", e.Field)
				}
				got = append(got, apiclient.FieldError{Field: e.Field, Rule: e.Rule})
			}
			if !slices.Equal(sortedErrors(got), sortedErrors(tc.want)) {
				t.Errorf("errors %+v, want %+v", got, tc.want)
			}
			sameJSON(t, problem, resp.Body)
		})
	}
}

func sortedErrors(errs []apiclient.FieldError) []apiclient.FieldError {
	out := slices.Clone(errs)
	slices.SortFunc(out, func(a, b apiclient.FieldError) int {
		return cmp.Or(strings.Compare(a.Field, b.Field), strings.Compare(a.Rule, b.Rule))
	})
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
