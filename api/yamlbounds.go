package api

import (
	"errors"
	"fmt"
	"io"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// The bounds of a YAML input, checked on its tokens and its syntax tree
// before anything is decoded or expanded. A workload is a mapping of
// scalars, a portfolio a list of them, so real input nests three or four
// levels deep and holds a few dozen nodes per workload; the bounds leave
// room for that many times over. Without them a few hundred bytes of
// aliases ("billion laughs") expand to gigabytes when decoded, and the
// YAML parser's cost grows with the square of the nesting depth (16,000
// levels, 32 KB, take about 400 MB).
const (
	// MaxYAMLDepth is how deep collections may nest, block and flow ones
	// counted together.
	MaxYAMLDepth = 32
	// MaxYAMLTokens is how many tokens the input may hold (a key, a ":"
	// and a value are three): 200 per workload of a full batch, whose
	// workloads hold at most 25 fields.
	MaxYAMLTokens = 200 * MaxBatch
	// MaxYAMLNodes is how many nodes the input may hold once every alias
	// is expanded: 100 per workload of a full batch.
	MaxYAMLNodes = 100 * MaxBatch
)

// checkYAMLBounds refuses YAML that nests deeper than MaxYAMLDepth or holds
// more than MaxYAMLTokens tokens, counted as the scanner produces them so
// that scanning stops at the first token past a bound, or that expands to
// more than MaxYAMLNodes nodes, counted on its syntax tree with each alias
// as big as what it names. Syntax errors are left to the decoder, which
// reports them.
func checkYAMLBounds(body []byte) error {
	// The scanner holds a whole flow collection's tokens at once, at a few
	// hundred bytes each: bound them first by a count that is never below
	// the scanner's.
	if n := tokenBound(body); n > MaxYAMLTokens {
		return &DecodeError{Reason: fmt.Sprintf("YAML holds more than %d tokens; split the input", MaxYAMLTokens)}
	}
	var (
		s      scanner.Scanner
		tokens token.Tokens
		depth  depthCounter
	)
	s.Init(string(body))
	for {
		sub, err := s.Scan()
		if errors.Is(err, io.EOF) {
			break
		}
		for _, tk := range sub {
			if depth.add(tk) > MaxYAMLDepth {
				return &DecodeError{Reason: fmt.Sprintf("YAML nests more than %d levels deep (line %d); a workload needs three or four", MaxYAMLDepth, tk.Position.Line)}
			}
		}
		if tokens.Add(sub...); len(tokens) > MaxYAMLTokens {
			return &DecodeError{Reason: fmt.Sprintf("YAML holds more than %d tokens; split the input", MaxYAMLTokens)}
		}
	}
	file, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil
	}
	c := nodeCounter{anchors: map[string]int{}}
	for _, doc := range file.Docs {
		c.total = saturatingAdd(c.total, c.size(doc))
	}
	if c.total > MaxYAMLNodes {
		return &DecodeError{Reason: fmt.Sprintf("YAML expands to more than %d nodes once its aliases are expanded; use fewer or smaller aliases, or split the input", MaxYAMLNodes)}
	}
	return nil
}

// tokenBound is at least the number of tokens the scanner makes of body:
// every indicator character, and every run of other characters that
// follows a space, a line break or an indicator (a quoted or spaced scalar
// counts once per word, which only overcounts).
func tokenBound(body []byte) int {
	n, inRun := 0, false
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			inRun = false
		case ',', '[', ']', '{', '}', ':', '-', '?', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '#':
			n++
			inRun = false
		default:
			if !inRun {
				n++
				inRun = true
			}
		}
	}
	return n
}

// depthCounter follows how deep collections nest, token by token. Flow
// collections count by their brackets; block ones by a stack of the
// columns of their entries (a "- " or a key's ":"), popped when a line
// starts further left.
type depthCounter struct {
	flow  int
	block []int
	prev  *token.Token
}

// add takes the next token and returns the depth there.
func (d *depthCounter) add(tk *token.Token) int {
	prev := d.prev
	d.prev = tk
	if tk.Position == nil {
		return d.flow + len(d.block)
	}
	switch tk.Type {
	case token.SequenceStartType, token.MappingStartType:
		d.flow++
	case token.SequenceEndType, token.MappingEndType:
		d.flow = max(0, d.flow-1)
	case token.DocumentHeaderType, token.DocumentEndType:
		d.block = d.block[:0]
	case token.SequenceEntryType, token.MappingKeyType, token.MappingValueType:
		if d.flow > 0 {
			break
		}
		col := tk.Position.Column
		if tk.Type == token.MappingValueType && prev != nil && prev.Position != nil {
			col = prev.Position.Column // a mapping sits at its keys' column
		}
		for len(d.block) > 0 && d.block[len(d.block)-1] > col {
			d.block = d.block[:len(d.block)-1]
		}
		if len(d.block) == 0 || d.block[len(d.block)-1] < col {
			d.block = append(d.block, col)
		}
	}
	return d.flow + len(d.block)
}

// nodeCounter counts a syntax tree's nodes as decoding would make them: an
// alias counts as much as the value of the anchor it names, which was
// defined before it.
type nodeCounter struct {
	anchors map[string]int
	total   int
}

func (c *nodeCounter) size(n ast.Node) int {
	switch n := n.(type) {
	case nil:
		return 0
	case *ast.DocumentNode:
		return c.size(n.Body)
	case *ast.MappingNode:
		return collectionSize(c, n.Values)
	case *ast.MappingValueNode:
		return saturatingAdd(c.size(n.Key), c.size(n.Value))
	case *ast.MappingKeyNode:
		return c.size(n.Value)
	case *ast.SequenceNode:
		return collectionSize(c, n.Values)
	case *ast.TagNode:
		return c.size(n.Value)
	case *ast.AnchorNode:
		s := c.size(n.Value)
		if n.Name != nil {
			c.anchors[n.Name.String()] = s
		}
		return s
	case *ast.AliasNode:
		if n.Value == nil {
			return 1
		}
		return max(1, c.anchors[n.Value.String()])
	}
	return 1
}

// collectionSize is a mapping's or a sequence's node and its entries'.
func collectionSize[N ast.Node](c *nodeCounter, entries []N) int {
	total := 1
	for _, v := range entries {
		total = saturatingAdd(total, c.size(v))
	}
	return total
}

// saturatingAdd adds two counts, stopping just past MaxYAMLNodes so that an
// exponential alias chain cannot overflow.
func saturatingAdd(a, b int) int {
	return min(a+b, MaxYAMLNodes+1)
}
