package fields

import (
	"fmt"
	"unicode/utf8"
)

// SyntaxError is a malformed fields spec. Pos is the byte offset of the
// problem.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("fields: invalid selection at offset %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// maxDepth bounds parenthesis nesting.
const maxDepth = 100

// Parse parses a fields spec. An empty (or blank) spec means "not given" and
// gives the zero Mask; errors are *SyntaxError.
func Parse(spec string) (Mask, error) {
	p := &parser{src: spec}
	p.skipSpace()
	if p.pos == len(spec) {
		return Mask{}, nil
	}
	n, err := p.list()
	if err != nil {
		return Mask{}, err
	}
	if p.pos < len(spec) {
		if spec[p.pos] == ')' {
			return Mask{}, errorf(p.pos, `unbalanced ")"`)
		}
		return Mask{}, errorf(p.pos, `expected "," or end of fields, found %s`, p.describe())
	}
	return Mask{normalize(n)}, nil
}

// MustParse is Parse for the server's constant default masks; it panics on
// a syntax error, which is a programming error there. Never use it on input.
func MustParse(spec string) Mask {
	m, err := Parse(spec)
	if err != nil {
		panic(err)
	}
	return m
}

type parser struct {
	src   string
	pos   int
	depth int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// describe names what is at the current position, for errors.
func (p *parser) describe() string {
	if p.pos >= len(p.src) {
		return "end of fields"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return fmt.Sprintf("%q", r)
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// list parses item {"," item}, stopping before ")" or the end.
func (p *parser) list() (*node, error) {
	var acc *node
	for {
		n, err := p.item()
		if err != nil {
			return nil, err
		}
		acc = merge(acc, n)
		p.skipSpace()
		if p.pos == len(p.src) || p.src[p.pos] != ',' {
			return acc, nil
		}
		p.pos++
	}
}

// item parses path ["(" list ")"] into a node chain.
func (p *parser) item() (*node, error) {
	var path []string
	for {
		name, err := p.name()
		if err != nil {
			return nil, err
		}
		path = append(path, name)
		p.skipSpace()
		if p.pos < len(p.src) && (p.src[p.pos] == '/' || p.src[p.pos] == '.') {
			p.pos++
			continue
		}
		break
	}
	leaf := &node{all: true}
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		open := p.pos
		if p.depth++; p.depth > maxDepth {
			return nil, errorf(open, "fields nested too deeply (more than %d levels)", maxDepth)
		}
		p.pos++
		sub, err := p.list()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos == len(p.src) || p.src[p.pos] != ')' {
			return nil, errorf(p.pos, `expected "," or ")" to close "(" at offset %d, found %s`, open, p.describe())
		}
		p.pos++
		p.depth--
		leaf = sub
	}
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == "*" {
			leaf = &node{wild: leaf}
		} else {
			leaf = &node{kids: []child{{path[i], leaf}}}
		}
	}
	return leaf, nil
}

// name parses a field name or "*".
func (p *parser) name() (string, error) {
	p.skipSpace()
	start := p.pos
	if p.pos < len(p.src) && p.src[p.pos] == '*' {
		p.pos++
		return "*", nil
	}
	for p.pos < len(p.src) && isNameByte(p.src[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", errorf(start, "expected a field name, found %s", p.describe())
	}
	return p.src[start:p.pos], nil
}
