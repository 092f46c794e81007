package server

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/web"
)

// The page for people (package web) lives at these routes. They are not
// part of the JSON API, so openapi.yaml leaves them out. They check the
// token themselves (pageAuthFailure), since the page must load to ask for
// it: the empty form, the style sheet and the script need none; whatever
// answers a workload or shows the policy does.
const (
	pathPage      = "/"
	pathPortfolio = "/portfolio"
	pathRulesPage = "/rules"
	pathStatic    = "/static/*"
)

var pagePaths = map[string]bool{pathPage: true, pathPortfolio: true, pathRulesPage: true, pathStatic: true}

// isPage reports whether c was routed to the page.
func isPage(c echo.Context) bool { return pagePaths[c.Path()] }

// pagePolicy is the Content-Security-Policy of the page: its own style
// sheet and script and nothing else, no inline script or style, forms
// posted only to itself, never framed.
var pagePolicy = []string{"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"}

// pageHeaders gives the page routes their own Content-Security-Policy in
// place of the API's default-src 'none' (secureHeaders runs first).
func pageHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header()[echo.HeaderContentSecurityPolicy] = pagePolicy
		return next(c)
	}
}

const mimeHTML = "text/html; charset=utf-8"

// renderPage writes a page of the web package with its status.
func renderPage(c echo.Context, status int, page string, lang string, data any) error {
	var buf bytes.Buffer
	if err := web.Render(&buf, page, data); err != nil {
		return err
	}
	header := c.Response().Header()
	header[echo.HeaderVary] = varyOnNegotiation
	header[headerContentLanguage] = contentLanguage(policy.Lang(lang))
	return c.Blob(status, mimeHTML, buf.Bytes())
}

// pageLang is the page's language: the switch just pressed, the language
// the form was in, the lang query parameter, else Accept-Language, as the
// API negotiates it. An unknown value is passed over rather than refused:
// a person gets a page in a language they can read.
func pageLang(c echo.Context, form url.Values) string {
	for _, values := range []url.Values{form, queryParams(c)} {
		for _, key := range []string{web.ParamSwitchLang, web.ParamLang} {
			switch v := strings.ToLower(values.Get(key)); v {
			case string(policy.English), string(policy.Chinese):
				return v
			}
		}
	}
	return string(negotiateLang(c.Request().Header.Values("Accept-Language")))
}

// pageAuthFailure checks the token for the page: the bearer header the
// script sends, else the token field of a posted form. It returns the
// label saying why the caller is refused, or "" when the server needs no
// token or the token is good. A query never carries it. The page sets no
// cookie, so a form another site posts here carries no credential the
// browser adds by itself: the token in the body, which that site does not
// know, is the proof a cross-site request cannot forge.
func (h *handlers) pageAuthFailure(c echo.Context, formToken string) string {
	if h.opts.Token == "" {
		return ""
	}
	given, ok := bearerToken(c.Request().Header.Get(echo.HeaderAuthorization))
	if !ok {
		given = formToken
	}
	if given == "" {
		return "token.missing"
	}
	if !tokenMatches(h.opts.Token, given) {
		return "token.invalid"
	}
	return ""
}

// tokenMatches compares SHA-256 digests in constant time, as bearerAuth.
func tokenMatches(token, given string) bool {
	want, got := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// refuseToken marks a refused page as a 401, with the challenge the API
// sends.
func refuseToken(c echo.Context) int {
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="advise"`)
	return http.StatusUnauthorized
}

func (h *handlers) newPage(lang, route string) web.Page {
	return web.NewPage(lang, route, h.opts.Token != "", h.advisor.Sources())
}

// readPageBody reads a posted page's body as readAdviceRequest reads the
// API's: a reading slot while it arrives, capped at limit, then an
// in-flight slot, which the caller gives back with leave.
func (h *handlers) readPageBody(c echo.Context, limit int64) (body []byte, leave func(), err error) {
	doneReading, err := h.admission.startReading(c)
	if err != nil {
		return nil, nil, err
	}
	buf, err := readBody(c, limit)
	doneReading()
	if err != nil {
		return nil, nil, err
	}
	body = bytes.Clone(buf.Bytes())
	recycleBody(buf)
	if leave, err = h.admission.enter(); err != nil {
		return nil, nil, err
	}
	return body, leave, nil
}

// readPageForm reads a posted application/x-www-form-urlencoded body.
func (h *handlers) readPageForm(c echo.Context) (url.Values, func(), error) {
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType)); mt != echo.MIMEApplicationForm {
		return nil, nil, &problemError{kind: unsupportedMedia, detail: "the page posts application/x-www-form-urlencoded"}
	}
	body, leave, err := h.readPageBody(c, h.opts.BodyLimit)
	if err != nil {
		return nil, nil, err
	}
	values, err := url.ParseQuery(string(body))
	if err != nil {
		leave()
		return nil, nil, &problemError{kind: malformed, detail: "the form could not be read", cause: err}
	}
	return values, leave, nil
}

// pageHome answers GET /: the empty form, or the answer to the workload a
// Share link carries in its query. With a token set and none in the
// header, the form shows the workload and asks for the token.
func (h *handlers) pageHome(c echo.Context) error {
	query := queryParams(c)
	lang := pageLang(c, nil)
	p := h.newPage(lang, pathPage)
	if !web.HasWorkload(query) {
		return renderPage(c, http.StatusOK, web.PageAdvice, lang, web.AdvicePage{Page: p, Fields: web.Fields(nil, nil, nil, lang)})
	}
	if key := h.pageAuthFailure(c, ""); key != "" {
		status := http.StatusOK
		if key == "token.invalid" {
			p.TokenError = key
			status = refuseToken(c)
		}
		return renderPage(c, status, web.PageAdvice, lang, web.AdvicePage{Page: p, Fields: web.Fields(query, nil, nil, lang), Pending: true})
	}
	return h.pageAnswer(c, p, query)
}

// pageSubmit answers POST /: the form, from the page's Advise button, a
// what-if button (apply) or the language switch.
func (h *handlers) pageSubmit(c echo.Context) error {
	values, leave, err := h.readPageForm(c)
	if err != nil {
		return err
	}
	defer leave()
	lang := pageLang(c, values)
	if apply := values.Get(web.ParamApply); apply != "" {
		values = web.ApplySubmitted(values, apply)
	}
	p := h.newPage(lang, pathPage)
	if key := h.pageAuthFailure(c, values.Get(web.ParamToken)); key != "" {
		p.TokenError = key
		return renderPage(c, refuseToken(c), web.PageAdvice, lang, web.AdvicePage{Page: p, Fields: web.Fields(values, nil, nil, lang)})
	}
	return h.pageAnswer(c, p, values)
}

// pageAnswer decodes, validates and advises as POST /advise does, then
// shows the answer beside the form; a refused workload shows the field
// errors beside the fields instead.
func (h *handlers) pageAnswer(c echo.Context, p web.Page, values url.Values) error {
	p.SwitchForm = "workload"
	req, err := h.validator.Parse(web.RequestJSON(values))
	if err != nil {
		byField, general, other := web.FieldErrors(err)
		if other != nil {
			return other
		}
		status := http.StatusUnprocessableEntity
		if errors.Is(err, api.ErrDecode) {
			status = http.StatusBadRequest
		}
		return renderPage(c, status, web.PageAdvice, p.Lang, web.AdvicePage{
			Page: p, Fields: web.Fields(values, byField, nil, p.Lang), Errors: web.OtherErrors(byField, general),
		})
	}
	ctx := c.Request().Context()
	started := time.Now()
	var answer api.Answer
	if err := h.evaluate(ctx, func() (err error) {
		if answer, err = h.advisor.Advise(ctx, &req, policy.Lang(p.Lang)); err != nil {
			return fmt.Errorf("advise: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	h.logDecision(c, answer, time.Since(started))
	view, err := web.NewAnswer(answer, &req, p.Lang)
	if err != nil {
		return err
	}
	return renderPage(c, http.StatusOK, web.PageAdvice, p.Lang, web.AdvicePage{
		Page: p, Fields: web.Fields(web.Values(&req), nil, web.AskMap(&answer), p.Lang), Answer: view,
	})
}

// pageRules answers GET and POST /rules: every rule with its side, weight
// and citations, the placements and the sources, from the data /v1/rules
// and /v1/sources serve. POST carries the token for a browser without the
// script.
func (h *handlers) pageRules(c echo.Context) error {
	var form url.Values
	if c.Request().Method == http.MethodPost {
		values, leave, err := h.readPageForm(c)
		if err != nil {
			return err
		}
		defer leave()
		form = values
	}
	lang := pageLang(c, form)
	p := h.newPage(lang, pathRulesPage)
	if key := h.pageAuthFailure(c, form.Get(web.ParamToken)); key != "" {
		status := http.StatusOK
		if key == "token.invalid" || form != nil {
			p.TokenError = key
			status = refuseToken(c)
		}
		return renderPage(c, status, web.PageRules, lang, web.RulesPage{Page: p})
	}
	return renderPage(c, http.StatusOK, web.PageRules, lang,
		web.NewRulesPage(p, h.advisor.Rules(), h.advisor.Placements(), h.advisor.Sources(), h.advisor.Info()))
}

// pageStatic serves the page's style sheet and script.
func (h *handlers) pageStatic(c echo.Context) error {
	name := c.Param("*")
	data, err := fs.ReadFile(web.Static, name)
	if err != nil {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-cache")
	return c.Blob(http.StatusOK, mime.TypeByExtension(path.Ext(name)), data)
}
