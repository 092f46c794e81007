package policy

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
)

// findingsPackage is the package whose documents gather the factor packages'.
var findingsPackage = ast.MustParseRef("data.advise.findings")

// factorPackage is one package advise.findings reads, with the documents it
// reads from it and the input fields those documents depend on. A what-if
// variation only changes what a package finds when it changes one of the
// package's fields, so the engine evaluates each package once per distinct
// value of its fields and keeps the rest.
type factorPackage struct {
	path ast.Ref
	// docs are the package's documents by the findings slot they feed;
	// empty where the package has none.
	docs [slotCount]string
	// fields are the input fields the documents read, sorted; every field
	// counts when allInput is set (a rule reads input as a whole or by a
	// computed key).
	fields   []fieldKey
	allInput bool
	// mask has bit i set for every workload field in fields (i its index
	// in workloadFields),
	// and position the place in fields of each workload field, -1 for those
	// the package does not read.
	mask     uint64
	position [64]int16
	query    rego.PreparedEvalQuery
	// packs is set when every field has a place in a packed key (see
	// fieldKey.shift).
	packs bool
	// packed and table map the key of the package's fields to what the
	// package found for them: packed by the packed key, table by the
	// variable form (see key) for the workloads that have no packed key.
	// They are bounded twice: numbers the rules only compare with
	// constants are keyed by where they fall among those constants, the
	// other fields are booleans and enums the contract validates, so the
	// keys are finitely many; and each stops growing at maxTable entries.
	// Readers take no lock.
	packed memo.Map[uint64, *findings]
	table  memo.Map[string, *findings]
	// mu serialises additions, so that distinct is consistent.
	mu sync.Mutex
	// distinct holds one findings a set of fired rules, by findingsKey, so
	// that keys firing the same rules share one findings and a variation
	// that fires what its request fired is seen to (find's same) by
	// comparing pointers.
	distinct map[string]*findings
}

// maxTable bounds each of a package's two tables and the findings it keeps
// apart (distinct); past it the package is evaluated every time. The largest
// table the shipped rules can fill is 41472 keys (advise.factors.operations),
// almost all of them combinations no caller sends.
const maxTable = 1 << 14

// fieldKey is how one input field enters a package's table key.
type fieldKey struct {
	name string
	// index is the field's in workloadFields, -1 for a name input does
	// not carry, which reads as absent.
	index int
	// texts codes the strings the field is seen with (see code).
	texts *textCodes
	// thresholds, ascending, are the only constants the rules compare the
	// field with, when they only compare it with constants; the key is then
	// where the value falls among them, not the value.
	thresholds []float64
	compared   bool
	// A packed key holds each field's code (see code) in width bits from
	// bit shift; the codes of every field of a package take at most 64.
	shift, width uint
	// candidateCodes keeps the field's code for each candidate change, by
	// the candidate's seq (see candidateCode).
	candidateCodes []atomic.Uint32
}

// factorPackages reads, from the compiled advise.findings, which documents of
// which packages it gathers, works out the input fields each reads, and
// prepares one query per package.
func factorPackages(ctx context.Context, compiler *ast.Compiler) ([]*factorPackage, error) {
	var pkgs []*factorPackage
	byPath := map[string]*factorPackage{}
	for slot, name := range slotNames {
		doc := findingsPackage.Append(ast.StringTerm(name))
		rules := compiler.GetRulesExact(doc)
		if len(rules) != 1 {
			return nil, fmt.Errorf("%w: %s has %d rules, want 1", ErrPolicy, doc, len(rules))
		}
		var refErr error
		ast.WalkRefs(rules[0].Body, func(ref ast.Ref) bool {
			if !ref.HasPrefix(ast.DefaultRootRef) || len(ref) < 3 || ref.HasPrefix(findingsPackage) {
				return false
			}
			if !ref.IsGround() {
				refErr = fmt.Errorf("%w: %s reads %s, which is not a fixed document", ErrPolicy, doc, ref)
				return false
			}
			path, name := ref[:len(ref)-1], ref[len(ref)-1]
			s, ok := name.Value.(ast.String)
			if !ok {
				refErr = fmt.Errorf("%w: %s reads %s, which is not a named document", ErrPolicy, doc, ref)
				return false
			}
			p := byPath[path.String()]
			if p == nil {
				p = &factorPackage{path: path, distinct: map[string]*findings{}}
				p.packed.Max, p.table.Max = maxTable, maxTable
				byPath[path.String()] = p
				pkgs = append(pkgs, p)
			}
			p.docs[slot] = string(s)
			return false
		})
		if refErr != nil {
			return nil, refErr
		}
	}
	for _, p := range pkgs {
		p.fields, p.allInput = inputFields(compiler, p)
		for i := range p.position {
			p.position[i] = -1
		}
		p.packs = !p.allInput && placeCodes(p.fields)
		for j, f := range p.fields {
			if i, ok := fieldIndex[f.name]; ok {
				p.mask |= 1 << i
				p.position[i] = int16(j)
			}
		}
		var parts []string
		for _, doc := range p.docs {
			if doc == "" {
				parts = append(parts, "[]")
				continue
			}
			parts = append(parts, "object.keys("+p.path.Append(ast.StringTerm(doc)).String()+")")
		}
		q := "[" + strings.Join(parts, ", ") + "]"
		var err error
		if p.query, err = prepare(ctx, compiler, q); err != nil {
			return nil, err
		}
	}
	return pkgs, nil
}

// inputFields follows the package's documents through every rule and
// function they reach and collects the input fields read on the way, with the
// constants each numeric field is compared with.
func inputFields(compiler *ast.Compiler, p *factorPackage) ([]fieldKey, bool) {
	var (
		queue      []*ast.Rule
		seen       = map[*ast.Rule]bool{}
		reads      = map[string]int{}
		comparison = map[string]int{}
		thresholds = map[string]map[float64]bool{}
		allInput   bool
	)
	enqueue := func(rules []*ast.Rule) {
		for _, r := range rules {
			if !seen[r] {
				seen[r] = true
				queue = append(queue, r)
			}
		}
	}
	for _, doc := range p.docs {
		if doc != "" {
			enqueue(compiler.GetRules(p.path.Append(ast.StringTerm(doc))))
		}
	}
	var visit func(x any) bool
	visit = func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			switch {
			case !x.HasPrefix(ast.InputRootRef):
				if x.HasPrefix(ast.DefaultRootRef) {
					enqueue(compiler.GetRules(x.ConstantPrefix()))
				}
			case len(x) < 2:
				allInput = true
			default:
				s, ok := x[1].Value.(ast.String)
				if !ok {
					allInput = true
					break
				}
				reads[string(s)]++
				if len(x) > 2 {
					reads[string(s)] += 1 << 20 // read below the top: never keyed by thresholds
				}
			}
			// The ref's operands may read input or other rules too; its head
			// is only a name.
			for _, t := range x[1:] {
				ast.NewGenericVisitor(visit).Walk(t)
			}
			return true
		case ast.Var:
			if x.Equal(ast.InputRootDocument.Value) {
				allInput = true
			}
		}
		return false
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		ast.NewGenericVisitor(visit).Walk(r)
		for field, t := range comparedReads(r) {
			comparison[field] += t.reads
			if thresholds[field] == nil {
				thresholds[field] = map[float64]bool{}
			}
			for _, c := range t.constants {
				thresholds[field][c] = true
			}
		}
	}
	fields := make([]fieldKey, 0, len(reads))
	for name, n := range reads {
		f := fieldKey{name: name, index: -1, texts: &textCodes{}}
		if i, ok := fieldIndex[name]; ok {
			f.index = i
		}
		if n == comparison[name] {
			f.compared = true
			for t := range thresholds[name] {
				f.thresholds = append(f.thresholds, t)
			}
			slices.Sort(f.thresholds)
		}
		fields = append(fields, f)
	}
	slices.SortFunc(fields, func(a, b fieldKey) int { return strings.Compare(a.name, b.name) })
	return fields, allInput
}

// comparisons are the builtins a numeric field may meet a constant in and
// still be keyed by where it falls among the constants.
var comparisons = map[string]bool{"equal": true, "neq": true, "lt": true, "lte": true, "gt": true, "gte": true}

// compared counts the reads of one input field that only compare it with
// number constants, and the constants.
type compared struct {
	reads     int
	constants []float64
}

// comparedReads finds, in one rule, the reads of input fields whose value
// only meets number constants in comparisons: directly (input.f >= 20) or,
// as the compiler rewrites them, through a local the field is assigned to
// (__local1__ = input.f; gte(__local1__, 20)).
func comparedReads(r *ast.Rule) map[string]compared {
	aliases := map[ast.Var]string{}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		if !e.IsEquality() {
			return false
		}
		terms := e.Terms.([]*ast.Term)
		for i, t := range terms[1:] {
			v, isVar := t.Value.(ast.Var)
			if field, ok := inputField(terms[2-i]); isVar && ok {
				aliases[v] = field
			}
		}
		return false
	})
	uses := map[ast.Var]int{}
	ast.WalkVars(r, func(v ast.Var) bool {
		if _, ok := aliases[v]; ok {
			uses[v]++
		}
		return false
	})
	out := map[string]compared{}
	comparedUses := map[ast.Var]int{}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		terms, ok := e.Terms.([]*ast.Term)
		if !ok || len(terms) != 3 || !comparisons[e.Operator().String()] {
			return false
		}
		for i, t := range terms[1:] {
			n, isNum := terms[2-i].Value.(ast.Number)
			if !isNum {
				continue
			}
			c, err := strconv.ParseFloat(string(n), 64)
			if err != nil || math.IsInf(c, 0) {
				continue
			}
			field, direct := inputField(t)
			if v, isVar := t.Value.(ast.Var); isVar {
				field, direct = aliases[v], false
				if field == "" {
					continue
				}
				comparedUses[v]++
			}
			if field == "" {
				continue
			}
			x := out[field]
			if direct {
				x.reads++
			}
			x.constants = append(x.constants, c)
			out[field] = x
		}
		return false
	})
	for v, field := range aliases {
		// One use of the local is its assignment; all the others must be
		// comparisons with constants.
		if uses[v] == comparedUses[v]+1 {
			x := out[field]
			x.reads++
			out[field] = x
		}
	}
	return out
}

// inputField names the field t reads when t is input.<field>.
func inputField(t *ast.Term) (string, bool) {
	ref, ok := t.Value.(ast.Ref)
	if !ok || len(ref) != 2 || !ref.HasPrefix(ast.InputRootRef) {
		return "", false
	}
	s, ok := ref[1].Value.(ast.String)
	return string(s), ok
}

// baseline is what the factor packages found for a request and the verdict
// they give, with each package's packed key when it has one, so that a
// variation patches the codes of the fields it changes instead of building
// the key again: what-if looks up about a hundred keys an answer.
type baseline struct {
	found   found
	keys    []packedKey // nil when not recorded
	total   sums        // found.total()
	verdict verdict
}

// packedKey is a package's packed key; ok is unset for a workload that has
// none.
type packedKey struct {
	key uint64
	ok  bool
}

// find looks up, or evaluates and remembers, what every factor package finds
// for the workload, into f (one entry per package). For a variation of a
// workload whose baseline is base, tried are the changes that made it from
// the request's, and a package that reads none of their fields keeps what
// it found; same reports whether every package found what it found for base.
// Without a base, it records each package's packed key in keys, when keys
// is not nil.
func (e *Engine) find(ctx context.Context, w *api.Workload, base *baseline, tried []*candidate, f found, keys []packedKey) (same bool, err error) {
	var (
		input ast.Object // built on the first miss
		buf   [64]byte
		mask  uint64
	)
	for _, c := range tried {
		mask |= 1 << c.field
	}
	same = base != nil
	for i, p := range e.factors {
		if base != nil && !p.allInput && p.mask&mask == 0 {
			f[i] = base.found[i]
			continue
		}
		var packed packedKey
		switch {
		case base != nil && base.keys != nil && base.keys[i].ok:
			packed = p.patch(base.keys[i].key, w, tried)
		case p.packs:
			packed = p.pack(w)
		}
		if base == nil && keys != nil {
			keys[i] = packed
		}
		var (
			pf  *findings
			ok  bool
			key []byte
		)
		if !packed.ok {
			key = p.key(buf[:0], w)
		}
		if base != nil && packed.ok && base.keys[i] == packed {
			// The changes leave the package's key as it was.
			f[i] = base.found[i]
			continue
		}
		if packed.ok {
			pf, ok = p.packed.Load(packed.key)
		} else {
			pf, ok = p.table.Load(string(key))
		}
		if !ok {
			if input == nil {
				input = workloadValue(*w)
			}
			ids, err := e.evalFactor(ctx, p, input)
			if err != nil {
				return false, err
			}
			if pf, err = e.combiner.findings(ids); err != nil {
				return false, err
			}
			p.mu.Lock()
			if len(p.distinct) < maxTable {
				fired := findingsKey(ids)
				if kept, ok := p.distinct[fired]; ok {
					pf = kept
				} else {
					p.distinct[fired] = pf
				}
			}
			if packed.ok {
				p.packed.Store(packed.key, pf)
			} else {
				p.table.Store(string(key), pf)
			}
			p.mu.Unlock()
		}
		f[i] = pf
		// Findings firing the same rules are one pointer (distinct); past
		// maxTable they are new each time and merely compare unequal.
		same = same && pf == base.found[i]
	}
	return same, nil
}

// findingsKey is the rules fired, by slot, as one string.
func findingsKey(ids [slotCount][]string) string {
	var b strings.Builder
	for _, list := range ids {
		for _, id := range list {
			b.WriteString(id)
			b.WriteByte(0)
		}
		b.WriteByte(1)
	}
	return b.String()
}

// placeCodes gives each field its place in a packed key, and reports whether
// they all fit in one: a number the rules do more with than compare with
// constants has no code.
func placeCodes(fields []fieldKey) bool {
	// A workload with every optional number set, to read each field's kind.
	var zero int64
	var zeroFloat float64
	all := api.Workload{StartupSLAMs: &zero, AvailabilityTarget: &zeroFloat, Instances: &zero}
	var shift uint
	for j := range fields {
		f := &fields[j]
		var values int // codes besides absent's 0
		switch readField(&all, f.index).kind {
		case fieldAbsent: // not a workload field: always absent
		case fieldBool:
			values = 2
		case fieldString:
			values = maxTextCodes
		default:
			if !f.compared {
				return false
			}
			values = 2*len(f.thresholds) + 1 // see class
		}
		f.shift, f.width = shift, uint(bits.Len(uint(values)))
		f.candidateCodes = make([]atomic.Uint32, candidateCount)
		shift += f.width
		if shift > 64 {
			return false
		}
	}
	return true
}

// pack is the workload's packed key, when every field has a code.
func (p *factorPackage) pack(w *api.Workload) packedKey {
	var key uint64
	for j := range p.fields {
		c, ok := p.fields[j].code(w)
		if !ok {
			return packedKey{}
		}
		key |= c << p.fields[j].shift
	}
	return packedKey{key: key, ok: true}
}

// patch rewrites, in a packed base key, the codes of the fields the tried
// changes set that the package reads.
func (p *factorPackage) patch(base uint64, w *api.Workload, tried []*candidate) packedKey {
	key := base
	for _, t := range tried {
		pos := p.position[t.field]
		if pos < 0 {
			continue
		}
		f := &p.fields[pos]
		c, ok := f.candidateCode(t, w)
		if !ok {
			return packedKey{}
		}
		key = key&^((1<<f.width-1)<<f.shift) | c<<f.shift
	}
	return packedKey{key: key, ok: true}
}

// code is the field's value in a packed key: 0 when absent, else 1 plus
// the boolean, the string's code (see textCodes) or the class of a number
// the rules only compare with constants. A string past the field's codes
// has none.
func (f *fieldKey) code(w *api.Workload) (uint64, bool) {
	v := readField(w, f.index)
	switch v.kind {
	case fieldAbsent:
		return 0, true
	case fieldBool:
		if v.b {
			return 2, true
		}
		return 1, true
	case fieldString:
		c, ok := f.texts.code(v.s)
		return 1 + uint64(c), ok
	}
	// placeCodes gave only compared numbers a place.
	return 1 + uint64(f.class(v.n)), true
}

// candidateCode is the code of the field once the candidate has set it in
// w, kept by the candidate's seq: codes never change once given (and a
// string past the field's codes never gets one), so a candidate's code is
// worked out once. What-if patches about a hundred codes an answer.
func (f *fieldKey) candidateCode(c *candidate, w *api.Workload) (uint64, bool) {
	const none = 1 // kept for a value without a code; codes are kept plus 2
	if v := f.candidateCodes[c.seq].Load(); v != 0 {
		return uint64(v - 2), v != none
	}
	code, ok := f.code(w)
	if ok {
		f.candidateCodes[c.seq].Store(uint32(code) + 2)
	} else {
		f.candidateCodes[c.seq].Store(none)
	}
	return code, ok
}

// key is the package's variable-form table key for a workload without a
// packed key: the whole input for a package that reads all of it, else
// each field's appendFieldKey.
func (p *factorPackage) key(dst []byte, w *api.Workload) []byte {
	if p.allInput {
		return append(dst, workloadValue(*w).String()...)
	}
	key := dst
	for j := range p.fields {
		key = appendFieldKey(key, w, &p.fields[j])
	}
	return key
}

// class is where n falls among the thresholds: 0 below the first, 1 on it,
// 2 between the first and the second, and so on.
func (f *fieldKey) class(n float64) int {
	class := 0
	for _, t := range f.thresholds {
		switch {
		case n > t:
			class += 2
		case n == t:
			class++
		}
	}
	return class
}

// maxTextCodes bounds the strings a field codes. The contract's enums have
// at most four values; a free-text field runs out of codes and is then keyed
// by its text, in the variable form.
const maxTextCodes = 64

// textCodes gives each string a field is seen with a one-byte code, its
// position in the list. Readers scan the list without a lock; a new string
// copies it.
type textCodes struct {
	mu    sync.Mutex
	texts atomic.Pointer[[]string]
}

// code returns the string's code, adding it when there is room.
func (t *textCodes) code(s string) (byte, bool) {
	if p := t.texts.Load(); p != nil {
		for i, text := range *p {
			if text == s {
				return byte(i), true
			}
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var old []string
	if p := t.texts.Load(); p != nil {
		old = *p
	}
	if i := slices.Index(old, s); i >= 0 {
		return byte(i), true
	}
	if len(old) >= maxTextCodes {
		return 0, false
	}
	next := append(slices.Clip(old), strings.Clone(s))
	t.texts.Store(&next)
	return byte(len(next) - 1), true
}

// appendFieldKey appends the field's part of a variable-form table key: the
// value (a string with its length first, so no two values share a key), or
// for a number compared only with constants, where it falls among them.
func appendFieldKey(key []byte, w *api.Workload, f *fieldKey) []byte {
	key = append(key, 0)
	v := readField(w, f.index)
	switch v.kind {
	case fieldAbsent:
		return append(key, '-')
	case fieldBool:
		if v.b {
			return append(key, 't')
		}
		return append(key, 'f')
	case fieldString:
		key = binary.AppendUvarint(append(key, '"'), uint64(len(v.s)))
		return append(key, v.s...)
	}
	if !f.compared {
		return strconv.AppendFloat(key, v.n, 'g', -1, 64)
	}
	return strconv.AppendInt(append(key, '#'), int64(f.class(v.n)), 10)
}

func (e *Engine) evalFactor(ctx context.Context, p *factorPackage, input ast.Object) ([slotCount][]string, error) {
	var ids [slotCount][]string
	if err := ctx.Err(); err != nil {
		return ids, fmt.Errorf("evaluate: %w", err)
	}
	rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ids, fmt.Errorf("evaluate: %w", ctxErr)
		}
		return ids, fmt.Errorf("%w: %s: %v", ErrEvaluation, p.path, err)
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return ids, fmt.Errorf("%w: %s is undefined", ErrEvaluation, p.path)
	}
	docs, _ := rs[0].Expressions[0].Value.([]any)
	if len(docs) != slotCount {
		return ids, fmt.Errorf("%w: %s gave %d documents, want %d", ErrEvaluation, p.path, len(docs), slotCount)
	}
	for slot, doc := range docs {
		list, _ := doc.([]any)
		for _, id := range list {
			s, ok := id.(string)
			if !ok {
				return ids, fmt.Errorf("%w: %s.%s: %v is not a rule id", ErrEvaluation, p.path, slotNames[slot], id)
			}
			ids[slot] = append(ids[slot], s)
		}
	}
	return ids, nil
}
