package query

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxDepth bounds nesting of parentheses and not, so hostile input cannot
// exhaust the stack.
const maxDepth = 100

// Parse parses a files.list q. An empty or blank q selects every file. Errors
// are *SyntaxError.
func Parse(q string) (Expr, error) { return parse(q, filesDialect) }

// ParseDrives parses a drives.list q (shared-drive terms). An empty or blank
// q selects every drive. Errors are *SyntaxError.
func ParseDrives(q string) (Expr, error) { return parse(q, drivesDialect) }

type parser struct {
	lx    lexer
	tok   token
	d     dialect
	depth int
}

func parse(q string, d dialect) (Expr, error) {
	p := &parser{lx: lexer{src: q}, d: d}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return all{}, nil
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		if p.tok.kind == tRParen {
			return nil, errorf(p.tok.pos, `unbalanced ")"`)
		}
		return nil, errorf(p.tok.pos, "expected and, or or end of query, found %s", p.tok.describe())
	}
	return e, nil
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) or() (Expr, error) {
	x, err := p.and()
	if err != nil || !p.tok.is("or") {
		return x, err
	}
	xs := flatten[*or](nil, x)
	for p.tok.is("or") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.and()
		if err != nil {
			return nil, err
		}
		xs = flatten[*or](xs, y)
	}
	return &or{xs}, nil
}

func (p *parser) and() (Expr, error) {
	x, err := p.unary()
	if err != nil || !p.tok.is("and") {
		return x, err
	}
	xs := flatten[*and](nil, x)
	for p.tok.is("and") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.unary()
		if err != nil {
			return nil, err
		}
		xs = flatten[*and](xs, y)
	}
	return &and{xs}, nil
}

// flatten appends x to xs, splicing in x's operands if x is itself a T
// (a parenthesized and inside an and), so equal queries have equal trees.
func flatten[T interface{ *and | *or }](xs []Expr, x Expr) []Expr {
	switch y := x.(type) {
	case *and:
		if _, ok := any(T(nil)).(*and); ok {
			return append(xs, y.xs...)
		}
	case *or:
		if _, ok := any(T(nil)).(*or); ok {
			return append(xs, y.xs...)
		}
	}
	return append(xs, x)
}

func (p *parser) unary() (Expr, error) {
	switch {
	case p.tok.is("not"), p.tok.kind == tLParen:
		open := p.tok
		if p.depth++; p.depth > maxDepth {
			return nil, errorf(open.pos, "query nested too deeply (more than %d levels)", maxDepth)
		}
		defer func() { p.depth-- }()
		if err := p.advance(); err != nil {
			return nil, err
		}
		if open.kind == tIdent { // not
			x, err := p.unary()
			if err != nil {
				return nil, err
			}
			return &not{x}, nil
		}
		x, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, errorf(p.tok.pos, `expected ")" to close "(" at offset %d, found %s`, open.pos, p.tok.describe())
		}
		return x, p.advance()
	case p.tok.kind == tString:
		return p.in()
	case p.tok.kind == tIdent:
		return p.term()
	case p.tok.kind == tEOF:
		return nil, errorf(p.tok.pos, "unexpected end of query: expected a query term")
	}
	return nil, errorf(p.tok.pos, "expected a query term, found %s", p.tok.describe())
}

// in parses 'value' in parents|owners|writers|readers.
func (p *parser) in() (Expr, error) {
	v := p.tok.text
	if err := p.advance(); err != nil {
		return nil, err
	}
	if !p.tok.is("in") {
		return nil, errorf(p.tok.pos, "expected in after string %s, found %s", quote(v), p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	t := p.tok
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	if terms[f].kind != kCollection {
		return nil, errorf(t.pos, "%s does not support in (in works with parents, owners, writers and readers)", f)
	}
	return &inTerm{f: f, v: v}, p.advance()
}

var keywords = []string{"and", "or", "not", "in", "has", "contains", "true", "false"}

// field resolves the current identifier token to a term of the dialect.
func (p *parser) field() (field, error) {
	t := p.tok
	if t.kind != tIdent {
		if t.kind == tEOF {
			return 0, errorf(t.pos, "unexpected end of query: expected a query term")
		}
		return 0, errorf(t.pos, "expected a query term, found %s", t.describe())
	}
	for _, kw := range keywords {
		if strings.EqualFold(t.text, kw) {
			return 0, errorf(t.pos, "expected a query term, found keyword %q", t.text)
		}
	}
	f, ok := lookupTerm(t.text)
	if !ok {
		for g := range terms {
			if strings.EqualFold(terms[g].name, t.text) && p.d.allows(field(g)) {
				return 0, errorf(t.pos, "unknown query term %q (terms are case-sensitive: did you mean %s?)", t.text, terms[g].name)
			}
		}
		return 0, errorf(t.pos, "unknown query term %q", t.text)
	}
	if !p.d.allows(f) {
		return 0, errorf(t.pos, "%s is not a %s query term", f, dialectName[p.d])
	}
	return f, nil
}

// term parses a term that starts with a field name.
func (p *parser) term() (Expr, error) {
	ft := p.tok
	f, err := p.field()
	if err != nil {
		return nil, err
	}
	info := terms[f]
	if err := p.advance(); err != nil {
		return nil, err
	}
	switch info.kind {
	case kCollection:
		return nil, errorf(ft.pos, "%s is queried as 'value' in %s", f, f)
	case kMap:
		return p.has(f)
	}
	ot := p.tok
	var o op
	switch {
	case ot.kind == tOp:
		o = ot.op
	case ot.is("contains"):
		o = opContains
	case ot.kind == tEOF:
		return nil, errorf(ot.pos, "unexpected end of query: expected an operator after %s", f)
	default:
		return nil, errorf(ot.pos, "expected an operator after %s, found %s", f, ot.describe())
	}
	if !slices.Contains(info.ops, o) {
		valid := make([]string, len(info.ops))
		for i, v := range info.ops {
			valid[i] = v.String()
		}
		return nil, errorf(ot.pos, "operator %s is not valid for %s (valid: %s)", o, f, strings.Join(valid, " "))
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	vt := p.tok
	var x Expr
	switch info.kind {
	case kString:
		if vt.kind != tString {
			return nil, errorf(vt.pos, "%s needs a string in single quotes, found %s", f, vt.describe())
		}
		switch f {
		case fName:
			x = &nameTerm{op: o, v: vt.text}
		case fMimeType:
			x = &mimeTerm{op: o, v: vt.text}
		case fFullText:
			toks, phrase := tokenize(vt.text)
			x = &fullTextTerm{v: vt.text, toks: toks, phrase: phrase}
		case fVisibility:
			if !slices.Contains(visibilities, vt.text) {
				return nil, errorf(vt.pos, "invalid visibility %s (valid: %s)", quote(vt.text), strings.Join(visibilities, ", "))
			}
			x = &exactTerm{f: f, op: o, v: vt.text}
		default:
			x = &exactTerm{f: f, op: o, v: vt.text}
		}
	case kBool:
		switch {
		case vt.is("true"):
			x = &boolTerm{f: f, op: o, v: true}
		case vt.is("false"):
			x = &boolTerm{f: f, op: o, v: false}
		default:
			return nil, errorf(vt.pos, "%s needs true or false, found %s", f, vt.describe())
		}
	case kTime:
		if vt.kind != tString {
			return nil, errorf(vt.pos, "%s needs an RFC 3339 date in single quotes, found %s", f, vt.describe())
		}
		t, ok := parseTime(vt.text)
		if !ok {
			return nil, errorf(vt.pos, "invalid date %s for %s: want RFC 3339, such as '2012-06-04T12:00:00-08:00'", quote(vt.text), f)
		}
		x = &timeTerm{f: f, op: o, v: t}
	case kInt:
		if vt.kind != tNumber {
			return nil, errorf(vt.pos, "%s needs an integer, found %s", f, vt.describe())
		}
		n, err := strconv.ParseInt(vt.text, 10, 64)
		if err != nil {
			return nil, errorf(vt.pos, "integer %s out of range for %s", vt.text, f)
		}
		x = &intTerm{f: f, op: o, v: n}
	}
	return x, p.advance()
}

// has parses the rest of properties has { key='k' and value='v' }.
func (p *parser) has(f field) (Expr, error) {
	if !p.tok.is("has") {
		return nil, errorf(p.tok.pos, "expected has after %s, found %s", f, p.tok.describe())
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tLBrace {
		return nil, errorf(p.tok.pos, `expected "{" after %s has, found %s`, f, p.tok.describe())
	}
	var key, value *string
	for i := 0; i < 2; i++ {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if i == 1 {
			if !p.tok.is("and") {
				return nil, errorf(p.tok.pos, "expected and between key and value in %s has {...}, found %s", f, p.tok.describe())
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		}
		nt := p.tok
		var dst **string
		switch {
		case nt.is("key"):
			dst = &key
		case nt.is("value"):
			dst = &value
		default:
			return nil, errorf(nt.pos, "expected key or value in %s has {...}, found %s", f, nt.describe())
		}
		if *dst != nil {
			return nil, errorf(nt.pos, "%s has {...} needs one key and one value, found %s twice", f, strings.ToLower(nt.text))
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tOp || p.tok.op != opEq {
			return nil, errorf(p.tok.pos, `expected "=" after %s, found %s`, strings.ToLower(nt.text), p.tok.describe())
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tString {
			return nil, errorf(p.tok.pos, "%s needs a string in single quotes, found %s", strings.ToLower(nt.text), p.tok.describe())
		}
		s := p.tok.text
		*dst = &s
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tRBrace {
		return nil, errorf(p.tok.pos, `expected "}" to close %s has {...}, found %s`, f, p.tok.describe())
	}
	return &hasTerm{f: f, key: *key, value: *value}, p.advance()
}

// parseTime accepts RFC 3339 with or without fractional seconds, with or
// without a zone (default UTC), or a bare date (UTC midnight). The result is
// in UTC.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
