package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text matching for name, mimeType and fullText. Nothing here allocates:
// these run once per file per term.

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// foldEq reports whether two runes are equal under Unicode simple folding.
func foldEq(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	r := unicode.SimpleFold(a)
	for r != a && r != b {
		r = unicode.SimpleFold(r)
	}
	return r == b
}

// hasPrefixFold reports whether s starts with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !foldEq(pr, sr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

// containsFold reports whether sub occurs in s, ignoring case.
func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	for i := range s {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// isWord reports whether r belongs to a word: a letter or a digit.
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// wordPrefixFold implements name contains: v, ignoring case, starts at a
// word start of name. A word start is the beginning of name, a word rune
// after a non-word rune, or any non-word rune.
func wordPrefixFold(name, v string) bool {
	prevWord := false
	for i, r := range name {
		w := isWord(r)
		if (!prevWord || !w) && hasPrefixFold(name[i:], v) {
			return true
		}
		prevWord = w
	}
	return v == ""
}

// nextToken returns the bounds of the first token (maximal run of word runes)
// of s at or after byte offset from, or start < 0 if there is none.
func nextToken(s string, from int) (start, end int) {
	start = -1
	for i, r := range s[from:] {
		w := isWord(r)
		switch {
		case w && start < 0:
			start = from + i
		case !w && start >= 0:
			return start, from + i
		}
	}
	if start < 0 {
		return -1, len(s)
	}
	return start, len(s)
}

// hasToken reports whether tok is one of the tokens of s, ignoring case.
func hasToken(s, tok string) bool {
	for st, en := nextToken(s, 0); st >= 0; st, en = nextToken(s, en) {
		if equalFold(s[st:en], tok) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether toks occur as consecutive tokens of s.
func hasPhrase(s string, toks []string) bool {
	for st, en := nextToken(s, 0); st >= 0; st, en = nextToken(s, en) {
		if !equalFold(s[st:en], toks[0]) {
			continue
		}
		j, e := 1, en
		for ; j < len(toks); j++ {
			s2, e2 := nextToken(s, e)
			if s2 < 0 || !equalFold(s[s2:e2], toks[j]) {
				break
			}
			e = e2
		}
		if j == len(toks) {
			return true
		}
	}
	return false
}

// tokenize splits a fullText value into its tokens and reports whether it
// is a double-quoted phrase. It runs at parse time and may allocate.
func tokenize(v string) (toks []string, phrase bool) {
	t := strings.TrimSpace(v)
	if len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		phrase, t = true, t[1:len(t)-1]
	}
	for st, en := nextToken(t, 0); st >= 0; st, en = nextToken(t, en) {
		toks = append(toks, t[st:en])
	}
	return toks, phrase
}
