package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/server"
)

// pageRoutes are the routes of the page for people (server/page.go): the
// exceptions to TestEveryRouteIsDocumented. They serve HTML, a style sheet
// and a script to browsers, not the JSON API, so openapi.yaml, the
// contract of that API, leaves them out.
var pageRoutes = []string{"GET /", "POST /", "GET /portfolio", "POST /portfolio", "GET /rules", "POST /rules", "GET /static/*"}

// TestEveryRouteIsDocumented holds the routes the server declares to
// openapi.yaml: each is an operation of the document, or one of the page's.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc, _ := loadSpec(t)
	var undocumented []string
	for _, r := range server.New(engine, server.Options{}).Routes() {
		item := doc.Paths.Find(r.Path)
		if item == nil || item.GetOperation(r.Method) == nil {
			undocumented = append(undocumented, r.Method+" "+r.Path)
		}
	}
	slices.Sort(undocumented)
	want := slices.Sorted(slices.Values(pageRoutes))
	if !slices.Equal(undocumented, want) {
		t.Errorf("routes missing from openapi.yaml: %s; want exactly the page's: %s", strings.Join(undocumented, ", "), strings.Join(want, ", "))
	}
}
