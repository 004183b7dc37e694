package mount

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameBytes is the longest local name LocalName and Dedupe produce: the
// per-component limit of ext4, APFS, NTFS (in UTF-16 units, which a 255-byte
// UTF-8 name never exceeds) and most other filesystems.
const MaxNameBytes = 255

// The escape alphabet. Every rune here is "special": when it occurs literally
// in a Drive name it is written with the quote rune in front of it, so that
// DriveName can tell a replacement from a literal.
const (
	quote    = '‛' // U+201B: prefix of escapes and of invalid-byte codes
	slashRep = '／' // U+FF0F FULLWIDTH SOLIDUS for '/'
	dotRep   = '．' // U+FF0E FULLWIDTH FULL STOP for the names "." and ".."
	ctlBase  = 0x2400
	delRep   = '␡' // U+2421 SYMBOL FOR DELETE for 0x7F
)

// isSpecial reports whether r has a meaning after a quote rune.
func isSpecial(r rune) bool {
	return r == quote || r == slashRep || r == dotRep || r == delRep ||
		(r >= ctlBase && r < ctlBase+0x20)
}

// isHexHigh reports whether s starts with the two upper-case hex digits of a
// byte >= 0x80, the form LocalName uses for bytes that are not valid UTF-8.
func isHexHigh(s string) bool {
	return len(s) >= 2 && strings.IndexByte("89ABCDEF", s[0]) >= 0 &&
		strings.IndexByte("0123456789ABCDEF", s[1]) >= 0
}

// LocalName maps a Drive name to a name that is valid as one component of a
// local path: non-empty, valid UTF-8, no '/' or NUL, not "." or "..", and at
// most MaxNameBytes bytes. It is pure and deterministic.
//
// The mapping, in the style of rclone's lib/encoder:
//
//	'/'                 -> '／' (U+FF0F)
//	control 0x00-0x1F   -> U+2400-U+241F ('␀', '␁', ...)
//	DEL 0x7F            -> '␡' (U+2421)
//	"." / ".."          -> "．" / "．．" (U+FF0E; whole name only)
//	""                  -> "‛"
//	byte not UTF-8      -> '‛' + two upper-case hex digits ("‛BF")
//	literal replacement -> '‛' + the replacement ("a／b" -> "a‛／b")
//	literal '‛'         -> "‛‛" only where it would otherwise read as an
//	                       escape (before a special rune or "8F"-style hex);
//	                       elsewhere it is kept as is
//
// Escaping only where needed keeps ordinary names (including ones that
// contain '‛' or '．') unchanged, so LocalName(DriveName(l)) == l for local
// names a user types.
//
// If the mapped name is longer than MaxNameBytes it is cut at an escape
// boundary and given the suffix "~" + 8 hex digits of the SHA-256 of the
// Drive name, keeping a short extension: "very long….pdf" -> "very l~1a2b3c4d.pdf".
// Such names cannot be inverted by DriveName; the caller keeps the Drive
// name in its index, keyed by file ID. Drive names of up to 51 bytes are
// never shortened (the worst case, a byte that is not UTF-8, takes 5: "‛BF").
func LocalName(driveName string) string {
	name, _ := localName(driveName)
	return name
}

// localName is LocalName that also reports whether the name was shortened
// (and so cannot be inverted by DriveName).
func localName(driveName string) (string, bool) {
	switch driveName {
	case "":
		return string(quote), false
	case ".":
		return string(dotRep), false
	case "..":
		return string([]rune{dotRep, dotRep}), false
	case string(quote):
		return string([]rune{quote, quote}), false
	case string(dotRep), string([]rune{dotRep, dotRep}):
		return string(quote) + driveName, false
	}
	if len(driveName) <= MaxNameBytes && plainName(driveName) {
		return driveName, false
	}
	// Encode into tokens first: whether a literal quote needs escaping
	// depends on what the next token starts with, and truncation must cut
	// between tokens, never inside an escape.
	var toks []string
	var isQuote []bool
	for i := 0; i < len(driveName); {
		r, size := utf8.DecodeRuneInString(driveName[i:])
		var tok string
		switch {
		case r == utf8.RuneError && size == 1:
			tok = fmt.Sprintf("%c%02X", quote, driveName[i])
		case r == '/':
			tok = string(slashRep)
		case r < 0x20:
			tok = string(rune(ctlBase + r))
		case r == 0x7F:
			tok = string(delRep)
		case r == quote:
			tok = string(quote)
		case isSpecial(r) && r != dotRep:
			tok = string(quote) + string(r)
		default:
			tok = driveName[i : i+size]
		}
		toks = append(toks, tok)
		isQuote = append(isQuote, r == quote)
		i += size
	}
	var b strings.Builder
	ends := make([]int, len(toks)) // byte offset after each token
	for i, tok := range toks {
		if isQuote[i] && i+1 < len(toks) {
			next := toks[i+1]
			if i+2 < len(toks) {
				next += toks[i+2]
			}
			if r, _ := utf8.DecodeRuneInString(next); isSpecial(r) || isHexHigh(next) {
				b.WriteRune(quote)
			}
		}
		b.WriteString(tok)
		ends[i] = b.Len()
	}
	out := b.String()
	if len(out) <= MaxNameBytes {
		return out, false
	}
	sum := sha256.Sum256([]byte(driveName))
	suffix := "~" + hex.EncodeToString(sum[:4])
	ext := extension(out)
	limit := MaxNameBytes - len(suffix) - len(ext)
	cut := 0
	for _, e := range ends {
		if e > limit {
			break
		}
		cut = e
	}
	return out[:cut] + suffix + ext, true
}

// plainName reports whether s maps to itself: valid UTF-8 with no byte or
// rune the mapping rewrites or escapes (the common case, kept allocation-free).
func plainName(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == '/' || r == 0x7F || r == utf8.RuneError || isSpecial(r) {
			return false
		}
	}
	return true
}

// extension returns the ".ext" part of name worth keeping when the name is
// shortened or disambiguated: after the last dot, 1 to 16 bytes, no spaces,
// not the whole name (".bashrc" has no extension). Longer ones are treated as
// part of the stem.
func extension(name string) string {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 || dot == len(name)-1 {
		return ""
	}
	ext := name[dot:]
	if len(ext) > 17 || strings.ContainsAny(ext, " ") {
		return ""
	}
	return ext
}

// DriveName is the inverse of LocalName: DriveName(LocalName(d)) == d for
// every Drive name d whose mapping was not shortened (see LocalName). It also
// gives the Drive name for a file created locally: "a／b" becomes "a/b", and
// names without replacement runes or '‛' are returned unchanged. Names shortened by
// LocalName and the "name (1a2b3c).ext" forms chosen by Dedupe are not
// inverted — the Drive name for those comes from the caller's index.
func DriveName(localName string) string {
	switch localName {
	case string(quote):
		return ""
	case string(dotRep):
		return "."
	case string([]rune{dotRep, dotRep}):
		return ".."
	}
	if strings.IndexFunc(localName, func(r rune) bool {
		return r == utf8.RuneError || isSpecial(r)
	}) < 0 {
		return localName
	}
	var b strings.Builder
	for i := 0; i < len(localName); {
		r, size := utf8.DecodeRuneInString(localName[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteByte(localName[i]) // keep bytes a local FS allowed
			i++
			continue
		}
		i += size
		switch {
		case r == quote:
			rest := localName[i:]
			if nr, nsize := utf8.DecodeRuneInString(rest); isSpecial(nr) {
				b.WriteRune(nr)
				i += nsize
			} else if isHexHigh(rest) {
				v, _ := hex.DecodeString(rest[:2])
				b.Write(v)
				i += 2
			} else {
				b.WriteRune(quote)
			}
		case r == slashRep:
			b.WriteByte('/')
		case r >= ctlBase && r < ctlBase+0x20:
			b.WriteByte(byte(r - ctlBase))
		case r == delRep:
			b.WriteByte(0x7F)
		default:
			b.WriteRune(r) // includes '．' outside the whole names "．", "．．"
		}
	}
	return b.String()
}
