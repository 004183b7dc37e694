package cache

import (
	"errors"
	"slices"
	"testing"
)

func TestPutGetDelete(t *testing.T) {
	s := open(t, Options{})
	a := file("idA", "docs/a.txt", 3)
	mustPut(t, s, dir("idD", "docs"), a)

	if got, err := s.ByID("idA"); err != nil || !sameEntry(got, a) {
		t.Fatalf("ByID = %+v, %v; want %+v", got, err, a)
	}
	if got, err := s.ByPath("docs/a.txt"); err != nil || got.ID != "idA" {
		t.Fatalf("ByPath = %+v, %v", got, err)
	}
	// Moving: the old path is freed, the new one answers.
	a.Path = "docs/b.txt"
	if err := s.Put(a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ByPath("docs/a.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old path after move: %v, want ErrNotFound", err)
	}
	if got, err := s.ByPath("docs/b.txt"); err != nil || got.ID != "idA" {
		t.Errorf("new path after move = %+v, %v", got, err)
	}
	if n, _ := s.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	if err := s.Delete("idA"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("idA"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	for _, err := range []error{errOf(s.ByID("idA")), errOf(s.ByPath("docs/b.txt"))} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("after Delete: %v, want ErrNotFound", err)
		}
	}
	if n, _ := s.Len(); n != 1 {
		t.Errorf("Len = %d, want 1", n)
	}
}

func errOf(_ Entry, err error) error { return err }

func TestPutRejects(t *testing.T) {
	s := open(t, Options{})
	mustPut(t, s, file("held", "x", 1))
	tests := []struct {
		name string
		e    Entry
		is   error
	}{
		{"empty ID", file("", "a", 1), nil},
		{"absolute path", file("i", "/a", 1), nil},
		{"dot-dot", file("i", "a/../b", 1), nil},
		{"trailing slash", file("i", "a/", 1), nil},
		{"empty path", file("i", "", 1), nil},
		{"NUL in path", file("i", "a\x00b", 1), nil},
		{"negative size", func() Entry { e := file("i", "a", 1); e.Size = -1; return e }(), nil},
		{"bad md5", func() Entry { e := file("i", "a", 1); e.MD5 = "XYZ"; return e }(), nil},
		{"path of another ID", file("other", "x", 2), ErrPathInUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Put(tt.e)
			if err == nil {
				t.Fatalf("Put(%+v) accepted", tt.e)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Put: %v, want %v", err, tt.is)
			}
		})
	}
	if got, err := s.ByPath("x"); err != nil || got.ID != "held" {
		t.Errorf("x after rejected puts = %+v, %v", got, err)
	}
	if n, _ := s.Len(); n != 1 {
		t.Errorf("Len = %d after rejected puts, want 1", n)
	}
}

func TestUpdateIsAtomic(t *testing.T) {
	s := open(t, Options{})
	boom := errors.New("boom")
	err := s.Update(func(tx *Tx) error {
		if err := tx.Put(file("a", "a", 1)); err != nil {
			return err
		}
		if err := tx.SetPageToken("", "42"); err != nil {
			return err
		}
		if _, err := tx.ByID("a"); err != nil { // own writes are visible
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	if n, _ := s.Len(); n != 0 {
		t.Errorf("Len = %d after a failed Update", n)
	}
	if tok, _ := s.PageToken(""); tok != "" {
		t.Errorf("page token %q survived a failed Update", tok)
	}
}

func TestWalkOrder(t *testing.T) {
	s := open(t, Options{})
	mustPut(t, s,
		dir("root", "."), file("1", "a.txt", 1), dir("2", "a"), file("3", "a/z", 3),
		dir("4", "a/b"), file("5", "a/b/c", 5), file("6", "a-b", 6), file("7", "b", 7),
		file("8", "ab", 8))
	tests := []struct {
		prefix string
		want   []string
	}{
		{"", []string{".", "a", "a/b", "a/b/c", "a/z", "a-b", "a.txt", "ab", "b"}},
		{".", []string{".", "a", "a/b", "a/b/c", "a/z", "a-b", "a.txt", "ab", "b"}},
		{"a", []string{"a", "a/b", "a/b/c", "a/z"}},
		{"a/b", []string{"a/b", "a/b/c"}},
		{"a.txt", []string{"a.txt"}},
		{"nothing", nil},
		{"a/nothing", nil},
	}
	for _, tt := range tests {
		if got := paths(t, s, tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("Walk(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
		var got []string
		err := s.WalkPaths(tt.prefix, func(p, id string) error {
			if e, err := s.ByID(id); err != nil || e.Path != p {
				t.Errorf("WalkPaths(%q) gave %q for %s, whose path is %q (%v)", tt.prefix, p, id, e.Path, err)
			}
			got = append(got, p)
			return nil
		})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("WalkPaths(%q) = %q, %v; want %q", tt.prefix, got, err, tt.want)
		}
	}
	if err := s.Walk("../x", func(Entry) error { return nil }); err == nil {
		t.Error("Walk(../x) accepted")
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Walk("", func(Entry) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("Walk with fn error: %v after %d calls", err, n)
	}
}

func TestPageTokens(t *testing.T) {
	s := open(t, Options{})
	for _, c := range []struct{ drive, tok string }{{"", "100"}, {"0AbC", "7"}} {
		if err := s.SetPageToken(c.drive, c.tok); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct{ drive, want string }{{"", "100"}, {"0AbC", "7"}, {"other", ""}} {
		if got, err := s.PageToken(c.drive); err != nil || got != c.want {
			t.Errorf("PageToken(%q) = %q, %v; want %q", c.drive, got, err, c.want)
		}
	}
	if err := s.SetPageToken("", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PageToken(""); got != "" {
		t.Errorf("PageToken after clearing = %q", got)
	}
}
