package cache

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// listingOf is the Listing that Walk's decoded entry implies.
func listingOf(e Entry) Listing {
	return Listing{Path: e.Path, Dir: e.IsDir, Local: e.Local != (LocalBase{}), Size: e.Size,
		ModTime: e.ModTime, MD5: e.MD5, ID: e.ID}
}

// checkListing fails unless WalkListing(prefix) visits exactly what Walk(prefix) derives, in
// the same order, for every prefix in prefixes ("" among them).
func checkListing(t *testing.T, s *Store, prefixes ...string) {
	t.Helper()
	for _, prefix := range append([]string{""}, prefixes...) {
		var want, got []Listing
		if err := s.Walk(prefix, func(e Entry) error { want = append(want, listingOf(e)); return nil }); err != nil {
			t.Fatalf("Walk(%q): %v", prefix, err)
		}
		err := s.WalkListing(prefix, func(l Listing) error {
			l.Path, l.MD5, l.ID = strings.Clone(l.Path), strings.Clone(l.MD5), strings.Clone(l.ID)
			got = append(got, l)
			return nil
		})
		if err != nil {
			t.Fatalf("WalkListing(%q): %v", prefix, err)
		}
		if len(got) != len(want) {
			t.Fatalf("WalkListing(%q): %d entries %+v; Walk: %d %+v", prefix, len(got), got, len(want), want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if !g.ModTime.Equal(w.ModTime) || g.ModTime.IsZero() != w.ModTime.IsZero() {
				t.Errorf("WalkListing(%q)[%d] mtime %v, Walk %v", prefix, i, g.ModTime, w.ModTime)
			}
			g.ModTime, w.ModTime = time.Time{}, time.Time{}
			if g != w {
				t.Errorf("WalkListing(%q)[%d] = %+v, Walk %+v", prefix, i, g, w)
			}
		}
	}
}

func TestListingFollowsPathIndex(t *testing.T) {
	odd := file("odd", "a/odd", 5)
	odd.MD5, odd.Local, odd.ModTime = "", LocalBase{}, time.Unix(-11e9, 7) // no md5, not local, 1621: outside unix nanos
	tests := []struct {
		name string
		ops  []func(tx *Tx) error
	}{
		{"puts", nil},
		{"put replaces", []func(tx *Tx) error{
			func(tx *Tx) error { e := file("az", "a/z", 99); e.Local = LocalBase{}; return tx.Put(e) },
			func(tx *Tx) error { return tx.Put(odd) },
		}},
		{"put moves a file", []func(tx *Tx) error{
			func(tx *Tx) error { return tx.Put(file("abc", "x/c", 1)) },
		}},
		{"delete", []func(tx *Tx) error{
			func(tx *Tx) error { return tx.Delete("az") },
			func(tx *Tx) error { return tx.Delete("unknown") },
		}},
		{"rename folder with children", []func(tx *Tx) error{
			func(tx *Tx) error { _, err := tx.MoveTree("a", "q"); return err },
			func(tx *Tx) error { return tx.Put(dir("a", "q")) },
		}},
		{"move folder into another and back", []func(tx *Tx) error{
			func(tx *Tx) error { _, err := tx.MoveTree("a/b", "x/b"); return err },
			func(tx *Tx) error { _, err := tx.MoveTree("x", "a/x"); return err },
			func(tx *Tx) error { _, err := tx.MoveTree("a/x/b", "a/b"); return err },
		}},
		{"move a prefix sibling", []func(tx *Tx) error{
			func(tx *Tx) error { _, err := tx.MoveTree("a", "a.d"); return err },
		}},
		{"delete tree", []func(tx *Tx) error{
			func(tx *Tx) error { _, err := tx.DeleteTree("a/b"); return err },
		}},
		{"delete all then put", []func(tx *Tx) error{
			func(tx *Tx) error { _, err := tx.DeleteTree("."); return err },
			func(tx *Tx) error { return tx.Put(dir("root", ".")) },
			func(tx *Tx) error { return tx.Put(file("n", "n", 4)) },
		}},
		{"root entry", []func(tx *Tx) error{
			func(tx *Tx) error { return tx.Put(dir("root", ".")) },
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := treeStore(t)
			for i, op := range tt.ops {
				if err := s.Update(op); err != nil {
					t.Fatalf("op %d: %v", i, err)
				}
			}
			checkListing(t, s, "a", "a/b", "x", "q", "a.txt", "nope")
		})
	}
}

// A failed Update leaves the listing index as the path index: both untouched.
func TestListingRollsBack(t *testing.T) {
	s := treeStore(t)
	err := s.Update(func(tx *Tx) error {
		if _, err := tx.MoveTree("a", "q"); err != nil {
			return err
		}
		return tx.Put(file("other", "x", 1)) // x is held by another ID
	})
	if err == nil {
		t.Fatal("Put over another ID's path succeeded")
	}
	checkListing(t, s, "a")
}

// A store written before the listing index existed gets it on Open.
func TestListingMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, dir("root", "."), dir("a", "a"), dir("ab", "a/b"), file("abc", "a/b/c", 1), file("az", "a/z", 2))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketListing) }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	if err := s.WalkListing("", func(Listing) error { n++; return nil }); err != nil || n != 5 {
		t.Fatalf("after migration WalkListing visits %d entries, %v; want 5", n, err)
	}
	checkListing(t, s, "a")
	// And it is kept up to date afterwards.
	if err := s.Update(func(tx *Tx) error { _, err := tx.MoveTree("a", "q"); return err }); err != nil {
		t.Fatal(err)
	}
	checkListing(t, s, "q")
}

// A migration that meets a broken entry fails Open rather than build half an index.
func TestListingMigrationBrokenEntry(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, file("f", "f", 1))
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketListing); err != nil {
			return err
		}
		return tx.Bucket(bucketByID).Put([]byte("f"), []byte("{"))
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open built a listing index over a broken entry")
	}
}

func FuzzListingDecode(f *testing.F) {
	for _, e := range []Entry{file("a", "x/y", 1), dir("d", "."), {ID: "min", Path: "m"}} {
		f.Add(encodeListing(e))
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 1, 'x'})
	f.Add([]byte{listMTime, 0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 'x'})
	f.Add([]byte{listMD5, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d listingDecoder
		var l Listing
		if err := d.decode(data, &l); err != nil {
			return
		}
		if l.ID == "" || l.Size < 0 || l.MD5 != "" && !isMD5(l.MD5) {
			t.Fatalf("decode accepted %x as %+v", data, l)
		}
		e := Entry{ID: l.ID, Path: "p", IsDir: l.Dir, Size: l.Size, ModTime: l.ModTime, MD5: l.MD5}
		if l.Local {
			e.Local.Inode = 1
		}
		var l2 Listing
		if err := d.decode(encodeListing(e), &l2); err != nil {
			t.Fatalf("re-decode of %+v: %v", e, err)
		}
		l2.Path = l.Path
		if !l2.ModTime.Equal(l.ModTime) {
			t.Fatalf("mtime %v, re-decoded %v", l.ModTime, l2.ModTime)
		}
		l.ModTime, l2.ModTime = time.Time{}, time.Time{}
		if l != l2 {
			t.Fatalf("decoded %+v, re-decoded %+v", l, l2)
		}
	})
}
