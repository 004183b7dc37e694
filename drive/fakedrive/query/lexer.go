package query

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a query Drive would reject with 400 (invalid, location "q").
// Pos is the byte offset in the query where the problem starts.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("query: invalid q at offset %d: %s", e.Pos, e.Msg)
}

func errorf(pos int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
	tLParen
	tRParen
	tLBrace
	tRBrace
)

type token struct {
	kind tokKind
	pos  int
	text string // identifier or number as written; decoded string value
	op   op     // for tOp
}

// is reports whether t is the keyword kw (keywords are case-insensitive).
func (t token) is(kw string) bool { return t.kind == tIdent && strings.EqualFold(t.text, kw) }

// describe names t for an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tString:
		return "string " + quote(t.text)
	case tOp:
		return fmt.Sprintf("%q", t.op.String())
	case tLParen:
		return `"("`
	case tRParen:
		return `")"`
	case tLBrace:
		return `"{"`
	case tRBrace:
		return `"}"`
	}
	return fmt.Sprintf("%q", t.text)
}

type lexer struct {
	src string
	pos int
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isIdentStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }

func isIdentPart(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' || c == '.' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// next scans the token at the current position.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start == len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	switch {
	case c == '\'':
		return l.string()
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentPart(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tIdent, pos: start, text: l.src[start:l.pos]}, nil
	case isDigit(c) || c == '-' && start+1 < len(l.src) && isDigit(l.src[start+1]):
		l.pos++
		for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
			l.pos++
		}
		return token{kind: tNumber, pos: start, text: l.src[start:l.pos]}, nil
	}
	l.pos++
	switch c {
	case '(':
		return token{kind: tLParen, pos: start}, nil
	case ')':
		return token{kind: tRParen, pos: start}, nil
	case '{':
		return token{kind: tLBrace, pos: start}, nil
	case '}':
		return token{kind: tRBrace, pos: start}, nil
	case '=':
		return token{kind: tOp, pos: start, op: opEq}, nil
	case '<', '>', '!':
		eq := l.pos < len(l.src) && l.src[l.pos] == '='
		if eq {
			l.pos++
		}
		switch {
		case c == '<' && eq:
			return token{kind: tOp, pos: start, op: opLe}, nil
		case c == '<':
			return token{kind: tOp, pos: start, op: opLt}, nil
		case c == '>' && eq:
			return token{kind: tOp, pos: start, op: opGe}, nil
		case c == '>':
			return token{kind: tOp, pos: start, op: opGt}, nil
		case eq:
			return token{kind: tOp, pos: start, op: opNe}, nil
		}
		return token{}, errorf(start, `unexpected "!" (the not-equal operator is !=; to negate, use not)`)
	case '"':
		return token{}, errorf(start, "strings must be in single quotes, not double quotes")
	}
	r, _ := utf8.DecodeRuneInString(l.src[start:])
	return token{}, errorf(start, "unexpected character %q", r)
}

// string scans a single-quoted literal, decoding \' and \\.
func (l *lexer) string() (token, error) {
	start := l.pos
	l.pos++ // opening quote
	var b strings.Builder
	plain := l.pos // start of the current run without escapes
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\'':
			b.WriteString(l.src[plain:l.pos])
			l.pos++
			return token{kind: tString, pos: start, text: b.String()}, nil
		case '\\':
			b.WriteString(l.src[plain:l.pos])
			if l.pos+1 >= len(l.src) {
				return token{}, errorf(start, "unterminated string")
			}
			switch e := l.src[l.pos+1]; e {
			case '\'', '\\':
				b.WriteByte(e)
			default:
				r, _ := utf8.DecodeRuneInString(l.src[l.pos+1:])
				return token{}, errorf(l.pos, `invalid escape "\%c" in string: only \' and \\ are allowed`, r)
			}
			l.pos += 2
			plain = l.pos
		default:
			l.pos++
		}
	}
	return token{}, errorf(start, "unterminated string")
}
