package mount

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

func init() {
	syncRows = append(syncRows, renameRows...)
}

// localMove renames a local file as a user would.
func (h *harness) localMove(from, to string) {
	h.t.Helper()
	dst := filepath.Join(h.root, filepath.FromSlash(to))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(h.root, filepath.FromSlash(from)), dst); err != nil {
		h.t.Fatal(err)
	}
}

var renameRows = []syncRow{
	{row: "R1", run: func(t *testing.T, h *harness) {
		h.rput("a/f.txt", "content")
		h.rput("dir/x.txt", "x")
		h.once()
		h.rmove("a/f.txt", "b/g.txt")
		h.rmove("dir", "dir2")
		before := h.sv.Stats().MediaBytesOut
		sum := h.once()
		h.wantNoLocal("a/f.txt")
		h.wantLocal("b/g.txt", "content")
		h.wantLocal("dir2/x.txt", "x")
		h.wantNoLocal("dir/x.txt")
		if sum.Downloaded != 0 || h.sv.Stats().MediaBytesOut != before {
			t.Fatalf("summary %s: a rename downloaded content", sum)
		}
		// A folder renamed on Drive and a file moved into it, seen in one
		// poll, the file first in path order: the folder must move before
		// the file goes in, or the file's move makes a plain folder at the
		// new name that is then in the folder's way (found by TestSoak).
		h.rput("z/y.txt", "y")
		h.rput("other/f.txt", "f")
		h.once()
		h.rmove("z", "m")
		h.rmove("other/f.txt", "m/f.txt")
		if sum := h.once(); sum.Failed != 0 || sum.Downloaded != 0 {
			t.Fatalf("summary %s: want two renames, nothing failed or downloaded", sum)
		}
		h.wantLocal("m/y.txt", "y")
		h.wantLocal("m/f.txt", "f")
		h.wantNoLocal("z")
		if sum := h.once(); sum.Uploaded != 0 || sum.Renamed != 0 {
			t.Fatalf("summary %s after the renames: want nothing left to do", sum)
		}
	}},
	{row: "R2", run: func(t *testing.T, h *harness) {
		f := h.rput("a/f.txt", "content")
		h.rput("b/keep.txt", "k")
		h.once()
		h.localMove("a/f.txt", "b/renamed.txt")
		before := h.sv.Stats().MediaBytesIn
		sum := h.once()
		g, err := h.remote("b/renamed.txt")
		if err != nil || g.ID != f.ID {
			t.Fatalf("remote b/renamed.txt = %v (%v), want the same file %s moved", g.ID, err, f.ID)
		}
		h.wantNoRemote("a/f.txt")
		if sum.Uploaded != 0 || sum.Renamed != 1 || h.sv.Stats().MediaBytesIn != before {
			t.Fatalf("summary %s: want one rename and no upload", sum)
		}
		// A folder moved into another, with its contents.
		d := h.rmkdirs("b")
		h.localMove("b", "c/b2")
		h.put("c/other", "o")
		sum = h.once()
		g, err = h.remote("c/b2")
		if err != nil || g.ID != d {
			t.Fatalf("remote c/b2 = %v (%v), want folder %s moved", g.ID, err, d)
		}
		h.wantRemote("c/b2/renamed.txt", "content")
		h.wantRemote("c/b2/keep.txt", "k")
		if g, _ := h.remote("c/b2/renamed.txt"); g.ID != f.ID {
			t.Fatalf("c/b2/renamed.txt is %s, want the same file %s", g.ID, f.ID)
		}
		if sum.Uploaded != 1 || sum.Renamed != 1 || sum.Trashed != 0 {
			t.Fatalf("summary %s: want the folder moved, only c/other uploaded", sum)
		}
		// A folder moved out of another, which is then deleted, in one
		// scan: the move is made before the trash, or the folder would be
		// in Drive's trash with its old parent, then taken for deleted on
		// Drive and put in the local trash.
		sub := h.rmkdirs("p/sub")
		h.rput("p/sub/s.txt", "s")
		h.rput("p/q.txt", "q")
		h.once()
		h.localMove("p/sub", "moved-out")
		if err := os.RemoveAll(filepath.Join(h.root, "p")); err != nil {
			t.Fatal(err)
		}
		if sum := h.once(); sum.Failed != 0 || sum.Renamed != 1 {
			t.Fatalf("summary %s: want the folder moved out and p trashed", sum)
		}
		h.once()
		h.wantLocal("moved-out/s.txt", "s")
		if g, err := h.c.Get(t.Context(), sub); err != nil || g.Trashed {
			t.Fatalf("the moved folder on Drive: %+v, %v; want it live", g, err)
		}
		h.wantRemote("moved-out/s.txt", "s")
		h.wantNoRemote("p")
	}},
	{row: "R3", run: func(t *testing.T, h *harness) {
		f := h.rput("f.txt", "v1")
		h.once()
		h.rmove("f.txt", "g.txt")
		h.put("f.txt", "edited")
		h.once()
		h.wantNoLocal("f.txt")
		h.wantLocal("g.txt", "edited")
		g, err := h.remote("g.txt")
		if err != nil || g.ID != f.ID {
			t.Fatalf("remote g.txt %v (%v)", g.ID, err)
		}
		h.wantRemote("g.txt", "edited")
	}},
	{row: "R4", run: func(t *testing.T, h *harness) {
		f := h.rput("f.txt", "v1")
		h.once()
		h.rput("f.txt", "drive edit")
		h.localMove("f.txt", "sub/h.txt")
		h.put("sub/keep", "k") // sub is a new folder: created on Drive first
		h.once()
		h.wantLocal("sub/h.txt", "drive edit")
		g, err := h.remote("sub/h.txt")
		if err != nil || g.ID != f.ID {
			t.Fatalf("remote sub/h.txt %v (%v), want %s", g.ID, err, f.ID)
		}
		h.wantRemote("sub/h.txt", "drive edit")
		h.wantNoRemote("f.txt")
	}},
	{row: "R5", run: func(t *testing.T, h *harness) {
		h.rput("f.txt", "c")
		h.once()
		h.rmove("f.txt", "A.txt")
		h.localMove("f.txt", "B.txt")
		h.once()
		h.wantLocal("A.txt", "c")
		h.wantNoLocal("B.txt")
		h.wantNoRemote("B.txt")
		h.wantRemote("A.txt", "c")
	}},
	{row: "R6", run: func(t *testing.T, h *harness) {
		h.rput("f.txt", "c")
		h.rput("e.txt", "e1")
		h.rput("stay.txt", "s")
		h.once()
		out, err := h.other.Mkdir(context.Background(), "root", "outside")
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"f.txt", "e.txt"} {
			f, _ := h.remote(n)
			if _, err := h.other.Move(context.Background(), f.ID, h.rootID, out.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		h.put("e.txt", "e2 local edit")
		h.once()
		h.wantNoLocal("f.txt")
		if tr := h.trashed(); len(tr) != 1 || tr[0] != "f.txt" {
			t.Fatalf("local trash %v", tr)
		}
		h.wantLocal("e.txt", "e2 local edit")
		h.wantRemote("e.txt", "e2 local edit") // D3: uploaded as a new file
	}},
}

// TestCrashWindows replays the state a crash leaves between a local
// rename and the store update recording it.
func TestCrashWindows(t *testing.T) {
	t.Parallel()
	t.Run("local-move-done", func(t *testing.T) {
		h := newHarness(t, fakedrive.Options{}, nil)
		h.rput("f.txt", "c")
		h.once()
		h.rmove("f.txt", "g.txt")
		h.localMove("f.txt", "g.txt") // done, then killed before recording it
		sum := h.once()
		h.wantLocal("g.txt", "c")
		if sum.Downloaded != 0 || sum.Failed != 0 {
			t.Fatalf("summary %s", sum)
		}
		if e, err := h.store.ByPath("g.txt"); err != nil || e.Name != "g.txt" {
			t.Fatalf("entry %+v (%v)", e, err)
		}
	})
	t.Run("conflict-copy-made", func(t *testing.T) {
		h := newHarness(t, fakedrive.Options{}, nil)
		h.rput("w.txt", "v1")
		h.once()
		h.rput("w.txt", "drive v2")
		h.put("w.txt", "local v2")
		copyName := conflictName("w.txt", time.Now(), "testhost")
		h.localMove("w.txt", copyName) // renamed, then killed
		h.once()
		h.wantLocal("w.txt", "drive v2")
		h.wantLocal(copyName, "local v2")
		h.wantRemote(copyName, "local v2")
		h.wantRemote("w.txt", "drive v2")
	})
}

// TestMovedAndEdited: a file moved and edited locally while Drive edited
// it keeps both versions.
func TestMovedAndEdited(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	h.rput("f.txt", "v1")
	h.once()
	h.rput("f.txt", "drive v2")
	h.localMove("f.txt", "g.txt")
	p := filepath.Join(h.root, "g.txt")
	if err := os.WriteFile(p, []byte("local v2, longer"), 0o644); err != nil { // same inode
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(p, old, old)
	h.once()
	h.wantLocal("f.txt", "drive v2")
	h.wantLocal("g.txt", "local v2, longer")
	h.wantRemote("f.txt", "drive v2")
	h.wantRemote("g.txt", "local v2, longer")
}
