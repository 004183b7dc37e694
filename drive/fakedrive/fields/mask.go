package fields

import (
	"iter"
	"slices"
	"strings"
)

// Mask is an immutable selection tree; the zero Mask selects nothing.
// Masks are values and safe to share between goroutines.
type Mask struct{ n *node }

// node is one level of a selection. After normalization: if all is set,
// kids and wild are empty; every kid already includes wild's selection.
type node struct {
	all  bool    // everything at this level, whole
	kids []child // explicitly named fields, sorted by name
	wild *node   // selection under "*" at this level, applying to every name
	sig  uint64  // union of sigBit(kid name): lets find reject most misses at once
}

// sigBit hashes a (non-empty) name's length and first byte to one of 64 bits.
func sigBit(name string) uint64 {
	return 1 << ((uint(len(name))*31 + uint(name[0])) & 63)
}

type child struct {
	name string
	n    *node
}

// Given reports whether the Mask came from a non-empty spec. It is false for
// Parse("") (the caller then applies its default fields).
func (m Mask) Given() bool { return m.n != nil }

// All reports whether everything at this level is selected, whole: the
// level was named without a sub-selection, or selected with *.
func (m Mask) All() bool { return m.n != nil && m.n.all }

// Has reports whether the field name at this level is selected, whole or in
// part. Sub tells which part.
func (m Mask) Has(name string) bool {
	n := m.n
	return n != nil && (n.all || n.wild != nil || n.find(name) != nil)
}

// Sub returns the selection under name: All() if name is selected whole, the
// zero Mask if it is not selected.
func (m Mask) Sub(name string) Mask {
	n := m.n
	switch {
	case n == nil:
		return Mask{}
	case n.all:
		return m
	}
	if c := n.find(name); c != nil {
		return Mask{c}
	}
	return Mask{n.wild}
}

// Names returns the fields named explicitly at this level, sorted, without
// "*". It is for validation and allocates.
func (m Mask) Names() []string {
	if m.n == nil {
		return nil
	}
	names := make([]string, len(m.n.kids))
	for i, c := range m.n.kids {
		names[i] = c.name
	}
	return names
}

// Fields yields the fields named explicitly at this level, in name order,
// with their selections (a selection under * at this level is already
// included in each). It does not allocate per field, so a renderer can walk
// what was asked for instead of probing every field of its schema with Has.
// When All() or Wildcard() is true, fields not yielded are selected too.
func (m Mask) Fields() iter.Seq2[string, Mask] {
	return func(yield func(string, Mask) bool) {
		if m.n == nil {
			return
		}
		for _, c := range m.n.kids {
			if !yield(c.name, Mask{c.n}) {
				return
			}
		}
	}
}

// Wildcard reports whether a * with a sub-selection (a/*/b) applies at this
// level, so that every name is selected in part: Sub(name) for a name not
// among Fields is that sub-selection.
func (m Mask) Wildcard() bool { return m.n != nil && m.n.wild != nil }

// String returns the Mask in canonical syntax; it parses back to an equal
// Mask. The zero Mask gives "".
func (m Mask) String() string {
	if m.n == nil {
		return ""
	}
	var b strings.Builder
	m.n.write(&b)
	return b.String()
}

func (n *node) write(b *strings.Builder) {
	if n.all {
		b.WriteByte('*')
		return
	}
	for i, c := range n.kids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.name)
		if !c.n.all {
			b.WriteByte('(')
			c.n.write(b)
			b.WriteByte(')')
		}
	}
	if n.wild != nil {
		if len(n.kids) > 0 {
			b.WriteByte(',')
		}
		b.WriteString("*(")
		n.wild.write(b)
		b.WriteByte(')')
	}
}

// find looks name up among the kids: a linear scan for the usual handful,
// binary search beyond.
func (n *node) find(name string) *node {
	if name == "" || n.sig&sigBit(name) == 0 {
		return nil
	}
	if len(n.kids) <= 8 {
		for i := range n.kids {
			if n.kids[i].name == name {
				return n.kids[i].n
			}
		}
		return nil
	}
	i, ok := slices.BinarySearchFunc(n.kids, name, func(c child, name string) int {
		return strings.Compare(c.name, name)
	})
	if !ok {
		return nil
	}
	return n.kids[i].n
}

// merge returns the union of two selections without modifying either.
func merge(a, b *node) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.all || b.all:
		return &node{all: true}
	}
	out := &node{wild: merge(a.wild, b.wild)}
	i, j := 0, 0
	for i < len(a.kids) || j < len(b.kids) {
		switch {
		case j == len(b.kids) || i < len(a.kids) && a.kids[i].name < b.kids[j].name:
			out.kids = append(out.kids, a.kids[i])
			i++
		case i == len(a.kids) || b.kids[j].name < a.kids[i].name:
			out.kids = append(out.kids, b.kids[j])
			j++
		default:
			out.kids = append(out.kids, child{a.kids[i].name, merge(a.kids[i].n, b.kids[j].n)})
			i++
			j++
		}
	}
	return out
}

// normalize returns n with the invariants of node established: a whole
// wildcard makes the level whole, and every kid absorbs the wildcard's
// selection.
func normalize(n *node) *node {
	if n == nil || n.all {
		return n
	}
	wild := normalize(n.wild)
	if wild != nil && wild.all {
		return &node{all: true}
	}
	out := &node{wild: wild}
	for _, c := range n.kids {
		out.kids = append(out.kids, child{c.name, normalize(merge(c.n, wild))})
		out.sig |= sigBit(c.name)
	}
	return out
}
