package query

import (
	"strings"
	"time"
)

// Subject is what a query can see of one file (or, for ParseDrives, of one
// shared drive). The server fills one per candidate; Eval only reads it.
type Subject struct {
	ID, Name, MimeType, Description string
	// IndexableText is contentHints.indexableText, searched by fullText.
	IndexableText                             string
	Parents                                   []string
	Trashed, Starred, Hidden, SharedWithMe    bool
	ModifiedTime, CreatedTime, ViewedByMeTime time.Time // zero = unset
	Properties, AppProperties                 map[string]string
	// Owners, Writers and Readers hold e-mail addresses, each principal once
	// at its highest role; Eval applies the role nesting (see package doc).
	Owners, Writers, Readers []string
	ShortcutTargetID         string
	// Visibility is one of the visibility term's values ("" = unknown,
	// matches no = and every !=).
	Visibility string
	// MemberCount and OrganizerCount are for shared drives (ParseDrives).
	MemberCount, OrganizerCount int64
}

// Env is the request context a query is evaluated in.
type Env struct {
	// Me is the requesting user's e-mail address, what 'me' stands for in
	// 'me' in owners|writers|readers. Empty: 'me' matches nobody.
	Me string
	// RootID is the ID of the user's My Drive root folder, what 'root' stands
	// for in 'root' in parents. Empty: 'root' is compared literally.
	RootID string
}

// Expr is a parsed query. Eval reports whether s matches; it does not
// allocate and is safe for concurrent use. env may be nil. String returns the
// query in canonical form, which parses back to an equal Expr.
type Expr interface {
	Eval(s *Subject, env *Env) bool
	String() string
}

// op is a comparison operator.
type op uint8

const (
	opEq op = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opContains
)

var opText = [...]string{opEq: "=", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">=", opContains: "contains"}

func (o op) String() string { return opText[o] }

// cmp applies an ordering operator to the result of a three-way compare.
func (o op) cmp(c int) bool {
	switch o {
	case opEq:
		return c == 0
	case opNe:
		return c != 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	case opGe:
		return c >= 0
	}
	return false
}

// all is the empty query: it selects everything.
type all struct{}

func (all) Eval(*Subject, *Env) bool { return true }
func (all) String() string           { return "" }

type and struct{ xs []Expr }

func (e *and) Eval(s *Subject, env *Env) bool {
	for _, x := range e.xs {
		if !x.Eval(s, env) {
			return false
		}
	}
	return true
}

func (e *and) String() string {
	var b strings.Builder
	for i, x := range e.xs {
		if i > 0 {
			b.WriteString(" and ")
		}
		if _, ok := x.(*or); ok {
			b.WriteString("(" + x.String() + ")")
		} else {
			b.WriteString(x.String())
		}
	}
	return b.String()
}

type or struct{ xs []Expr }

func (e *or) Eval(s *Subject, env *Env) bool {
	for _, x := range e.xs {
		if x.Eval(s, env) {
			return true
		}
	}
	return false
}

func (e *or) String() string {
	parts := make([]string, len(e.xs))
	for i, x := range e.xs {
		parts[i] = x.String()
	}
	return strings.Join(parts, " or ")
}

type not struct{ x Expr }

func (e *not) Eval(s *Subject, env *Env) bool { return !e.x.Eval(s, env) }

func (e *not) String() string {
	switch e.x.(type) {
	case *and, *or:
		return "not (" + e.x.String() + ")"
	}
	return "not " + e.x.String()
}

// quote renders v as a query string literal.
func quote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == '\'' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('\'')
	return b.String()
}
