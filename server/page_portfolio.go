package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
	"github.com/placement-advisor/advise/web"
)

func (h *handlers) portfolioPage(lang string) web.PortfolioPage {
	return web.PortfolioPage{Page: h.newPage(lang, pathPortfolio), Formats: web.UploadFormats, Format: web.FormatAuto}
}

// pagePortfolioForm answers GET /portfolio: the upload form.
func (h *handlers) pagePortfolioForm(c echo.Context) error {
	lang := pageLang(c, nil)
	return renderPage(c, http.StatusOK, web.PagePortfolio, lang, h.portfolioPage(lang))
}

// upload is what the portfolio form posts.
type upload struct {
	values   url.Values
	file     []byte
	fileName string
}

// readUpload reads the portfolio form, multipart/form-data, within the
// batch's body limit: the whole body is read first, so no part can grow
// past it.
func (h *handlers) readUpload(c echo.Context) (upload, func(), error) {
	mt, params, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return upload{}, nil, &problemError{kind: unsupportedMedia, detail: "the portfolio form posts multipart/form-data"}
	}
	body, leave, err := h.readPageBody(c, h.opts.BatchBodyLimit)
	if err != nil {
		return upload{}, nil, err
	}
	up := upload{values: url.Values{}}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			leave()
			return upload{}, nil, &problemError{kind: malformed, detail: "the form could not be read", cause: err}
		}
		data, err := io.ReadAll(part)
		if err != nil {
			leave()
			return upload{}, nil, &problemError{kind: malformed, detail: "the form could not be read", cause: err}
		}
		if part.FormName() == "file" {
			up.file, up.fileName = data, part.FileName()
			continue
		}
		up.values.Add(part.FormName(), string(data))
	}
	return up, leave, nil
}

// pagePortfolio answers POST /portfolio: the uploaded workloads, a JSON
// array, YAML or CSV, answered as POST /advise/batch answers them, in a
// table with one row per workload.
func (h *handlers) pagePortfolio(c echo.Context) error {
	up, leave, err := h.readUpload(c)
	if err != nil {
		return err
	}
	defer leave()
	lang := pageLang(c, up.values)
	p := h.portfolioPage(lang)
	p.Text = up.values.Get("text")
	if f := up.values.Get("format"); f != "" {
		p.Format = f
	}
	if key := h.pageAuthFailure(c, up.values.Get(web.ParamToken)); key != "" {
		p.TokenError = key
		return renderPage(c, refuseToken(c), web.PagePortfolio, lang, p)
	}
	data, name := up.file, up.fileName
	if len(bytes.TrimSpace(data)) == 0 {
		data, name = []byte(p.Text), ""
	}
	if len(bytes.TrimSpace(data)) == 0 {
		p.Error = p.T("portfolio.none")
		return renderPage(c, http.StatusBadRequest, web.PagePortfolio, lang, p)
	}
	bodies, err := portfolioBodies(p.Format, name, data)
	if err != nil {
		var decodeErr *api.DecodeError
		if !errors.As(err, &decodeErr) {
			return err
		}
		p.Error = api.SafeText(decodeErr.Error())
		return renderPage(c, http.StatusBadRequest, web.PagePortfolio, lang, p)
	}
	ctx := c.Request().Context()
	var portfolio api.Portfolio
	if err := h.evaluate(ctx, func() (err error) {
		defer h.metrics.evaluated(evaluationBatch, time.Now())
		if portfolio, err = policy.CollectPortfolio(ctx, h.advisor, bodies, policy.Lang(lang)); err != nil {
			return fmt.Errorf("advise batch: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	var csv bytes.Buffer
	if err := report.PortfolioCSV(&csv, portfolio, report.Lang(lang)); err != nil {
		return fmt.Errorf("render csv: %w", err)
	}
	if err := p.SetPortfolio(portfolio, csv.Bytes()); err != nil {
		return err
	}
	return renderPage(c, http.StatusOK, web.PagePortfolio, lang, p)
}

// portfolioBodies splits an upload into one JSON object per workload, by
// the format chosen, else the file's extension, else its first character.
func portfolioBodies(format, fileName string, data []byte) ([][]byte, error) {
	if format == web.FormatAuto || format == "" {
		format = detectFormat(fileName, data)
	}
	switch format {
	case web.FormatJSON:
		return api.JSONArrayDocuments(data)
	case web.FormatCSV:
		return api.CSVDocuments(data)
	case web.FormatYAML:
		docs, err := api.YAMLDocuments(data)
		if err != nil {
			return nil, err
		}
		if len(docs) > api.MaxBatch {
			return nil, api.ErrBatchTooLarge
		}
		return docs, nil
	}
	return nil, &api.DecodeError{Reason: fmt.Sprintf("format %q is not one of %s", api.SafeText(format), strings.Join(web.UploadFormats, ", "))}
}

func detectFormat(fileName string, data []byte) string {
	switch strings.ToLower(path.Ext(fileName)) {
	case ".json":
		return web.FormatJSON
	case ".yaml", ".yml":
		return web.FormatYAML
	case ".csv":
		return web.FormatCSV
	}
	t := bytes.TrimSpace(data)
	if len(t) > 0 && t[0] == '[' {
		return web.FormatJSON
	}
	// A CSV header is field names and commas; a YAML mapping has a colon.
	first, _, _ := bytes.Cut(t, []byte("\n"))
	name, _, _ := bytes.Cut(bytes.TrimPrefix(first, []byte("\ufeff")), []byte(","))
	if _, ok := api.FieldIndex(string(bytes.TrimSpace(name))); ok && !bytes.ContainsRune(first, ':') {
		return web.FormatCSV
	}
	return web.FormatYAML
}
