package cache

import (
	"errors"
	"slices"
	"sync"
	"testing"
)

func treeStore(t *testing.T) *Store {
	t.Helper()
	s := open(t, Options{})
	mustPut(t, s, dir("a", "a"), dir("ab", "a/b"), file("abc", "a/b/c", 1), file("az", "a/z", 2),
		file("a.txt", "a.txt", 3), dir("x", "x"))
	return s
}

func TestMoveTree(t *testing.T) {
	tests := []struct {
		name, from, to string
		moved          int
		want           []string // all paths afterwards
		is             error
	}{
		{"rename folder", "a", "q", 4, []string{"a.txt", "q", "q/b", "q/b/c", "q/z", "x"}, nil},
		{"into another folder", "a/b", "x/b", 2, []string{"a", "a/z", "a.txt", "x", "x/b", "x/b/c"}, nil},
		{"a file", "a.txt", "x/t", 1, []string{"a", "a/b", "a/b/c", "a/z", "x", "x/t"}, nil},
		{"nothing there", "nope", "q", 0, []string{"a", "a/b", "a/b/c", "a/z", "a.txt", "x"}, nil},
		{"onto an entry", "a/b", "x", 0, nil, ErrPathInUse},
		{"into itself", "a", "a/b/d", 0, nil, nil},
		{"root", ".", "q", 0, nil, nil},
		{"bad path", "a", "../q", 0, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := treeStore(t)
			var n int
			err := s.Update(func(tx *Tx) (err error) { n, err = tx.MoveTree(tt.from, tt.to); return err })
			if tt.want == nil {
				if err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
					t.Fatalf("MoveTree(%q, %q) = %d, %v; want error %v", tt.from, tt.to, n, err, tt.is)
				}
				return
			}
			if err != nil || n != tt.moved {
				t.Fatalf("MoveTree(%q, %q) = %d, %v; want %d", tt.from, tt.to, n, err, tt.moved)
			}
			if got := paths(t, s, ""); !slices.Equal(got, tt.want) {
				t.Errorf("paths after move = %q, want %q", got, tt.want)
			}
			// The ID index follows the paths.
			for _, p := range tt.want {
				e, err := s.ByPath(p)
				if err != nil {
					t.Fatal(err)
				}
				if byID, err := s.ByID(e.ID); err != nil || byID.Path != p {
					t.Errorf("ByID(%s).Path = %q, %v; want %q", e.ID, byID.Path, err, p)
				}
			}
		})
	}
}

func TestDeleteTree(t *testing.T) {
	s := treeStore(t)
	var n int
	if err := s.Update(func(tx *Tx) (err error) { n, err = tx.DeleteTree("a"); return err }); err != nil || n != 4 {
		t.Fatalf("DeleteTree(a) = %d, %v; want 4", n, err)
	}
	if got := paths(t, s, ""); !slices.Equal(got, []string{"a.txt", "x"}) {
		t.Errorf("paths = %q", got)
	}
	if _, err := s.ByID("abc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ByID of a deleted child: %v", err)
	}
	if n, _ := s.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	if err := s.Update(func(tx *Tx) error { _, err := tx.DeleteTree(""); return err }); err == nil {
		t.Error("DeleteTree(\"\") accepted")
	}
}

// TestConcurrentPuts runs Store.Put from many goroutines (they share
// commits through bbolt's Batch) under the race detector.
func TestConcurrentPuts(t *testing.T) {
	s := open(t, Options{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				n := g*100 + i
				if err := s.Put(file("id"+string(rune('a'+g))+string(rune('a'+i)), "g"+string(rune('a'+g))+"/"+string(rune('a'+i)), n)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n, _ := s.Len(); n != 200 {
		t.Errorf("Len = %d, want 200", n)
	}
	if got := len(paths(t, s, "gc")); got != 25 {
		t.Errorf("Walk(gc) found %d, want 25", got)
	}
}
