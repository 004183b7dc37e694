package cache

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// written makes a closed store at a temp path holding es.
func written(t *testing.T, id Identity, es ...Entry) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{Identity: id})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, es...)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadOnlyOpen(t *testing.T) {
	id := Identity{Account: "a@example.com", RootID: "root1"}
	path := written(t, id, dir("root", "."), dir("a", "a"), file("ab", "a/b", 1), file("c", "c", 2))
	ro := Options{ReadOnly: true, LockTimeout: 20 * time.Millisecond}
	r1, err := Open(path, ro)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, ro) // readers share the file
	if err != nil {
		t.Fatalf("second read-only Open: %v", err)
	}
	if r1.Identity() != id {
		t.Errorf("Identity = %+v, want %+v", r1.Identity(), id)
	}
	var got []string
	if err := r1.WalkListing("", func(l Listing) error { got = append(got, strings.Clone(l.Path)); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{".", "a", "a/b", "c"}; !slices.Equal(got, want) {
		t.Errorf("WalkListing = %q, want %q", got, want)
	}
	if err := r1.Put(file("d", "d", 3)); !errors.Is(err, bolt.ErrDatabaseReadOnly) {
		t.Errorf("Put on a read-only store = %v, want ErrDatabaseReadOnly", err)
	}
	if _, err := Open(path, Options{LockTimeout: 20 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Errorf("read-write Open beside readers = %v, want ErrLocked", err)
	}
	r2.Close()
	if err := r1.Close(); err != nil {
		t.Fatal(err)
	}
	w, err := Open(path, Options{LockTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatalf("read-write Open after the readers closed: %v", err)
	}
	w.Close()
}

func TestReadOnlyOpenRefuses(t *testing.T) {
	id := Identity{Account: "a@example.com", RootID: "root1"}
	path := written(t, id, dir("root", "."))
	tests := []struct {
		name string
		path string
		opt  Options
		want error // matched with errors.Is; nil: any error
	}{
		{"missing file", filepath.Join(t.TempDir(), "none.db"), Options{ReadOnly: true}, nil},
		{"other mount", path, Options{ReadOnly: true, Identity: Identity{RootID: "root2"}}, ErrOtherRemote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.path, tt.opt)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Open = %v, want %v", err, tt.want)
			}
		})
	}
}

// A read-only Open of a store without the listing index builds it first.
func TestReadOnlyOpenMigrates(t *testing.T) {
	path := written(t, Identity{}, dir("root", "."), dir("a", "a"), file("ab", "a/b", 1))
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketListing) }); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkListing(t, s, "a")
}

// Version changes with every committed Update and with nothing else.
func TestVersion(t *testing.T) {
	s := open(t, Options{})
	version := func() (v int) {
		t.Helper()
		if err := s.View(func(tx *Tx) error { v = tx.Version(); return nil }); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	if v := version(); v != v0 {
		t.Errorf("Version moved from %d to %d without a write", v0, v)
	}
	mustPut(t, s, dir("root", "."))
	v1 := version()
	if v1 == v0 {
		t.Errorf("Version stayed %d across a Put", v0)
	}
	if err := s.Update(func(tx *Tx) error { return errors.New("roll back") }); err == nil {
		t.Fatal("Update returned nil")
	}
	if v := version(); v != v1 {
		t.Errorf("Version moved from %d to %d across a rolled-back Update", v1, v)
	}
}

// Opening a complete store writes nothing: its Version stays.
func TestOpenCommitsNothingWhenReady(t *testing.T) {
	id := Identity{Account: "a@example.com", RootID: "root1"}
	path := written(t, id, dir("root", "."), file("f", "f", 1))
	version := func(opt Options) (v int) {
		t.Helper()
		s, err := Open(path, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if s.Identity() != id {
			t.Errorf("Identity = %+v, want %+v", s.Identity(), id)
		}
		if err := s.View(func(tx *Tx) error { v = tx.Version(); return nil }); err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version(Options{ReadOnly: true})
	for _, opt := range []Options{{}, {Identity: id}, {ReadOnly: true}} {
		if v := version(opt); v != v0 {
			t.Errorf("Open(%+v) moved the Version from %d to %d", opt, v0, v)
		}
	}
}
