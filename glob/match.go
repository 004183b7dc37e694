package glob

import (
	"math/bits"
	"strings"
)

// This file decides, for one index entry, whether and how Python's glob would return it.
//
// CPython's glob recurses over directories from the right end of the pattern. Its result set is
// equivalent to running the pattern's components, left to right, as an automaton over the
// entry's path components: a literal component consumes one equal name, a wildcard component
// one fnmatch-matching name (a hidden one only if the pattern component starts with "."), "**"
// any number of non-hidden names. Python spells a result with a trailing "/" when its final
// step matched nothing: patterns ending in "/" and a final "**" matching zero names (so "a/**"
// yields "a/"). With several "**" the same entry can be reached both ways: "**/**" yields "d"
// and "d/". The automaton keeps its set of states in one uint64 and never allocates.

// Match reports how Python's glob.glob(pattern, recursive=True) would return the entry with
// this path: plain when the result list contains path, slash when it contains path+"/".
// Both can be true. path must be a clean entry path (see Entry.Path).
func (p *Pattern) Match(path string, dir bool) (plain, slash bool) {
	for _, a := range p.alts {
		pl, sl := a.forms(path, dir)
		plain = plain || pl
		slash = slash || sl
	}
	return plain, slash
}

// under returns the part of path below the directory prefix ("" for prefix itself).
func under(path, prefix string) (rest string, ok bool) {
	if prefix == "" {
		return path, true
	}
	if !strings.HasPrefix(path, prefix) {
		return "", false
	}
	if len(path) == len(prefix) {
		return "", true
	}
	if path[len(prefix)] != '/' {
		return "", false
	}
	return path[len(prefix)+1:], true
}

func (a *alt) forms(path string, dir bool) (plain, slash bool) {
	if a.dirOnly && !dir {
		return false, false
	}
	rest, ok := under(path, a.prefix)
	if !ok {
		return false, false
	}
	m := len(a.elems)
	final := uint64(1) << m
	if rest == "" {
		// The entry is the literal prefix itself; what is left must match nothing.
		zero := a.closure(1)&final != 0
		switch {
		case a.dirOnly:
			return false, zero
		case a.finalStar:
			return false, zero && dir // "a/**" yields "a/"
		default:
			return m == 0, false // an all-literal pattern names the entry itself
		}
	}
	if m == 0 {
		return false, false // nothing left to consume the rest
	}
	cut := strings.LastIndexByte(rest, '/') + 1
	last := rest[cut:]
	if last == "" {
		return false, false // malformed entry path
	}
	lastElem := &a.elems[m-1]
	if lastElem.kind != elemStar && !lastElem.matches(last) {
		return false, false // the cheap, common rejection: "**/*.jpg" against "x/y.png"
	}
	mask := a.closure(1)
	for head := rest[:cut]; head != ""; {
		i := strings.IndexByte(head, '/')
		mask = a.step(mask, head[:i], true, false)
		if mask == 0 {
			return false, false
		}
		head = head[i+1:]
	}
	penult := uint64(1) << (m - 1) // "ready for the last element"
	switch {
	case a.dirOnly:
		if lastElem.kind != elemStar {
			return false, mask&penult != 0
		}
		return false, a.step(mask, last, true, true)&final != 0
	case !a.finalStar:
		return mask&penult != 0, false
	default:
		plain = mask&penult != 0 && last[0] != '.' // the final "**" takes the last name
		// The final "**" takes nothing: the states before it must consume the last name.
		slash = dir && a.step(mask, last, false, true)&penult != 0
		return plain, slash
	}
}

// step advances the automaton over one path component. loopLast lets a final "**" consume it;
// isLast allows entering the accepting state (before the last component that is a dead end).
func (a *alt) step(mask uint64, name string, loopLast, isLast bool) uint64 {
	if name == "" {
		return 0 // malformed entry path ("a//b")
	}
	hidden := name[0] == '.'
	m := len(a.elems)
	var next uint64
	for mm := mask &^ (1 << m); mm != 0; mm &= mm - 1 {
		i := bits.TrailingZeros64(mm)
		e := &a.elems[i]
		switch {
		case e.kind == elemStar:
			if !hidden && (loopLast || i != m-1) {
				next |= 1 << i
			}
		case i == m-1 && !isLast:
			// Consuming a middle component with the last element leads nowhere.
		case e.matches(name):
			next |= 1 << (i + 1)
		}
	}
	return a.closure(next)
}

// closure adds the states reachable by letting "**" elements match nothing.
func (a *alt) closure(mask uint64) uint64 {
	for s := a.starMask; s != 0; s &= s - 1 {
		i := bits.TrailingZeros64(s)
		if mask&(1<<i) != 0 {
			mask |= 1 << (i + 1)
		}
	}
	return mask
}
