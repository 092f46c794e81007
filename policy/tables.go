package policy

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/placement-advisor/advise/api"
	"github.com/placement-advisor/advise/internal/memo"
)

// The engine remembers what each query it evaluates gives, keyed by the
// input fields the query's rules read and nothing else: a factor package is
// evaluated once per distinct value of its fields, the decision once per set
// of fired rules and value of the few fields the placements read. What-if
// varies a field or two at a time, so most of its variations find what they
// need already here. The fields are found by walking the compiled rules, so
// a rule author's change keys itself.

// keyFields is how a cached query keys its table: the input fields its rules
// read, each with its place in a packed key.
type keyFields struct {
	// fields are the input fields the rules read, sorted; every field
	// counts when allInput is set (a rule reads input as a whole or by a
	// computed key).
	fields   []fieldKey
	allInput bool
	// mask has bit i set for every contract field in fields (i its index in
	// api.Fields), and position is the place in fields of each contract
	// field, -1 for those the query does not read.
	mask     uint64
	position [64]int16
	// packs is set when every field has a place in a packed key (see
	// fieldKey.shift).
	packs bool
}

// fieldKey is how one input field enters a table key.
type fieldKey struct {
	name string
	// index is the field's in api.Fields, -1 for a name input does not
	// carry, which reads as absent.
	index int
	kind  api.Kind
	// texts codes the strings the field is seen with (see code).
	texts *textCodes
	// thresholds, ascending, are the only constants the rules compare the
	// field with, when they only compare it with constants; the key is then
	// where the value falls among them, not the value.
	thresholds []float64
	compared   bool
	// A packed key holds each field's code (see code) in width bits from
	// bit shift; the codes of every field of a query take at most 64.
	shift, width uint
	// candidateCodes keeps the field's code for each candidate change, by
	// the candidate's seq (see candidateCode).
	candidateCodes []atomic.Uint32
}

// maxTable bounds each table and the findings a package keeps apart; past it
// the query is evaluated every time. The largest table the shipped rules can
// fill is a few tens of thousands of keys, almost all of them combinations no
// caller sends.
const maxTable = 1 << 14

// newKeyFields works out, from the compiled rules, which input fields the
// rules under roots read, following every rule and function they reach but
// those under a stop prefix (documents the engine supplies itself).
func newKeyFields(compiler *ast.Compiler, roots []ast.Ref, stop []ast.Ref) keyFields {
	var k keyFields
	k.fields, k.allInput = inputFields(compiler, roots, stop)
	for i := range k.position {
		k.position[i] = -1
	}
	k.packs = !k.allInput && placeCodes(k.fields)
	for j, f := range k.fields {
		if f.index >= 0 {
			k.mask |= 1 << f.index
			k.position[f.index] = int16(j)
		}
	}
	return k
}

// inputFields follows the roots through every rule and function they reach
// and collects the input fields read on the way, with the constants each
// numeric field is compared with.
func inputFields(compiler *ast.Compiler, roots []ast.Ref, stop []ast.Ref) ([]fieldKey, bool) {
	var (
		queue      []*ast.Rule
		seen       = map[*ast.Rule]bool{}
		reads      = map[string]int{}
		comparison = map[string]int{}
		thresholds = map[string]map[float64]bool{}
		allInput   bool
	)
	stopped := func(ref ast.Ref) bool {
		return slices.ContainsFunc(stop, func(s ast.Ref) bool { return ref.HasPrefix(s) })
	}
	enqueue := func(rules []*ast.Rule) {
		for _, r := range rules {
			if !seen[r] && !stopped(r.Ref().GroundPrefix()) {
				seen[r] = true
				queue = append(queue, r)
			}
		}
	}
	for _, root := range roots {
		enqueue(compiler.GetRules(root))
	}
	var visit func(x any) bool
	visit = func(x any) bool {
		switch x := x.(type) {
		case ast.Ref:
			switch {
			case !x.HasPrefix(ast.InputRootRef):
				if x.HasPrefix(ast.DefaultRootRef) && !stopped(x) {
					enqueue(rulesMatching(compiler, x))
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
		if i, ok := api.FieldIndex(name); ok {
			f.index, f.kind = i, api.Fields()[i].Kind
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

// rulesMatching is the rules a ref may read: those under its constant
// prefix whose path agrees with the rest of the ref wherever the ref has a
// constant, so that placements[p].serves reaches every placement's serves
// and not its other rules.
func rulesMatching(compiler *ast.Compiler, ref ast.Ref) []*ast.Rule {
	prefix := ref.ConstantPrefix()
	var out []*ast.Rule
	for _, r := range compiler.GetRules(prefix) {
		path := r.Ref().GroundPrefix()
		agrees := true
		for i := len(prefix); i < len(ref) && i < len(path); i++ {
			if ref[i].IsGround() && !ref[i].Equal(path[i]) {
				agrees = false
				break
			}
		}
		if agrees {
			out = append(out, r)
		}
	}
	return out
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

// packedKey is a packed table key; ok is unset for a workload that has none.
type packedKey struct {
	key uint64
	ok  bool
}

// placeCodes gives each field its place in a packed key, and reports whether
// they all fit in one: a number the rules do more with than compare with
// constants has no code.
func placeCodes(fields []fieldKey) bool {
	var shift uint
	for j := range fields {
		f := &fields[j]
		var values int // codes besides absent's 0
		switch {
		case f.index < 0: // not a contract field: always absent
		case f.kind == api.KindBool:
			values = 2
		case f.kind == api.KindEnum || f.kind == api.KindText:
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
func (k *keyFields) pack(w *api.Workload) packedKey {
	var key uint64
	for j := range k.fields {
		c, ok := k.fields[j].code(w)
		if !ok {
			return packedKey{}
		}
		key |= c << k.fields[j].shift
	}
	return packedKey{key: key, ok: true}
}

// patch rewrites, in a packed base key, the codes of the fields the tried
// changes set that the query reads.
func (k *keyFields) patch(base uint64, w *api.Workload, tried []*candidate) packedKey {
	key := base
	for _, t := range tried {
		pos := k.position[t.field]
		if pos < 0 {
			continue
		}
		f := &k.fields[pos]
		c, ok := f.candidateCode(t, w)
		if !ok {
			return packedKey{}
		}
		key = key&^((1<<f.width-1)<<f.shift) | c<<f.shift
	}
	return packedKey{key: key, ok: true}
}

// value reads the field from a workload; a name input does not carry reads
// as absent.
func (f *fieldKey) value(w *api.Workload) api.Value {
	if f.index < 0 {
		return api.Value{}
	}
	return w.Get(f.index)
}

// code is the field's value in a packed key: 0 when absent, else 1 plus
// the boolean, the string's code (see textCodes) or the class of a number
// the rules only compare with constants. A string past the field's codes
// has none.
func (f *fieldKey) code(w *api.Workload) (uint64, bool) {
	v := f.value(w)
	switch {
	case !v.Set:
		return 0, true
	case f.kind == api.KindBool:
		if v.Bool {
			return 2, true
		}
		return 1, true
	case f.kind == api.KindEnum || f.kind == api.KindText:
		c, ok := f.texts.code(v.Text)
		return 1 + uint64(c), ok
	}
	// placeCodes gave only compared numbers a place.
	return 1 + uint64(f.class(v.Number)), true
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

// key is the variable-form table key for a workload without a packed key:
// the whole input for a query that reads all of it, else each field's
// appendFieldKey.
func (k *keyFields) key(dst []byte, w *api.Workload) []byte {
	if k.allInput {
		return append(dst, mustJSON(w)...)
	}
	key := dst
	for j := range k.fields {
		key = appendFieldKey(key, w, &k.fields[j])
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
	v := f.value(w)
	switch {
	case !v.Set:
		return append(key, '-')
	case f.kind == api.KindBool:
		if v.Bool {
			return append(key, 't')
		}
		return append(key, 'f')
	case f.kind == api.KindEnum || f.kind == api.KindText:
		key = binary.AppendUvarint(append(key, '"'), uint64(len(v.Text)))
		return append(key, v.Text...)
	}
	if !f.compared {
		return strconv.AppendFloat(key, v.Number, 'g', -1, 64)
	}
	return strconv.AppendInt(append(key, '#'), int64(f.class(v.Number)), 10)
}

// table remembers values by packed key or, for workloads without one, by the
// variable form. Readers take no lock.
type table[V any] struct {
	packed memo.Map[uint64, V]
	varied memo.Map[string, V]
}

func newTable[V any]() *table[V] {
	t := &table[V]{}
	t.packed.Max, t.varied.Max = maxTable, maxTable
	return t
}

func (t *table[V]) size() int { return t.packed.Len() + t.varied.Len() }

// workloadValue builds the Rego input straight from the workload, skipping a
// JSON round trip, field by field as the table keys read them, so the input
// and the keys cannot disagree. Absent fields stay absent, so rules reading
// them are simply undefined.
func (e *Engine) workloadValue(w *api.Workload) ast.Object {
	pairs := make([][2]*ast.Term, 0, len(api.Fields()))
	for i, f := range api.Fields() {
		v := w.Get(i)
		if !v.Set {
			continue
		}
		var t *ast.Term
		switch f.Kind {
		case api.KindBool:
			t = ast.InternedTerm(v.Bool)
		case api.KindEnum:
			if t = e.terms.values[i][v.Text]; t == nil {
				t = ast.StringTerm(v.Text)
			}
		case api.KindText:
			t = ast.StringTerm(v.Text)
		case api.KindInteger:
			t = ast.IntNumberTerm(int(v.Integer))
		default:
			t = ast.FloatNumberTerm(v.Number)
		}
		pairs = append(pairs, [2]*ast.Term{e.terms.fields[i], t})
	}
	return ast.NewObject(pairs...)
}

// mustJSON is the workload as JSON, the key of a query that reads all of it.
func mustJSON(w *api.Workload) []byte {
	return w.AppendJSON(nil)
}
