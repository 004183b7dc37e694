package glob

import "strings"

// This file is fnmatch.fnmatchcase for one path component, precompiled: "*" matches any run of
// code points (including none), "?" exactly one, "[...]" one from a class (class.go), anything
// else itself. Backslash is an ordinary character, as in Python on POSIX. CPython implements
// this with a regular expression; here it is a loop with one backtracking point (the last "*"),
// which gives the same answers, never allocates, and has fast paths for the usual shapes
// ("*.jpg", "img_*", "*cat*", "a*b").

type tokKind uint8

const (
	tokLit   tokKind = iota // lit: one or more code points, compared as bytes
	tokAny                  // "?"
	tokClass                // "[...]"
	tokStar                 // "*" (runs of "*" are one token)
)

type token struct {
	kind tokKind
	lit  string
	cls  *charClass
}

type shape uint8

const (
	shapeGeneral  shape = iota
	shapeAny            // *
	shapeSuffix         // *tail
	shapePrefix         // head*
	shapeContains       // *mid*
	shapeEnds           // head*tail
)

// wildcard is a compiled component pattern that has at least one wildcard.
type wildcard struct {
	toks  []token
	shape shape
	head  string // literal start of every match ("" if none)
	tail  string // literal end of every match ("" if none)
}

// compileWild compiles comp, a path component containing "*", "?" or "[". If the pattern can
// only ever match one name, it also returns that name with isLit set. bad is the byte index
// of an unterminated "[" (Python would read it literally; see doc.go), or -1.
func compileWild(comp string) (w *wildcard, lit string, isLit bool, bad int) {
	var toks []token
	var litBuf []byte
	flush := func() {
		if len(litBuf) > 0 {
			toks = append(toks, token{kind: tokLit, lit: string(litBuf)})
			litBuf = litBuf[:0]
		}
	}
	for i := 0; i < len(comp); {
		switch c := comp[i]; c {
		case '*':
			flush()
			if len(toks) == 0 || toks[len(toks)-1].kind != tokStar {
				toks = append(toks, token{kind: tokStar})
			}
			i++
		case '?':
			flush()
			toks = append(toks, token{kind: tokAny})
			i++
		case '[':
			e := classEnd(comp, i)
			if e < 0 {
				return nil, "", false, i
			}
			var stuff []rune
			for s := comp[i+1 : e]; s != ""; {
				r, n := decodeRune(s)
				stuff = append(stuff, r)
				s = s[n:]
			}
			flush()
			toks = append(toks, token{kind: tokClass, cls: parseClass(stuff)})
			i = e + 1
		default:
			_, n := decodeRune(comp[i:])
			litBuf = append(litBuf, comp[i:i+n]...)
			i += n
		}
	}
	flush()
	lit, isLit = singleName(toks)
	w = &wildcard{toks: toks}
	n := len(toks)
	if toks[0].kind == tokLit {
		w.head = toks[0].lit
	}
	if n > 1 && toks[n-1].kind == tokLit {
		w.tail = toks[n-1].lit
	}
	kinds := make([]tokKind, n)
	for i, t := range toks {
		kinds[i] = t.kind
	}
	switch {
	case n == 1 && kinds[0] == tokStar:
		w.shape = shapeAny
	case n == 2 && kinds[0] == tokStar && kinds[1] == tokLit:
		w.shape = shapeSuffix
	case n == 2 && kinds[0] == tokLit && kinds[1] == tokStar:
		w.shape = shapePrefix
	case n == 3 && kinds[0] == tokStar && kinds[1] == tokLit && kinds[2] == tokStar:
		w.shape = shapeContains
	case n == 3 && kinds[0] == tokLit && kinds[1] == tokStar && kinds[2] == tokLit:
		w.shape = shapeEnds
	}
	return w, lit, isLit, -1
}

// singleName reports the only name toks can match, when they can match just one
// (literals and one-member classes such as "[[]", the way glob.escape quotes).
func singleName(toks []token) (string, bool) {
	var b []byte
	for _, t := range toks {
		switch t.kind {
		case tokLit:
			b = append(b, t.lit...)
		case tokClass:
			r, ok := t.cls.single()
			if !ok {
				return "", false
			}
			b = appendRune(b, r)
		default:
			return "", false
		}
	}
	return string(b), true
}

// match reports whether the whole of name matches (fnmatch.fnmatchcase).
func (w *wildcard) match(name string) bool {
	switch w.shape {
	case shapeAny:
		return true
	case shapeSuffix:
		return strings.HasSuffix(name, w.tail)
	case shapePrefix:
		return strings.HasPrefix(name, w.head)
	case shapeContains:
		return strings.Contains(name, w.toks[1].lit)
	case shapeEnds:
		return len(name) >= len(w.head)+len(w.tail) &&
			strings.HasPrefix(name, w.head) && strings.HasSuffix(name, w.tail)
	}
	if !strings.HasPrefix(name, w.head) || !strings.HasSuffix(name, w.tail) {
		return false
	}
	return w.matchGeneral(name)
}

// matchGeneral is the classic wildcard loop: on a mismatch, let the most recent "*" swallow one
// more code point and retry from just after it. Earlier stars never need to be revisited.
func (w *wildcard) matchGeneral(name string) bool {
	toks := w.toks
	ti, si := 0, 0
	starTok, starPos := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starTok, starPos = ti, si
				ti++
				continue
			case tokLit:
				if strings.HasPrefix(name[si:], t.lit) {
					si += len(t.lit)
					ti++
					continue
				}
			case tokAny:
				if si < len(name) {
					_, n := decodeRune(name[si:])
					si += n
					ti++
					continue
				}
			case tokClass:
				if si < len(name) {
					r, n := decodeRune(name[si:])
					if t.cls.has(r) {
						si += n
						ti++
						continue
					}
				}
			}
		} else if si == len(name) {
			return true
		}
		if starTok < 0 || starPos >= len(name) {
			return false
		}
		_, n := decodeRune(name[starPos:])
		starPos += n
		si, ti = starPos, starTok+1
	}
}
