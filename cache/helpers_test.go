package cache

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// open opens a fresh store in a temp dir and closes it at the end of the test.
func open(t testing.TB, opt Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "state.db"), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// file is a synced file entry at path with a deterministic md5 and times.
func file(id, path string, n int) Entry {
	md5 := fmt.Sprintf("%032x", n+1)
	mt := time.Date(2024, 1, 2, 3, 4, 5, n%1000*1e6, time.UTC)
	return Entry{
		ID: id, Path: path, ParentID: "parent", Name: filepath.Base(path),
		MD5: md5, Size: int64(n), ModTime: mt, Version: int64(n + 7),
		Remote: RemoteBase{MD5: md5, Size: int64(n), ModTime: mt, Version: int64(n + 7)},
		Local:  LocalBase{Size: int64(n), ModTime: mt, Inode: uint64(n + 100), MD5: md5},
	}
}

func dir(id, path string) Entry {
	return Entry{ID: id, Path: path, ParentID: "parent", Name: filepath.Base(path), IsDir: true}
}

func mustPut(t testing.TB, s *Store, es ...Entry) {
	t.Helper()
	err := s.Update(func(tx *Tx) error {
		for _, e := range es {
			if err := tx.Put(e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// paths lists the paths Walk(prefix) visits.
func paths(t *testing.T, s *Store, prefix string) []string {
	t.Helper()
	var ps []string
	if err := s.Walk(prefix, func(e Entry) error { ps = append(ps, e.Path); return nil }); err != nil {
		t.Fatalf("Walk(%q): %v", prefix, err)
	}
	return ps
}

// sameEntry compares entries, times by instant.
func sameEntry(a, b Entry) bool {
	ta, tb := a.ModTime, b.ModTime
	ra, rb, la, lb := a.Remote.ModTime, b.Remote.ModTime, a.Local.ModTime, b.Local.ModTime
	a.ModTime, b.ModTime, a.Remote.ModTime, b.Remote.ModTime, a.Local.ModTime, b.Local.ModTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return a == b && ta.Equal(tb) && ra.Equal(rb) && la.Equal(lb)
}
