package glob

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Entry is one mirrored file or folder as the index knows it.
type Entry struct {
	// Path is the entry's location under the mount root exactly as it appears on disk (names
	// already mapped: "photo (1).jpg", "a／b"), slash-separated, with no leading or trailing
	// slash and no empty, "." or ".." components.
	Path    string
	Dir     bool      // a folder
	Size    int64     // bytes; 0 for folders
	ModTime time.Time // Drive's modifiedTime
	// Opaque to glob, carried through to results for the caller (e.g. --json output).
	ID, MD5, State string
}

// Index is everything glob needs from a state store.
//
// Walk calls fn for every entry whose Path is dir itself or lies below it (Path has the prefix
// dir+"/"); dir == "" means every entry. dir is always a literal, clean path: the leading
// wildcard-free directories of a pattern, so a store keyed by path answers "my_data/images/*.jpg"
// by scanning only the my_data/images range. Walk stops early when fn returns false and returns
// only the store's own error.
//
// The contract is deliberately loose so that any store can satisfy it cheaply:
//   - Walk may visit extra entries (a store without a prefix index may ignore dir); glob filters.
//   - The visit order is free. Visiting in byte-wise Path order lets glob skip its final sort.
//   - The *Entry handed to fn is only valid during the call: a store may decode every entry into
//     one reused Entry. glob copies the entries it keeps and allocates nothing for the others.
//   - Each entry must be visited at most once per call.
type Index interface {
	Walk(dir string, fn func(e *Entry) bool) error
}

// MemIndex is an Index over an in-memory, path-sorted slice: for tests, benchmarks, small
// tools, and as the reference a real store can be compared with.
type MemIndex struct {
	entries []Entry // sorted by Path, unique
}

// NewMemIndex copies entries into a new MemIndex. It rejects malformed and duplicate paths.
func NewMemIndex(entries []Entry) (*MemIndex, error) {
	es := slices.Clone(entries)
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Path, b.Path) })
	for i := range es {
		if err := CheckPath(es[i].Path); err != nil {
			return nil, err
		}
		if i > 0 && es[i].Path == es[i-1].Path {
			return nil, fmt.Errorf("glob: index: duplicate entry %q", es[i].Path)
		}
	}
	return &MemIndex{entries: es}, nil
}

// CheckPath reports whether p has the form Entry.Path requires.
func CheckPath(p string) error {
	if p == "" {
		return fmt.Errorf("glob: index: empty entry path")
	}
	for _, c := range strings.Split(p, "/") {
		switch c {
		case "", ".", "..":
			return fmt.Errorf("glob: index: entry path %q: bad component %q", p, c)
		}
	}
	return nil
}

// PathOrdered implements PathOrdered: Walk visits in Path order.
func (x *MemIndex) PathOrdered() bool { return true }

// Len returns the number of entries.
func (x *MemIndex) Len() int { return len(x.entries) }

// Walk implements Index in Path order, using binary search to find dir's range.
func (x *MemIndex) Walk(dir string, fn func(e *Entry) bool) error {
	es := x.entries
	if dir == "" {
		for i := range es {
			if !fn(&es[i]) {
				return nil
			}
		}
		return nil
	}
	if i, ok := slices.BinarySearchFunc(es, dir, cmpEntryPath); ok && !fn(&es[i]) {
		return nil
	}
	// Everything below dir sorts contiguously from dir+"/" on.
	sub := dir + "/"
	i, _ := slices.BinarySearchFunc(es, sub, cmpEntryPath)
	for ; i < len(es) && strings.HasPrefix(es[i].Path, sub); i++ {
		if !fn(&es[i]) {
			return nil
		}
	}
	return nil
}

func cmpEntryPath(e Entry, p string) int { return strings.Compare(e.Path, p) }
