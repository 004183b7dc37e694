package cache

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Tx is one transaction of Store.Update or Store.View. Changes made
// through it are seen by its own later reads at once and by everyone else
// when it commits. Write methods on a View's Tx return an error.
type Tx struct{ tx *bolt.Tx }

// Version identifies the committed state the transaction sees: bbolt's
// transaction ID, which every committed Update changes (and nothing else
// does). A reader that derived something from an earlier View with the
// same Version knows it is still current.
func (t *Tx) Version() int { return t.tx.ID() }

// pathKey orders paths depth-first: '/' becomes NUL, which sorts before
// every byte a name may hold, so a directory's subtree is one contiguous
// key range right after the directory ("a", "a/b", "a/c", "a.txt"). The
// root "." is the single key NUL, first of all.
func pathKey(p string) []byte {
	if p == "." {
		return []byte{0}
	}
	return []byte(strings.ReplaceAll(p, "/", "\x00"))
}

func keyPath(k []byte) string {
	if len(k) == 1 && k[0] == 0 {
		return "."
	}
	return string(bytes.ReplaceAll(k, []byte{0}, []byte("/")))
}

// Put stores e under its ID and its Path (path and listing indexes), replacing what was stored under
// the ID (an entry whose Path changed is moved). The Path must not be held
// by another ID (ErrPathInUse): delete or move that one first, in the same
// transaction if need be. Changing a folder's Path does not move the
// entries below it: MoveTree does.
func (t *Tx) Put(e Entry) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("cache: put %q: %w", e.ID, err)
	}
	byID, byPath := t.tx.Bucket(bucketByID), t.tx.Bucket(bucketByPath)
	pk := pathKey(e.Path)
	if holder := byPath.Get(pk); holder != nil && string(holder) != e.ID {
		return fmt.Errorf("cache: put %s at %q: held by %s: %w", e.ID, e.Path, holder, ErrPathInUse)
	}
	if old := byID.Get([]byte(e.ID)); old != nil {
		prev, err := decodeEntry(old)
		if err != nil {
			return fmt.Errorf("cache: put %s: stored entry: %w", e.ID, err)
		}
		if prev.Path != e.Path {
			if err := t.unindex(pathKey(prev.Path)); err != nil {
				return fmt.Errorf("cache: put %s: %w", e.ID, err)
			}
		}
	}
	data, err := encodeEntry(e)
	if err != nil {
		return fmt.Errorf("cache: put %s: %w", e.ID, err)
	}
	if err := byID.Put([]byte(e.ID), data); err != nil {
		return fmt.Errorf("cache: put %s: %w", e.ID, err)
	}
	if err := t.index(pk, e); err != nil {
		return fmt.Errorf("cache: put %s at %q: %w", e.ID, e.Path, err)
	}
	return nil
}

// Delete forgets the entry of id, under its ID and its Path. Deleting an
// unknown ID is not an error. It does not touch entries below a folder's
// path: the caller deletes those it means to (see Walk).
func (t *Tx) Delete(id string) error {
	byID := t.tx.Bucket(bucketByID)
	raw := byID.Get([]byte(id))
	if raw == nil {
		return nil
	}
	e, err := decodeEntry(raw)
	if err != nil {
		return fmt.Errorf("cache: delete %s: stored entry: %w", id, err)
	}
	byPath := t.tx.Bucket(bucketByPath)
	pk := pathKey(e.Path)
	if string(byPath.Get(pk)) == id {
		if err := t.unindex(pk); err != nil {
			return fmt.Errorf("cache: delete %s: %w", id, err)
		}
	}
	if err := byID.Delete([]byte(id)); err != nil {
		return fmt.Errorf("cache: delete %s: %w", id, err)
	}
	return nil
}

// ByID returns the entry of a Drive ID, or ErrNotFound.
func (t *Tx) ByID(id string) (Entry, error) {
	raw := t.tx.Bucket(bucketByID).Get([]byte(id))
	if raw == nil {
		return Entry{}, fmt.Errorf("cache: entry %s: %w", id, ErrNotFound)
	}
	e, err := decodeEntry(raw)
	if err != nil {
		return Entry{}, fmt.Errorf("cache: entry %s: %w", id, err)
	}
	return e, nil
}

// ByPath returns the entry at a local path, or ErrNotFound.
func (t *Tx) ByPath(path string) (Entry, error) {
	id := t.tx.Bucket(bucketByPath).Get(pathKey(path))
	if id == nil {
		return Entry{}, fmt.Errorf("cache: entry at %q: %w", path, ErrNotFound)
	}
	e, err := t.ByID(string(id))
	if errors.Is(err, ErrNotFound) {
		return Entry{}, fmt.Errorf("cache: path %q names missing entry %s", path, id)
	}
	return e, err
}

// Walk calls fn for the entry at prefix (if any) and every entry below it,
// depth-first: a folder, then its contents, siblings in byte order of
// their names. Prefix "" or "." walks everything. An error from fn stops
// the walk and is returned. fn must not change the store through t.
func (t *Tx) Walk(prefix string, fn func(Entry) error) error {
	byID := t.tx.Bucket(bucketByID)
	return t.WalkPaths(prefix, func(path, id string) error {
		raw := byID.Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("cache: walk: path %q names missing entry %s", path, id)
		}
		e, err := decodeEntry(raw)
		if err != nil {
			return fmt.Errorf("cache: walk: entry %s: %w", id, err)
		}
		return fn(e)
	})
}

// WalkPaths is Walk without decoding entries: it calls fn with each path
// and Drive ID, in the same order, for callers (an index of names, a scan
// for missing files) that need nothing else.
func (t *Tx) WalkPaths(prefix string, fn func(path, id string) error) error {
	if prefix != "" && prefix != "." && !ValidPath(prefix) {
		return fmt.Errorf("cache: walk %q: not a clean slash-separated relative path", prefix)
	}
	var start, sub []byte
	if prefix != "" && prefix != "." {
		start = pathKey(prefix)
		sub = append(pathKey(prefix), 0)
	}
	c := t.tx.Bucket(bucketByPath).Cursor()
	for k, id := c.Seek(start); k != nil; k, id = c.Next() {
		if start != nil && !bytes.Equal(k, start) && !bytes.HasPrefix(k, sub) {
			break
		}
		if err := fn(keyPath(k), string(id)); err != nil {
			return err
		}
	}
	return nil
}

// Len is the number of entries.
func (t *Tx) Len() int { return t.tx.Bucket(bucketByID).Stats().KeyN }

func tokenKey(driveID string) []byte { return []byte("pageToken:" + driveID) }

// PageToken returns the saved changes page token of driveID ("" for My
// Drive), or "" if none is saved.
func (t *Tx) PageToken(driveID string) string {
	return string(t.tx.Bucket(bucketMeta).Get(tokenKey(driveID)))
}

// SetPageToken saves the changes page token of driveID; "" forgets it.
func (t *Tx) SetPageToken(driveID, token string) error {
	meta := t.tx.Bucket(bucketMeta)
	var err error
	if token == "" {
		err = meta.Delete(tokenKey(driveID))
	} else {
		err = meta.Put(tokenKey(driveID), []byte(token))
	}
	if err != nil {
		return fmt.Errorf("cache: page token of drive %q: %w", driveID, err)
	}
	return nil
}
