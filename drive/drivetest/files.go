package drivetest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
)

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
