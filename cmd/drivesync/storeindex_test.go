package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/glob"
)

// indexStore is a store whose paths put siblings that sort before "/" (".",
// "-", " ") next to folders of the same prefix, where depth-first order and
// byte-wise order differ.
func indexStore(t *testing.T) *cache.Store {
	t.Helper()
	st, err := cache.Open(filepath.Join(t.TempDir(), "state.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mt := time.Date(2026, 1, 1, 0, 0, 0, 5, time.UTC)
	local := cache.LocalBase{Size: 1, ModTime: mt, MD5: strings.Repeat("a", 32)}
	es := []cache.Entry{{ID: "r", Path: ".", IsDir: true}}
	for i, p := range []string{"a", "a/b", "a/b/c", "a.d", "a-e", "a b", "ab", "z", "z/y"} {
		e := cache.Entry{ID: fmt.Sprintf("id%d", i), Path: p, Name: filepath.Base(p), ParentID: "r", IsDir: !strings.Contains(p, ".") && len(p) == 1}
		if !e.IsDir {
			e.Size, e.ModTime, e.MD5 = int64(i), mt.Add(time.Duration(i)*time.Hour), fmt.Sprintf("%032x", i)
			if i%2 == 0 {
				e.Local = local
			}
		}
		es = append(es, e)
	}
	for _, e := range es {
		if err := st.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// checkPathOrderedWalk checks that ix.Walk(dir) visits in path order what
// the store's walk visits (in its depth-first order): every field, or with
// pathsOnly the path, folder bit and state.
func checkPathOrderedWalk(t *testing.T, ix, store glob.Index, dir string, pathsOnly bool) {
	t.Helper()
	got, want := walked(t, ix, dir, pathsOnly), walked(t, store, dir, pathsOnly)
	if !slices.IsSorted(got) {
		t.Errorf("Walk(%q) not in path order: %q", dir, got)
	}
	if slices.Sort(want); !slices.Equal(got, want) {
		t.Errorf("Walk(%q):\n got   %q\n store %q", dir, got, want)
	}
}

// walked lists what ix.Walk(dir) visits, every field (after the path and a
// NUL, so that the lines sort as their paths).
func walked(t *testing.T, ix glob.Index, dir string, pathsOnly bool) []string {
	t.Helper()
	var out []string
	err := ix.Walk(dir, func(e *glob.Entry) bool {
		if pathsOnly {
			out = append(out, fmt.Sprintf("%s\x00dir=%v %s", e.Path, e.Dir, e.State))
		} else {
			out = append(out, fmt.Sprintf("%s\x00dir=%v size=%d mtime=%s id=%s md5=%s %s", e.Path, e.Dir, e.Size, e.ModTime.Format(time.RFC3339Nano), e.ID, e.MD5, e.State))
		}
		return true
	})
	if err != nil {
		t.Fatalf("Walk(%q): %v", dir, err)
	}
	return out
}

// The in-memory index visits the paths, folder bits and states the store's
// walk visits, in path order, for any folder.
func TestMemIndexWalksLikeStore(t *testing.T) {
	st := indexStore(t)
	var m *memIndex
	if err := st.View(func(tx *cache.Tx) (err error) { m, err = buildMemIndex(tx); return err }); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", "a", "a/b", "a/b/c", "a.d", "ab", "z", "nothing", "a/nothing"} {
		checkPathOrderedWalk(t, m, storeIndex{st}, dir, true)
	}
	n := 0
	_ = storeIndex{st}.Walk("", func(e *glob.Entry) bool {
		if !e.Dir && e.State == stateRemote {
			n++
		}
		return true
	})
	if m.RemoteFiles() != n || n == 0 {
		t.Errorf("RemoteFiles = %d, the store has %d", m.RemoteFiles(), n)
	}
	for _, pat := range []string{"**", "a/**", "a*", "*/*", "a/b/", "z/*"} {
		q := glob.Query{Patterns: []string{pat}}
		want, err := q.Names(context.Background(), storeIndex{st})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := q.Names(context.Background(), m); err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: in memory %q, %v; store %q", pat, got, err, want)
		}
	}
}

// The daemon's index is kept while the store does not change, and rebuilt
// on the first query after a commit.
func TestLiveIndexFollowsStore(t *testing.T) {
	st := indexStore(t)
	l := &liveIndex{st: st}
	first, err := l.Current()
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := l.Current(); again != first {
		t.Error("index rebuilt without a change to the store")
	}
	if err := st.Put(cache.Entry{ID: "new", Path: "new.jpg", Name: "new.jpg", ParentID: "r", Size: 1, MD5: strings.Repeat("b", 32)}); err != nil {
		t.Fatal(err)
	}
	now, err := l.Current()
	if err != nil {
		t.Fatal(err)
	}
	if now == first {
		t.Fatal("index not rebuilt after a commit")
	}
	names, err := glob.Query{Patterns: []string{"*.jpg"}}.Names(context.Background(), now)
	if err != nil || !slices.Equal(names, []string{"new.jpg"}) {
		t.Errorf("after the commit: %q, %v", names, err)
	}
}
