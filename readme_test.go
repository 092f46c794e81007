package advise_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/policy"
	"github.com/placement-advisor/advise/report"
)

var update = flag.Bool("update", false, "rewrite the generated outputs in README.md")

// TestReadmeOutputs keeps the sample outputs in README.md true: each block
// between BEGIN/END OUTPUT markers is what the engine and the renderers the
// CLI and the server use produce today for the example workloads.
func TestReadmeOutputs(t *testing.T) {
	engine, err := policy.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	advise := func(file string) api.Answer {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		req, err := api.NewValidator().Parse(body)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		ans, err := engine.Advise(context.Background(), &req, policy.English)
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	fenced := func(lang string, render func(*bytes.Buffer) error) string {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			t.Fatal(err)
		}
		if lang == "" {
			return buf.String()
		}
		return "```" + lang + "\n" + buf.String() + "```\n"
	}
	outputs := map[string]string{
		"curl": fenced("json", func(b *bytes.Buffer) error {
			// What `jq '{recommendation, hybrid_pattern, confidence, scores, what_if}'` prints.
			a := advise("examples/saas-customer-code.json")
			out, err := json.MarshalIndent(struct {
				Recommendation string       `json:"recommendation"`
				HybridPattern  *string      `json:"hybrid_pattern"`
				Confidence     float64      `json:"confidence"`
				Scores         api.Scores   `json:"scores"`
				WhatIf         []api.WhatIf `json:"what_if"`
			}{a.Recommendation, nullable(a.HybridPattern), a.Confidence, a.Scores, a.WhatIf}, "", "  ")
			b.Write(append(out, '\n'))
			return err
		}),
		"cli-text": fenced("text", func(b *bytes.Buffer) error {
			return report.Text(b, advise("examples/microservice-web-shop.json"), report.English)
		}),
		"markdown": fenced("", func(b *bytes.Buffer) error {
			return report.Markdown(b, advise("examples/hardware-isolated-tokenisation.json"), report.English)
		}),
		"portfolio": fenced("text", func(b *bytes.Buffer) error {
			var bodies [][]byte
			for _, f := range []string{"legacy-windows-erp", "microservice-web-shop", "saas-customer-code", "windows-component-shop"} {
				body, err := os.ReadFile("examples/" + f + ".json")
				if err != nil {
					return err
				}
				bodies = append(bodies, body)
			}
			pf, err := engine.AdvisePortfolio(context.Background(), bodies, policy.English)
			if err != nil {
				return err
			}
			return report.PortfolioText(b, pf, report.English)
		}),
	}
	outputs["portfolio-csv"] = fenced("csv", func(b *bytes.Buffer) error {
		input, err := os.ReadFile("examples/portfolio.csv")
		if err != nil {
			return err
		}
		bodies, err := api.CSVDocuments(input)
		if err != nil {
			return err
		}
		pf, err := engine.AdvisePortfolio(context.Background(), bodies, policy.English)
		if err != nil {
			return err
		}
		// The table is written with CRLF line ends (RFC 4180); the
		// README shows it with the line ends of the rest of the file.
		var table bytes.Buffer
		if err := report.PortfolioCSV(&table, pf, report.English); err != nil {
			return err
		}
		b.Write(bytes.ReplaceAll(table.Bytes(), []byte("\r\n"), []byte("\n")))
		return nil
	})
	outputs["fields"] = fieldTable()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)(<!-- BEGIN OUTPUT ([a-z-]+) -->\n)(.*?)(<!-- END OUTPUT [a-z-]+ -->)`)
	seen := map[string]bool{}
	got := block.ReplaceAllStringFunc(string(readme), func(m string) string {
		parts := block.FindStringSubmatch(m)
		name := parts[2]
		seen[name] = true
		want, ok := outputs[name]
		if !ok {
			t.Errorf("README.md has an output block %q this test does not generate", name)
			return m
		}
		if parts[3] != want && !*update {
			t.Errorf("README.md output %q is stale; run go test . -update and review the diff.\nwant:\n%s", name, want)
		}
		return parts[1] + want + parts[4]
	})
	for name := range outputs {
		if !seen[name] {
			t.Errorf("README.md lacks the output block %q", name)
		}
	}
	if *update && got != string(readme) {
		if err := os.WriteFile("README.md", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(string(readme), "go test ./...") || !strings.Contains(string(readme), "go run ./cmd/advise serve") {
		t.Error("README.md must give the two set-up commands")
	}
}

// fieldTable is the README's table of the contract, from its one registry.
func fieldTable() string {
	var b strings.Builder
	b.WriteString("| field | type (default) | meaning |\n|---|---|---|\n")
	for _, f := range api.Fields() {
		var typ string
		switch f.Kind {
		case api.KindBool:
			typ = "bool"
		case api.KindEnum:
			typ = "`" + strings.Join(f.Values, "`\\|`") + "`"
		case api.KindText:
			typ = "string"
		default:
			typ = f.Kind.String()
		}
		if f.Min != nil && f.Max != nil {
			typ += " " + strconv.FormatFloat(*f.Min, 'f', -1, 64) + "–" + strconv.FormatFloat(*f.Max, 'f', -1, 64)
		}
		switch {
		case f.Required:
			typ += ", **required**"
		case f.Default != nil:
			typ += fmt.Sprintf(" (%v)", f.Default)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, typ, f.Doc)
	}
	return b.String()
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
