// Package reload keeps the policy a service answers with and swaps in a new
// one without a restart: on SIGHUP, on a change to the policy directories
// (--watch) or on a new bundle from a bundle server (--bundle-url, polled
// with ETags by OPA's downloader). A new policy is compiled and prepared
// beside the old one and swapped in atomically; a request holds the engine it
// started with, and its answer carries that engine's digest. An update that
// does not load is logged, counted and shown by GET /v1/policy, and the last
// good policy goes on serving.
package reload

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/bundle"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
)

// The triggers of a load, as the status and the log name them.
const (
	TriggerStart  = "start"
	TriggerSIGHUP = "sighup"
	TriggerWatch  = "watch"
	TriggerBundle = "bundle"
)

// Config says where a Holder's policies come from.
type Config struct {
	// Policy is the built-in rules and the --policy paths.
	Policy policy.Options
	// Watch polls the --policy paths every WatchInterval and reloads
	// when a file is added, removed or changed.
	Watch         bool
	WatchInterval time.Duration
	// Bundle, when set, is a bundle server polled for the organisation's
	// bundle; no policy is active until it sends a first one that loads.
	Bundle *BundleConfig
	// Load builds an engine; nil means policy.Load. Tests and the
	// start-up path (which pauses the collector) stand in their own.
	Load func(context.Context, policy.Options) (*policy.Engine, error)
	// Logger receives a line per load and per refused update.
	Logger *slog.Logger
}

// Holder holds the active engine. It implements server.Advisor by handing
// each call to the engine active when the call starts.
type Holder struct {
	cfg    Config
	engine atomic.Pointer[policy.Engine]
	// loading serialises loads: one compiles at a time, in the order
	// triggered.
	loading sync.Mutex
	// bundle is the last good bundle the bundle server sent, loaded with
	// the paths on every reload; guarded by loading.
	bundle *bundle.Bundle
	// seen is the fingerprint of the paths as the last load read them,
	// what the watcher compares with; guarded by loading.
	seen string

	mu     sync.Mutex // guards status
	status api.PolicyStatus
}

// New makes a Holder serving initial, which may be nil when the first policy
// is still to come (from a bundle server).
func New(cfg Config, initial *policy.Engine) *Holder {
	if cfg.Load == nil {
		cfg.Load = policy.Load
	}
	if cfg.WatchInterval <= 0 {
		cfg.WatchInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Holder{cfg: cfg}
	if cfg.Watch {
		h.seen = fingerprint(cfg.Policy.Paths)
	}
	h.status.Origins = cfg.Policy.Origins()
	h.status.Watching = []string{TriggerSIGHUP}
	if cfg.Watch {
		h.status.Watching = append(h.status.Watching, TriggerWatch)
	}
	if cfg.Bundle != nil {
		h.status.Origins = append(h.status.Origins, cfg.Bundle.URL)
		h.status.Watching = append(h.status.Watching, TriggerBundle)
	}
	if initial != nil {
		h.activate(initial, TriggerStart)
	}
	return h
}

// Reload loads the policy afresh and swaps it in. It returns the load's
// error, having kept the active policy, logged and counted the failure.
// A policy whose digest is the active one's is not swapped in: the warm
// engine goes on serving.
func (h *Holder) Reload(ctx context.Context, trigger string) error {
	return h.load(ctx, trigger, nil)
}

// load loads the policy with candidate, a bundle just received, in place of
// the last good one; the candidate becomes the last good bundle only if it
// loads.
func (h *Holder) load(ctx context.Context, trigger string, candidate *bundle.Bundle) error {
	h.loading.Lock()
	defer h.loading.Unlock()
	if h.cfg.Watch {
		h.seen = fingerprint(h.cfg.Policy.Paths)
	}
	opts := h.cfg.Policy
	if h.cfg.Bundle != nil {
		b := candidate
		if b == nil {
			b = h.bundle
		}
		if b == nil {
			return h.refuse(trigger, fmt.Errorf("no bundle from %s yet", h.cfg.Bundle.URL))
		}
		opts.Bundles = map[string]*bundle.Bundle{h.cfg.Bundle.URL: b}
	}
	started := time.Now()
	engine, err := h.cfg.Load(ctx, opts)
	if err != nil {
		return h.refuse(trigger, err)
	}
	if candidate != nil {
		h.bundle = candidate
	}
	if old := h.engine.Load(); old != nil && old.Info().Digest == engine.Info().Digest {
		h.mu.Lock()
		h.status.Unchanged++
		h.mu.Unlock()
		h.cfg.Logger.Info("policy unchanged", slog.String("trigger", trigger), slog.String("digest", old.Info().Digest))
		return nil
	}
	h.activate(engine, trigger)
	h.cfg.Logger.Info("policy loaded", slog.String("trigger", trigger), slog.String("digest", engine.Info().Digest),
		slog.String("revision", engine.Revision()), slog.Int("rules", len(engine.Rules())), slog.Duration("took", time.Since(started)))
	return nil
}

func (h *Holder) activate(e *policy.Engine, trigger string) {
	info := e.Info()
	h.engine.Store(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status.Reloads++
	h.status.Active = &api.ActivePolicy{Version: info.Version, Digest: info.Digest, Revision: e.Revision(), LoadedAt: time.Now().UTC(), Trigger: trigger, Rules: len(e.Rules())}
}

// refuse records a failed update and returns err.
func (h *Holder) refuse(trigger string, err error) error {
	h.mu.Lock()
	h.status.Failures++
	h.status.LastError = &api.PolicyError{Message: err.Error(), Trigger: trigger, At: time.Now().UTC()}
	h.mu.Unlock()
	h.cfg.Logger.Error("policy update refused; the active policy goes on serving", slog.String("trigger", trigger), slog.String("error", err.Error()))
	return fmt.Errorf("reload (%s): %w", trigger, err)
}

// Ready reports whether a policy is active.
func (h *Holder) Ready() bool { return h.engine.Load() != nil }

// PolicyStatus reports the active policy and how the reloads went.
func (h *Holder) PolicyStatus() api.PolicyStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.status
	if s.Active != nil {
		active := *s.Active
		s.Active = &active
	}
	if s.LastError != nil {
		last := *s.LastError
		s.LastError = &last
	}
	return s
}

// Engine is the active engine, or nil before the first policy.
func (h *Holder) Engine() *policy.Engine { return h.engine.Load() }

// errNotLoaded says why a request before the first policy gets no answer.
var errNotLoaded = fmt.Errorf("%w: waiting for the first bundle", policy.ErrNotLoaded)

func (h *Holder) Advise(ctx context.Context, req *api.Request, lang policy.Lang) (api.Answer, error) {
	e := h.engine.Load()
	if e == nil {
		return api.Answer{}, errNotLoaded
	}
	return e.Advise(ctx, req, lang)
}

func (h *Holder) AdviseEach(ctx context.Context, bodies [][]byte, lang policy.Lang, passes int, emit func(pass int, it *api.PortfolioItem) error) (api.PolicyInfo, error) {
	e := h.engine.Load()
	if e == nil {
		return api.PolicyInfo{}, errNotLoaded
	}
	return e.AdviseEach(ctx, bodies, lang, passes, emit)
}

func (h *Holder) Rules() []policy.Rule {
	if e := h.engine.Load(); e != nil {
		return e.Rules()
	}
	return nil
}

func (h *Holder) Placements() []policy.Placement {
	if e := h.engine.Load(); e != nil {
		return e.Placements()
	}
	return nil
}

func (h *Holder) Sources() []policy.Source {
	if e := h.engine.Load(); e != nil {
		return e.Sources()
	}
	return nil
}

func (h *Holder) Info() api.PolicyInfo {
	if e := h.engine.Load(); e != nil {
		return e.Info()
	}
	return api.PolicyInfo{}
}

// Run watches the policy's sources until ctx ends: the paths when Watch is
// set, the bundle server when Bundle is. It returns nil when ctx ends, or
// an error when a watcher cannot start.
func (h *Holder) Run(ctx context.Context) error {
	var d *downloader
	if h.cfg.Bundle != nil {
		var err error
		if d, err = h.newDownloader(); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	if h.cfg.Watch && len(h.cfg.Policy.Paths) > 0 {
		wg.Go(func() { h.watch(ctx) })
	}
	if d != nil {
		wg.Go(func() { d.run(ctx) })
	}
	wg.Wait()
	return nil
}
