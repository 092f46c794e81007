package reload

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/download"
	"github.com/open-policy-agent/opa/v1/keys"
	"github.com/open-policy-agent/opa/v1/plugins/rest"
)

// BundleConfig is a bundle server to poll for the organisation's bundle.
type BundleConfig struct {
	// URL is the bundle's address, such as
	// https://bundles.example.com/advise/org.tar.gz.
	URL string
	// MinDelay and MaxDelay bound the wait between polls (OPA's polling
	// min_delay_seconds and max_delay_seconds); zero takes 10 s and 20 s.
	MinDelay, MaxDelay time.Duration
	// VerificationKey, when set, is the PEM public key (or the HMAC
	// secret) a bundle's signature must verify with, by algorithm
	// VerificationAlg (RS256 when empty); unsigned bundles are refused.
	VerificationKey string
	VerificationAlg string
	// SizeLimit caps a bundle's size in bytes; zero keeps OPA's default.
	SizeLimit int64
}

// verificationKeyID is the key id a bundle's signature is checked against.
const verificationKeyID = "advise"

// CheckBundleConfig reports what is wrong with c, for the command line.
func CheckBundleConfig(c BundleConfig) error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") == "" {
		return fmt.Errorf("--bundle-url must be an http:// or https:// URL of a bundle, not %q", c.URL)
	}
	if c.MinDelay < 0 || c.MaxDelay < 0 || (c.MaxDelay > 0 && c.MinDelay > c.MaxDelay) {
		return fmt.Errorf("bundle polling delays must be positive, the minimum no more than the maximum")
	}
	return nil
}

// downloader is OPA's bundle downloader, configured for a Holder.
type downloader struct {
	d *download.Downloader
}

// newDownloader configures OPA's downloader to poll the bundle server with
// ETags and hand each new bundle to the Holder.
func (h *Holder) newDownloader() (*downloader, error) {
	c := *h.cfg.Bundle
	if err := CheckBundleConfig(c); err != nil {
		return nil, err
	}
	u, _ := url.Parse(c.URL)
	path := strings.TrimPrefix(u.Path, "/")
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	u.Path, u.RawPath, u.RawQuery = "", "", ""
	restConfig, err := json.Marshal(map[string]any{"url": u.String()})
	if err != nil {
		return nil, fmt.Errorf("bundle client: %w", err)
	}
	client, err := rest.New(restConfig, map[string]*keys.Config{})
	if err != nil {
		return nil, fmt.Errorf("bundle client: %w", err)
	}
	minDelay, maxDelay := int64(10), int64(20)
	if c.MinDelay > 0 {
		minDelay = max(1, int64(c.MinDelay/time.Second))
	}
	if c.MaxDelay > 0 {
		maxDelay = max(minDelay, int64(c.MaxDelay/time.Second))
	}
	config := download.Config{Polling: download.PollingConfig{MinDelaySeconds: &minDelay, MaxDelaySeconds: &maxDelay}}
	if err := config.ValidateAndInjectDefaults(); err != nil {
		return nil, fmt.Errorf("bundle polling: %w", err)
	}
	d := download.New(config, client, path).
		WithBundleName(c.URL).
		WithBundleParserOpts(ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}).
		WithCallback(h.onBundle)
	if c.SizeLimit > 0 {
		d = d.WithSizeLimitBytes(c.SizeLimit)
	}
	if c.VerificationKey != "" {
		alg := c.VerificationAlg
		if alg == "" {
			alg = "RS256"
		}
		d = d.WithBundleVerificationConfig(bundle.NewVerificationConfig(
			map[string]*bundle.KeyConfig{verificationKeyID: {Key: c.VerificationKey, Algorithm: alg}}, verificationKeyID, "", nil))
	}
	return &downloader{d: d}, nil
}

// run polls until ctx ends.
func (d *downloader) run(ctx context.Context) {
	d.d.Start(ctx)
	<-ctx.Done()
	stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d.d.Stop(stop)
}

// onBundle loads each bundle the server sends; a failed download or a
// bundle that does not load is refused and the active policy kept. It never
// returns an error: the downloader has recorded the bundle's ETag, so a
// broken bundle is not fetched again until the server has a new one.
func (h *Holder) onBundle(ctx context.Context, u download.Update) error {
	switch {
	case u.Error != nil:
		_ = h.refuse(TriggerBundle, fmt.Errorf("download %s: %w", h.cfg.Bundle.URL, u.Error))
	case u.Bundle != nil:
		if err := h.load(ctx, TriggerBundle, u.Bundle); err == nil {
			h.cfg.Logger.Info("bundle received", slog.String("url", h.cfg.Bundle.URL), slog.String("etag", u.ETag))
		}
	}
	return nil
}
