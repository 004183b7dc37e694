package mount

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
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

// Sibling is one child of a Drive folder, as Dedupe needs it.
type Sibling struct {
	ID    string // Drive file ID; unique among siblings
	Name  string // Drive name, as listed
	IsDir bool   // folders get no extension split: "a.b (1a2b3c)"
}

// Options describe the local filesystem.
type Options struct {
	// CaseInsensitive makes names that differ only in case collide, as they
	// do on default APFS, NTFS and vfat. See DetectCaseInsensitive.
	CaseInsensitive bool
}

// Dedupe assigns distinct local names to the children of one Drive folder,
// returning file ID -> local name. Drive allows any number of siblings with
// the same name; locally one of them gets LocalName(Name) and the others
// "stem (<first 6 chars of ID>).ext", with more of the ID if 6 chars are not
// enough to be distinct.
//
// Stability: prev is the assignment from the last run (nil on the first).
// A sibling keeps its previous local name whenever that is still one of the
// names it could get (its Drive name did not change) and nobody earlier in
// ID order claims it too, so adding or removing a sibling never renames the
// others. Without prev (or for new siblings) the plain name goes to the
// lowest ID — deterministic, so two machines agree, though not "oldest",
// which Drive does not report cheaply for every listing.
//
// With opts.CaseInsensitive, names equal under Unicode simple case folding
// collide too. The result is deterministic for a given input set and prev,
// whatever the order of siblings.
func Dedupe(siblings []Sibling, prev map[string]string, opts Options) (map[string]string, error) {
	sorted := make([]Sibling, len(siblings))
	copy(sorted, siblings)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for i, s := range sorted {
		if s.ID == "" {
			return nil, fmt.Errorf("mount: dedupe: sibling %q has an empty ID", s.Name)
		}
		if i > 0 && sorted[i-1].ID == s.ID {
			return nil, fmt.Errorf("mount: dedupe: ID %q listed twice (%q, %q)", s.ID, sorted[i-1].Name, s.Name)
		}
	}
	key := func(n string) string { return n }
	if opts.CaseInsensitive {
		key = foldKey
	}
	taken := make(map[string]bool, len(sorted))
	out := make(map[string]string, len(sorted))
	claim := func(id, name string) bool {
		if taken[key(name)] {
			return false
		}
		taken[key(name)] = true
		out[id] = name
		return true
	}
	plain := make([]string, len(sorted))
	for i, s := range sorted {
		plain[i] = LocalName(s.Name)
	}
	// 1. Previous names that are still valid for the same Drive name.
	for i, s := range sorted {
		if p, ok := prev[s.ID]; ok && (p == plain[i] || isVariantOf(p, plain[i], s, len(sorted))) {
			claim(s.ID, p)
		}
	}
	// 2. Plain names, lowest ID first.
	for i, s := range sorted {
		if _, done := out[s.ID]; !done {
			claim(s.ID, plain[i])
		}
	}
	// 3. Disambiguated names for the rest.
	for i, s := range sorted {
		if _, done := out[s.ID]; done {
			continue
		}
		for n := 0; ; n++ {
			if claim(s.ID, variant(plain[i], s, n)) {
				break
			}
		}
	}
	return out, nil
}

// idTag is the ID made safe for a file name: Drive IDs are [A-Za-z0-9_-],
// anything else (from a hostile or fake server) becomes '_', and only the
// first 64 characters are used (real IDs are 28–44).
func idTag(id string) string {
	if len(id) > 64 {
		id = id[:64]
	}
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return '_'
	}, id)
}

// variant returns the n-th candidate disambiguated name for s (plain is
// LocalName(s.Name)): the ID tag is the first 6, 8, 10, … characters of the
// ID, then the whole ID, then the whole ID with "-2", "-3", … appended. Among
// k siblings one of the first k+1 candidates past the prefixes is free, so
// Dedupe always terminates.
func variant(plain string, s Sibling, n int) string {
	tag := idTag(s.ID)
	k := prefixCandidates(tag)
	switch {
	case n < k:
		tag = tag[:6+2*n]
	case n > k:
		tag = fmt.Sprintf("%s-%d", tag, n-k+1)
	}
	ins := " (" + tag + ")"
	ext := ""
	if !s.IsDir {
		ext = extension(plain)
	}
	stem := plain[:len(plain)-len(ext)]
	if over := len(stem) + len(ins) + len(ext) - MaxNameBytes; over > 0 {
		cut := max(len(stem)-over, 0)
		for cut > 0 && !utf8.RuneStart(stem[cut]) {
			cut--
		}
		stem = stem[:cut]
	}
	return stem + ins + ext
}

// prefixCandidates is how many proper prefixes (6, 8, 10, … chars) of tag
// variant tries before the whole tag.
func prefixCandidates(tag string) int {
	if len(tag) <= 6 {
		return 0
	}
	return (len(tag) - 6 + 1) / 2
}

// isVariantOf reports whether name is one of the disambiguated names Dedupe
// could give s among n siblings, which is enough to tell that the Drive name
// did not change since name was assigned.
func isVariantOf(name, plain string, s Sibling, n int) bool {
	k := prefixCandidates(idTag(s.ID))
	limit := k + 1
	if strings.Contains(name, idTag(s.ID)+"-") {
		limit = k + n + 1
	}
	for i := 0; i < limit; i++ {
		if name == variant(plain, s, i) {
			return true
		}
	}
	return false
}

// foldKey maps s to a key equal for strings equal under Unicode simple case
// folding (strings.EqualFold), the way case-insensitive filesystems compare.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		return min
	}, s)
}

// DetectCaseInsensitive probes whether the filesystem holding dir treats
// names case-insensitively: it creates a temporary lower-case file in dir,
// stats its upper-case twin and removes the file again.
func DetectCaseInsensitive(dir string) (bool, error) {
	f, err := os.CreateTemp(dir, ".drivesync-case-probe-*")
	if err != nil {
		return false, fmt.Errorf("mount: case probe in %q: %w", dir, err)
	}
	name := f.Name()
	defer os.Remove(name)
	if err := f.Close(); err != nil {
		return false, fmt.Errorf("mount: case probe in %q: %w", dir, err)
	}
	lower, err := os.Stat(name)
	if err != nil {
		return false, fmt.Errorf("mount: case probe in %q: %w", dir, err)
	}
	twin := filepath.Join(filepath.Dir(name), strings.ToUpper(filepath.Base(name)))
	upper, err := os.Stat(twin)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mount: case probe in %q: %w", dir, err)
	}
	return os.SameFile(lower, upper), nil
}

// ErrEscapesRoot is wrapped by SafeJoin's errors for paths that are absolute,
// climb out with "..", or pass through a symbolic link.
var ErrEscapesRoot = errors.New("path escapes the mount root")

// SafeJoin joins rel, a slash- or OS-separated path of local names, under
// root and returns the result, refusing anything that could land outside
// root: absolute paths, ".." climbing above root, NUL bytes, and any
// existing component that is a symbolic link (inside or outside pointing:
// the engine never follows links it did not make). Components that do not
// exist yet are fine. An empty rel is an error; "." is root itself.
//
// The existing components are examined through an os.Root opened on root, so
// the check itself cannot be redirected outside root by a link or a
// concurrent rename. The returned string is only as safe as the moment of the
// check; code that writes should do so through an os.Root as well.
func SafeJoin(root, rel string) (string, error) {
	if rel == "" {
		return "", fmt.Errorf("mount: empty path under %q", root)
	}
	if strings.IndexByte(rel, 0) >= 0 {
		return "", fmt.Errorf("mount: path %q under %q: contains NUL: %w", rel, root, ErrEscapesRoot)
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if !filepath.IsLocal(clean) {
		return "", fmt.Errorf("mount: path %q under %q: %w", rel, root, ErrEscapesRoot)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", fmt.Errorf("mount: path %q: open root: %w", rel, err)
	}
	defer r.Close()
	prefix := ""
	for _, part := range strings.Split(clean, string(filepath.Separator)) {
		if part == "." {
			continue
		}
		prefix = filepath.Join(prefix, part)
		fi, err := r.Lstat(prefix)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("mount: path %q under %q: %w", rel, root, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return "", fmt.Errorf("mount: path %q under %q: %q is a symbolic link: %w", rel, root, prefix, ErrEscapesRoot)
		}
		if !fi.IsDir() {
			break // a later component cannot exist under a file
		}
	}
	return filepath.Join(root, clean), nil
}
