package glob

import (
	"strings"
	"unicode/utf8"
)

// maxComponents bounds the path components of one (expanded) pattern: the matcher keeps its
// states in one uint64.
const maxComponents = 63

// Pattern is a compiled glob pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	src  string
	alts []*alt // one per brace expansion
}

type elemKind uint8

const (
	elemLit  elemKind = iota // a literal name: matches exactly that name, hidden or not
	elemWild                 // fnmatch pattern: hidden names only if the pattern starts with "."
	elemStar                 // "**": zero or more non-hidden components
)

// elem is one path component of a pattern.
type elem struct {
	kind  elemKind
	lit   string
	wild  *wildcard
	dotOK bool // elemWild: the pattern starts with ".", so names starting with "." may match
}

// matches reports whether one path component (non-empty) matches a non-"**" element.
func (e *elem) matches(name string) bool {
	if e.kind == elemLit {
		return name == e.lit
	}
	if name[0] == '.' && !e.dotOK {
		return false
	}
	return e.wild.match(name)
}

// alt is one brace-free pattern: a literal directory prefix, then the elements matched
// against the rest of the path.
type alt struct {
	text      string
	prefix    string // leading literal components joined by "/"; "" when the pattern starts with a wildcard
	elems     []elem
	dirOnly   bool   // the pattern ends in "/"
	starMask  uint64 // bit i set when elems[i] is "**"
	finalStar bool   // the last element is "**"
}

// Compile parses pattern (syntax and semantics in the package documentation). A malformed
// pattern gives a *PatternError, which wraps ErrBadPattern.
func Compile(pattern string) (*Pattern, error) {
	if pattern == "" {
		return nil, patternErr(pattern, 0, "empty pattern", `"**" matches everything`)
	}
	if !utf8.ValidString(pattern) {
		off := 0
		for off < len(pattern) {
			r, n := utf8.DecodeRuneInString(pattern[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		return nil, patternErr(pattern, off, "invalid UTF-8", "")
	}
	exps, err := expandBraces(pattern)
	if err != nil {
		return nil, err
	}
	p := &Pattern{src: pattern}
	for _, x := range exps {
		a, err := compileAlt(pattern, x)
		if err != nil {
			return nil, err
		}
		if a != nil {
			p.alts = append(p.alts, a)
		}
	}
	return p, nil
}

// String returns the pattern as given to Compile.
func (p *Pattern) String() string { return p.src }

// compileAlt compiles one expansion. An empty expansion (from "{,x}") matches nothing, as
// glob.glob("") does, and yields a nil alt.
func compileAlt(orig string, x expansion) (*alt, error) {
	text := x.text
	if text == "" {
		return nil, nil
	}
	at := func(i int) int { // offset in orig of byte i of text
		if i < len(x.off) {
			return x.off[i]
		}
		return len(orig)
	}
	if text[0] == '/' {
		return nil, patternErr(orig, at(0), "absolute pattern", "patterns are relative to the mirror root")
	}
	a := &alt{text: text}
	body := text
	if strings.HasSuffix(body, "/") {
		a.dirOnly = true
		body = body[:len(body)-1]
	}
	var prefix []string
	start := 0
	for ncomp := 1; ; ncomp++ {
		end := strings.IndexByte(body[start:], '/')
		if end < 0 {
			end = len(body)
		} else {
			end += start
		}
		comp := body[start:end]
		if ncomp > maxComponents {
			return nil, patternErr(orig, at(start), "more than 63 path components", "")
		}
		var e elem
		switch {
		case comp == "":
			return nil, patternErr(orig, at(start), "empty path component", `use a single "/" between names`)
		case comp == "." || comp == "..":
			return nil, patternErr(orig, at(start), `"`+comp+`" path component`,
				"patterns are relative to the mirror root and cannot contain . or ..")
		case comp == "**":
			e = elem{kind: elemStar}
		case strings.ContainsAny(comp, "*?["):
			w, lit, isLit, bad := compileWild(comp)
			switch {
			case bad >= 0:
				return nil, patternErr(orig, at(start+bad), "unterminated character class", `write "[[]" for a literal "["`)
			case isLit && (lit[0] != '.' || comp[0] == '.') && lit != "." && lit != "..":
				e = elem{kind: elemLit, lit: lit} // "[[]x]", as glob.escape writes "[x"
			default:
				// A pattern like "[.]git" names one hidden entry but, not starting with ".",
				// may not match it: keep it a wildcard so the hidden rule applies. ".[.]"
				// stays one too: it must match nothing, not become a ".." to walk.
				e = elem{kind: elemWild, wild: w, dotOK: comp[0] == '.'}
			}
		default:
			e = elem{kind: elemLit, lit: comp}
		}
		if e.kind == elemLit && len(a.elems) == 0 {
			prefix = append(prefix, e.lit)
		} else {
			if e.kind == elemStar {
				a.starMask |= 1 << len(a.elems)
			}
			a.elems = append(a.elems, e)
		}
		if end == len(body) {
			break
		}
		start = end + 1
	}
	a.prefix = strings.Join(prefix, "/")
	a.finalStar = len(a.elems) > 0 && a.elems[len(a.elems)-1].kind == elemStar
	return a, nil
}
