package glob

import (
	"slices"
	"unicode/utf8"
)

// This file reproduces how CPython 3.11's fnmatch.translate reads a "[...]" character class,
// including its quirks (a leading "]" is a member, "!" negates, "^" is literal, reversed
// ranges such as "z-a" are dropped by merging their neighbours, "[!z-a]" matches any
// character), and turns the result into a set that is tested without regular expressions.

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

// charClass is one compiled "[...]".
type charClass struct {
	negate bool
	ascii  [2]uint64   // membership of code points < 128, negation already applied
	ranges []runeRange // members (before negation), for code points >= 128
}

func (c *charClass) has(r rune) bool {
	if r < 128 {
		return c.ascii[r>>6]&(1<<(uint(r)&63)) != 0
	}
	for _, rg := range c.ranges {
		if rg.lo <= r && r <= rg.hi {
			return !c.negate
		}
	}
	return c.negate
}

// single reports the one code point the class matches, if it matches exactly one.
func (c *charClass) single() (rune, bool) {
	if c.negate || len(c.ranges) != 1 || c.ranges[0].lo != c.ranges[0].hi {
		return 0, false
	}
	return c.ranges[0].lo, true
}

// classEnd returns the index of the "]" closing the class that opens at pat[i] == '[', following
// Python's scan (an optional "!" then an optional "]" are skipped first), or -1 when there is
// none. Python reads such a "[" literally; this package rejects it (see doc.go). pat is one path
// component, or a whole pattern in which case the class may not cross a "/". All the bytes looked
// at are ASCII, so scanning bytes equals Python's scan of code points.
func classEnd(pat string, i int) int {
	j := i + 1
	if j < len(pat) && pat[j] == '!' {
		j++
	}
	if j < len(pat) && pat[j] == ']' {
		j++
	}
	for j < len(pat) && pat[j] != ']' && pat[j] != '/' {
		j++
	}
	if j >= len(pat) || pat[j] == '/' {
		return -1
	}
	return j
}

// parseClass compiles stuff, the code points strictly between "[" and its closing "]"
// (as found by classEnd), exactly as fnmatch.translate does.
func parseClass(stuff []rune) *charClass {
	var chunks [][]rune
	if !slices.Contains(stuff, '-') {
		chunks = [][]rune{stuff}
	} else {
		// Split at the hyphens that make ranges. The first character (after a "!") cannot start
		// a range's hyphen, and after "a-b" the next range hyphen is searched from two further on.
		i, n := 0, len(stuff)
		k := 1
		if stuff[0] == '!' {
			k = 2
		}
		for {
			k = indexRuneFrom(stuff, '-', k, n)
			if k < 0 {
				break
			}
			chunks = append(chunks, slices.Clone(stuff[i:k]))
			i = k + 1
			k += 3
		}
		if chunk := stuff[i:n]; len(chunk) > 0 {
			chunks = append(chunks, slices.Clone(chunk))
		} else {
			// A trailing hyphen is literal ("[a-]").
			chunks[len(chunks)-1] = append(chunks[len(chunks)-1], '-')
		}
		// Remove empty ranges (lo > hi): drop both ends and join the neighbours.
		for k := len(chunks) - 1; k > 0; k-- {
			a, b := chunks[k-1], chunks[k]
			if len(a) > 0 && len(b) > 0 && a[len(a)-1] > b[0] { // never empty; guard anyway
				chunks[k-1] = append(slices.Clone(a[:len(a)-1]), b[1:]...)
				chunks = slices.Delete(chunks, k, k+1)
			}
		}
	}
	// Python joins the chunks with "-" (each join is a range between the last character of one
	// chunk and the first of the next; every other character is literal) and reads a leading
	// "!" as negation. An empty result never matches, a lone "!" matches anything: both are
	// what an empty set and its negation do, so no special case is needed.
	c := &charClass{}
	if len(chunks[0]) > 0 && chunks[0][0] == '!' {
		c.negate = true
		chunks[0] = chunks[0][1:]
	}
	var ranges []runeRange
	for ci, ch := range chunks {
		start, end := 0, len(ch)
		if ci > 0 {
			switch prev := chunks[ci-1]; {
			case len(prev) > 0 && len(ch) > 0:
				ranges = append(ranges, runeRange{prev[len(prev)-1], ch[0]})
				start = 1
			case len(prev) == 0:
				// The first chunk was only the negating "!": Python's regex
				// reads "[^-x...]", where that "-" is a literal member and x
				// starts no range ("[1-0!-0]" is "[^-0]").
				ranges = append(ranges, runeRange{'-', '-'})
			}
		}
		if ci < len(chunks)-1 {
			end--
		}
		for s := start; s < end; s++ {
			ranges = append(ranges, runeRange{ch[s], ch[s]})
		}
	}
	c.ranges = normalizeRanges(ranges)
	for r := rune(0); r < 128; r++ {
		in := false
		for _, rg := range c.ranges {
			if rg.lo <= r && r <= rg.hi {
				in = true
				break
			}
		}
		if in != c.negate {
			c.ascii[r>>6] |= 1 << (uint(r) & 63)
		}
	}
	return c
}

// normalizeRanges sorts and merges overlapping or adjacent ranges.
func normalizeRanges(rs []runeRange) []runeRange {
	slices.SortFunc(rs, func(a, b runeRange) int { return int(a.lo) - int(b.lo) })
	var out []runeRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

func indexRuneFrom(s []rune, r rune, from, to int) int {
	for k := from; k < to; k++ {
		if s[k] == r {
			return k
		}
	}
	return -1
}

// decodeRune decodes the code point at the start of s the way Python sees file names on Linux:
// valid UTF-8 as itself, and every byte that is not part of valid UTF-8 as the lone surrogate
// U+DC80..U+DCFF (the "surrogateescape" error handler). s must not be empty.
func decodeRune(s string) (rune, int) {
	if c := s[0]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n == 1 {
		return 0xDC00 | rune(s[0]), 1
	}
	return r, n
}

// appendRune appends r encoded as decodeRune would read it back.
func appendRune(b []byte, r rune) []byte {
	if 0xDC80 <= r && r <= 0xDCFF {
		return append(b, byte(r&0xFF))
	}
	return utf8.AppendRune(b, r)
}
