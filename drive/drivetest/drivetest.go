// Package drivetest is the conformance suite for drive.Remote: every
// implementation runs Run against the Drive emulator (drive/fakedrive),
// with and without injected faults, and must pass it unchanged.
//
// The suite uses only the Remote interface, so it checks the contract
// written on Remote's methods, not one implementation's internals.
package drivetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
)

// Options tune the suite.
type Options struct {
	// Root is the folder the suite works in (default "root", My Drive).
	Root string
	// LargeSize is the size of the largest file uploaded and downloaded;
	// pick it above the implementation's multipart and ranged-download
	// thresholds so those paths run too (default 3 MiB).
	LargeSize int
}

// Run checks r against the Remote contract. Subtests run one after
// another, each in a fresh folder.
func Run(t *testing.T, r drive.Remote, opt Options) {
	if opt.Root == "" {
		opt.Root = "root"
	}
	if opt.LargeSize <= 0 {
		opt.LargeSize = 3 << 20
	}
	s := &suite{r: r, opt: opt, ctx: context.Background()}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, drive.File)
	}{
		{"About", s.about},
		{"MkdirGet", s.mkdirGet},
		{"CreateDownload", s.createDownload},
		{"UpdateKeepsID", s.updateKeepsID},
		{"MoveRename", s.moveRename},
		{"Trash", s.trash},
		{"ListTree", s.listTree},
		{"ResolvePath", s.resolvePath},
		{"Changes", s.changes},
		{"Errors", s.errors},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := r.Mkdir(s.ctx, opt.Root, fmt.Sprintf("drivetest-%s-%d", tc.name, time.Now().UnixNano()))
			if err != nil {
				t.Fatal(err)
			}
			tc.fn(t, dir)
		})
	}
}

type suite struct {
	r   drive.Remote
	opt Options
	ctx context.Context
}

func content(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 42}).Read(b)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// local writes data to a temp file with a known mtime.
func local(t *testing.T, data []byte, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "src.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

// fetch downloads f and returns its bytes.
func (s *suite) fetch(t *testing.T, f drive.File) []byte {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "dl.bin")
	if _, err := s.r.Download(s.ctx, f, dst, drive.DownloadOptions{}); err != nil {
		t.Fatalf("download %s: %v", f.Name, err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s *suite) about(t *testing.T, _ drive.File) {
	a, err := s.r.About(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.User == "" || a.MaxUploadSize <= 0 {
		t.Fatalf("About = %+v, want a user and a max upload size", a)
	}
}

func (s *suite) mkdirGet(t *testing.T, dir drive.File) {
	if !dir.IsFolder() || dir.ID == "" {
		t.Fatalf("Mkdir returned %+v", dir)
	}
	sub, err := s.r.Mkdir(s.ctx, dir.ID, "sub folder")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.r.Get(s.ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != sub.ID || got.Name != "sub folder" || !got.IsFolder() || len(got.Parents) != 1 || got.Parents[0] != dir.ID || got.Trashed {
		t.Fatalf("Get(new folder) = %+v", got)
	}
}

func (s *suite) createDownload(t *testing.T, dir drive.File) {
	mtime := time.Date(2023, 3, 4, 5, 6, 7, 8e6, time.UTC)
	for i, size := range []int{0, 1, 1000, 300 << 10, s.opt.LargeSize} {
		data := content(uint64(i), size)
		name := fmt.Sprintf("file-%d.bin", size)
		f, err := s.r.Create(s.ctx, dir.ID, name, local(t, data, mtime))
		if err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		if f.Name != name || f.Size != int64(size) || f.MD5 != md5hex(data) || !f.ModTime.Equal(mtime) || len(f.Parents) != 1 || f.Parents[0] != dir.ID {
			t.Fatalf("Create(%s) = %+v", name, f)
		}
		dst := filepath.Join(t.TempDir(), name)
		got, err := s.r.Download(s.ctx, f, dst, drive.DownloadOptions{})
		if err != nil {
			t.Fatalf("download %s: %v", name, err)
		}
		b, _ := os.ReadFile(dst)
		if !bytes.Equal(b, data) || got.MD5 != f.MD5 {
			t.Fatalf("download %s: %d bytes md5 %s, want %d bytes md5 %s", name, len(b), md5hex(b), size, f.MD5)
		}
		if st, err := os.Stat(dst); err != nil || !st.ModTime().Equal(mtime) {
			t.Fatalf("download %s: mtime %v, want %v", name, st.ModTime(), mtime)
		}
		noTemp(t, filepath.Dir(dst))
	}
}

func noTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("download left %v in %s", names, dir)
	}
}

func (s *suite) updateKeepsID(t *testing.T, dir drive.File) {
	f, err := s.r.Create(s.ctx, dir.ID, "weights.bin", local(t, []byte("v1"), time.Unix(1e9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	prev := f
	for i, data := range [][]byte{content(7, s.opt.LargeSize), []byte("v3")} {
		g, err := s.r.Update(s.ctx, f.ID, local(t, data, time.Unix(1e9+int64(i), 0)))
		if err != nil {
			t.Fatal(err)
		}
		if g.ID != f.ID || g.MD5 != md5hex(data) || g.Version <= prev.Version || g.Name != f.Name {
			t.Fatalf("Update = %+v, want the same file with new content and a newer version than %d", g, prev.Version)
		}
		if b := s.fetch(t, g); !bytes.Equal(b, data) {
			t.Fatalf("content after update: md5 %s, want %s", md5hex(b), md5hex(data))
		}
		prev = g
	}
	tree, err := s.r.ListTree(s.ctx, dir.ID, drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Files) != 1 || tree.Files[0].ID != f.ID {
		t.Fatalf("after updates the folder holds %d items, want the one file", len(tree.Files))
	}
}

func (s *suite) moveRename(t *testing.T, dir drive.File) {
	a, err := s.r.Mkdir(s.ctx, dir.ID, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.r.Mkdir(s.ctx, dir.ID, "b")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.r.Create(s.ctx, a.ID, "x.txt", local(t, []byte("x"), time.Unix(1e9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		from, to, name string
		wantParent     string
		wantName       string
	}{
		{"", "", "y.txt", a.ID, "y.txt"},
		{a.ID, b.ID, "", b.ID, "y.txt"},
		{b.ID, a.ID, "z.txt", a.ID, "z.txt"},
		{a.ID, a.ID, "", a.ID, "z.txt"},
	}
	for _, st := range steps {
		g, err := s.r.Move(s.ctx, f.ID, st.from, st.to, st.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.r.Get(s.ctx, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []drive.File{g, got} {
			if h.Name != st.wantName || len(h.Parents) != 1 || h.Parents[0] != st.wantParent || h.MD5 != f.MD5 {
				t.Fatalf("Move(%q, %q, %q) -> %+v", st.from, st.to, st.name, h)
			}
		}
	}
}

func (s *suite) trash(t *testing.T, dir drive.File) {
	keep, err := s.r.Create(s.ctx, dir.ID, "keep", local(t, []byte("k"), time.Unix(1e9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.r.Create(s.ctx, dir.ID, "gone", local(t, []byte("g"), time.Unix(1e9, 0)))
	if err != nil {
		t.Fatal(err)
	}
	tf, err := s.r.Trash(s.ctx, gone.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.r.Get(s.ctx, gone.ID)
	if err != nil {
		t.Fatalf("a trashed file must still be found: %v", err)
	}
	if !tf.Trashed || !got.Trashed {
		t.Fatalf("after Trash: %+v / %+v", tf, got)
	}
	tree, err := s.r.ListTree(s.ctx, dir.ID, drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Files) != 1 || tree.Files[0].ID != keep.ID {
		t.Fatalf("ListTree lists %d items after trashing one of two", len(tree.Files))
	}
}

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
