package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

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
