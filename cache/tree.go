package cache

import (
	"fmt"
	"strings"
)

// subtree returns the entries at and below path, in path order.
func (t *Tx) subtree(path string) ([]Entry, error) {
	var es []Entry
	err := t.Walk(path, func(e Entry) error { es = append(es, e); return nil })
	return es, err
}

// DeleteTree forgets the entry at path and every entry below it, as when
// a folder is removed, and returns how many it forgot. Path "." empties
// the store of entries (the upload queue, sessions and tokens stay).
func (t *Tx) DeleteTree(path string) (int, error) {
	if path == "" || !ValidPath(path) {
		return 0, fmt.Errorf("cache: delete tree %q: not a clean slash-separated relative path", path)
	}
	es, err := t.subtree(path)
	if err != nil {
		return 0, fmt.Errorf("cache: delete tree %q: %w", path, err)
	}
	for _, e := range es {
		if err := t.Delete(e.ID); err != nil {
			return 0, err
		}
	}
	return len(es), nil
}

// MoveTree gives the entry at from and every entry below it the paths they
// have under to, as when a folder is renamed or moved; other fields are
// unchanged (update the moved folder's Name and ParentID with Put). No
// entry may already be at or below to (ErrPathInUse), and to may not be
// below from. It returns how many entries moved; none if from has none.
func (t *Tx) MoveTree(from, to string) (int, error) {
	fail := func(format string, a ...any) (int, error) {
		return 0, fmt.Errorf("cache: move %q to %q: "+format, append([]any{from, to}, a...)...)
	}
	switch {
	case from == "" || from == "." || !ValidPath(from), to == "" || to == "." || !ValidPath(to):
		return fail("not clean slash-separated relative paths below the root")
	case from == to:
		return 0, nil
	case strings.HasPrefix(to, from+"/"):
		return fail("a folder cannot move into itself")
	}
	var taken string
	err := t.Walk(to, func(e Entry) error { taken = e.Path + " (" + e.ID + ")"; return errStop })
	if err != nil && err != errStop {
		return 0, err
	}
	if taken != "" {
		return fail("%s is there: %w", taken, ErrPathInUse)
	}
	es, err := t.subtree(from)
	if err != nil {
		return fail("%w", err)
	}
	// Free every old path first, so a subtree moving over part of
	// itself cannot trip over its own entries.
	for _, e := range es {
		if err := t.unindex(pathKey(e.Path)); err != nil {
			return fail("%w", err)
		}
	}
	for _, e := range es {
		e.Path = to + strings.TrimPrefix(e.Path, from)
		if err := t.Put(e); err != nil {
			return 0, err
		}
	}
	return len(es), nil
}

// errStop ends a Walk early.
var errStop = fmt.Errorf("stop")
