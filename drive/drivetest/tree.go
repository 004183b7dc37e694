package drivetest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
)

// build creates the tree described by paths below dir ("a/" is a folder)
// and returns what each path should hold.
func (s *suite) build(t *testing.T, dir drive.File, paths []string) map[string]string {
	t.Helper()
	want := map[string]string{}
	ids := map[string]string{"": dir.ID}
	sort.Strings(paths)
	for i, p := range paths {
		parent := ids[path(p)]
		if strings.HasSuffix(p, "/") {
			name := strings.TrimSuffix(p, "/")
			f, err := s.r.Mkdir(s.ctx, parent, base(name))
			if err != nil {
				t.Fatal(err)
			}
			ids[name] = f.ID
			want[name] = "/"
			continue
		}
		data := content(uint64(i), 10+i)
		if _, err := s.r.Create(s.ctx, parent, base(p), local(t, data, time.Unix(1e9, 0))); err != nil {
			t.Fatal(err)
		}
		want[p] = md5hex(data)
	}
	return want
}

func path(p string) string {
	p = strings.TrimSuffix(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

func base(p string) string { return p[strings.LastIndexByte(p, '/')+1:] }

func (s *suite) listTree(t *testing.T, dir drive.File) {
	want := s.build(t, dir, []string{"a/", "a/1.txt", "a/b/", "a/b/2.txt", "a/b/c/", "a/b/c/3.txt", "d/", "e.txt", "it's here.txt"})
	tree, err := s.r.ListTree(s.ctx, dir.ID, drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tree.Root.ID != dir.ID {
		t.Fatalf("tree root %s, want %s", tree.Root.ID, dir.ID)
	}
	got := map[string]string{}
	err = tree.Walk(func(p string, f drive.File) error {
		if f.IsFolder() {
			got[p] = "/"
		} else {
			got[p] = f.MD5
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("tree\n got %v\nwant %v", got, want)
	}
	skipped := 0
	tree.Walk(func(p string, f drive.File) error {
		skipped++
		if p == "a" {
			return fs.SkipDir
		}
		return nil
	})
	if skipped != 4 { // a, d, e.txt, it's here.txt
		t.Fatalf("SkipDir on a: walked %d items, want 4", skipped)
	}
}

func (s *suite) resolvePath(t *testing.T, dir drive.File) {
	s.build(t, dir, []string{"x/", "x/y/", "x/y/z.txt"})
	f, err := s.r.ResolvePath(s.ctx, dir.ID, "x/y/z.txt")
	if err != nil || f.Name != "z.txt" {
		t.Fatalf("ResolvePath = %+v, %v", f, err)
	}
	for _, p := range []string{"x/y/Z.txt", "x/q", "x/y/z.txt/w"} {
		if _, err := s.r.ResolvePath(s.ctx, dir.ID, p); !errors.Is(err, drive.ErrNotFound) {
			t.Errorf("ResolvePath(%q): err = %v, want ErrNotFound", p, err)
		}
	}
}

func (s *suite) changes(t *testing.T, dir drive.File) {
	keep, _ := s.r.Create(s.ctx, dir.ID, "keep.txt", local(t, []byte("k"), time.Unix(1e9, 0)))
	sub, err := s.r.Mkdir(s.ctx, dir.ID, "sub")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.r.StartPageToken(s.ctx, dir.DriveID)
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.r.Create(s.ctx, dir.ID, "new.txt", local(t, []byte("n"), time.Unix(1e9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.r.Move(s.ctx, f.ID, dir.ID, sub.ID, "renamed.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.r.Trash(s.ctx, keep.ID); err != nil {
		t.Fatal(err)
	}
	cs, err := s.r.Changes(s.ctx, dir.DriveID, tok)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]drive.Change{}
	for _, ch := range cs.Changes {
		if _, dup := seen[ch.FileID]; dup {
			t.Fatalf("file %s listed twice", ch.FileID)
		}
		seen[ch.FileID] = ch
	}
	if ch, ok := seen[f.ID]; !ok || ch.File.Name != "renamed.txt" || ch.File.Parents[0] != sub.ID {
		t.Fatalf("change of the new, moved file: %+v (found %v)", ch, ok)
	}
	if ch, ok := seen[keep.ID]; !ok || !ch.File.Trashed {
		t.Fatalf("change of the trashed file: %+v (found %v)", ch, ok)
	}
	if cs.NewStartToken == "" {
		t.Fatal("no NewStartToken")
	}
}

func (s *suite) errors(t *testing.T, dir drive.File) {
	const missing = "1drivetestMissingFileIDxxxxxxxxxx"
	if _, err := s.r.Get(s.ctx, missing); !errors.Is(err, drive.ErrNotFound) {
		t.Errorf("Get(missing): %v", err)
	}
	if _, err := s.r.Update(s.ctx, missing, local(t, []byte("x"), time.Unix(1e9, 0))); !errors.Is(err, drive.ErrNotFound) {
		t.Errorf("Update(missing): %v", err)
	}
	if _, err := s.r.Create(s.ctx, missing, "x", local(t, []byte("x"), time.Unix(1e9, 0))); !errors.Is(err, drive.ErrNotFound) {
		t.Errorf("Create in a missing folder: %v", err)
	}
	out := filepath.Join(t.TempDir(), "keep.bin")
	if err := os.WriteFile(out, []byte("untouched"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.r.Download(s.ctx, drive.File{ID: missing}, out, drive.DownloadOptions{}); !errors.Is(err, drive.ErrNotFound) {
		t.Errorf("Download(missing): %v", err)
	}
	if _, err := s.r.Download(s.ctx, dir, out, drive.DownloadOptions{}); !errors.Is(err, drive.ErrNotDownloadable) {
		t.Errorf("Download(folder): %v", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "untouched" {
		t.Errorf("a failed download changed the destination: %q", b)
	}
	noTemp(t, filepath.Dir(out))
	for _, err := range []error{drive.ErrNotFound} {
		if drive.IsRetryable(err) {
			t.Errorf("IsRetryable(%v) = true", err)
		}
	}
}
