package mount

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestSync has one subtest per row of docs/sync-semantics.md, each
// against the emulator over HTTP with real files.
func TestSync(t *testing.T) {
	t.Parallel()
	for _, tc := range syncRows {
		t.Run(tc.row, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, fakedrive.Options{}, tc.tweak)
			tc.run(t, h)
		})
	}
}

type syncRow struct {
	row   string
	tweak func(*Config)
	run   func(t *testing.T, h *harness)
}

var syncRows = []syncRow{
	{row: "C1", run: func(t *testing.T, h *harness) {
		h.rput("a/b.txt", "hello")
		sum := h.once()
		h.wantLocal("a/b.txt", "hello")
		if sum.Downloaded != 1 {
			t.Fatalf("summary %s, want 1 downloaded", sum)
		}
		f, _ := h.remote("a/b.txt")
		fi, err := os.Stat(filepath.Join(h.root, "a", "b.txt"))
		if err != nil || !fi.ModTime().Equal(f.ModTime) {
			t.Fatalf("mtime %v, want Drive's %v (%v)", fi.ModTime(), f.ModTime, err)
		}
	}},
	{row: "C2", run: func(t *testing.T, h *harness) {
		h.once()
		h.put("x/new.bin", "local content")
		sum := h.once()
		h.wantRemote("x/new.bin", "local content")
		if sum.Uploaded != 1 {
			t.Fatalf("summary %s, want 1 uploaded", sum)
		}
		e, err := h.store.ByPath("x/new.bin")
		if err != nil || e.Remote.MD5 != md5hex("local content") || e.Local.MD5 != e.Remote.MD5 {
			t.Fatalf("base not recorded: %+v %v", e, err)
		}
	}},
	{row: "C3", run: func(t *testing.T, h *harness) {
		h.rput("same.txt", "same")
		h.put("same.txt", "same")
		sum := h.once()
		if sum.Downloaded+sum.Uploaded+sum.Conflicts != 0 {
			t.Fatalf("summary %s, want no transfer", sum)
		}
		if e, err := h.store.ByPath("same.txt"); err != nil || !e.Synced() {
			t.Fatalf("not adopted: %+v %v", e, err)
		}
		h.wantLocal("same.txt", "same")
	}},
	{row: "C4", run: func(t *testing.T, h *harness) {
		h.rput("doc.txt", "drive")
		h.put("doc.txt", "local")
		sum := h.once()
		h.wantLocal("doc.txt", "drive")
		h.wantRemote("doc.txt", "drive")
		cs := h.conflicts("doc.txt")
		if len(cs) != 1 || sum.Conflicts != 1 {
			t.Fatalf("conflict copies %v, summary %s", cs, sum)
		}
		h.wantLocal(cs[0], "local")
		h.wantRemote(cs[0], "local")
	}},
	{row: "C5", run: func(t *testing.T, h *harness) {
		h.rput("f.txt", "v1")
		h.once()
		h.rput("f.txt", "v2 from drive")
		sum := h.once()
		h.wantLocal("f.txt", "v2 from drive")
		if sum.Downloaded != 1 || sum.Uploaded != 0 {
			t.Fatalf("summary %s", sum)
		}
	}},
	{row: "C6", run: func(t *testing.T, h *harness) {
		f := h.rput("f.txt", "v1")
		h.once()
		h.put("f.txt", "v2 local")
		sum := h.once()
		g, err := h.remote("f.txt")
		if err != nil || g.ID != f.ID {
			t.Fatalf("Drive file %v (%v), want the same ID %s", g.ID, err, f.ID)
		}
		h.wantRemote("f.txt", "v2 local")
		if sum.Uploaded != 1 {
			t.Fatalf("summary %s", sum)
		}
	}},
	{row: "C7", run: func(t *testing.T, h *harness) {
		h.rput("f.txt", "v1")
		h.once()
		h.rput("f.txt", "both")
		h.put("f.txt", "both")
		sum := h.once()
		if sum.Downloaded+sum.Uploaded+sum.Conflicts != 0 {
			t.Fatalf("summary %s, want nothing", sum)
		}
		e, _ := h.store.ByPath("f.txt")
		if e.Remote.MD5 != md5hex("both") || e.Local.MD5 != md5hex("both") {
			t.Fatalf("base not updated: %+v", e)
		}
	}},
	{row: "C8", run: func(t *testing.T, h *harness) {
		h.rput("m/w.txt", "v1")
		h.once()
		h.rput("m/w.txt", "drive v2")
		h.put("m/w.txt", "local v2")
		sum := h.once()
		h.wantLocal("m/w.txt", "drive v2")
		cs := h.conflicts("m/w.txt")
		if len(cs) != 1 || sum.Conflicts != 1 {
			t.Fatalf("conflict copies %v, summary %s", cs, sum)
		}
		h.wantLocal(cs[0], "local v2")
		h.wantRemote(cs[0], "local v2")
		h.wantRemote("m/w.txt", "drive v2")
		if st := h.m.Status(); len(st.Conflicts) != 1 || st.Conflicts[0] != cs[0] {
			t.Fatalf("status conflicts %v", st.Conflicts)
		}
	}},
	// Settle leaves a loaded CI machine time to start a pass before the
	// file written "just now" would count as settled.
	{row: "C9", tweak: func(c *Config) { c.Settle = time.Second }, run: func(t *testing.T, h *harness) {
		h.rput("ckpt.h5", "v1")
		h.once()
		// Written just now: not settled, so a pass that cannot wait
		// leaves it alone.
		p := filepath.Join(h.root, "ckpt.h5")
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
		h.m.st = nil
		var s Summary
		if err := h.m.start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waits := h.m.pass(context.Background(), []string{"."}, false, false, &s); waits != 1 || s.Uploaded != 0 {
			t.Fatalf("waits %d, summary %s: want the file left waiting", waits, s)
		}
		h.wantRemote("ckpt.h5", "v1")
		if err := os.WriteFile(p, []byte("complete checkpoint"), 0o644); err != nil {
			t.Fatal(err)
		}
		// Once waits for it to settle, then uploads it once (C6).
		sum := h.once()
		if sum.Uploaded != 1 {
			t.Fatalf("summary %s, want 1 upload", sum)
		}
		h.wantRemote("ckpt.h5", "complete checkpoint")
	}},
	{row: "C10", run: func(t *testing.T, h *harness) {
		h.rput("other.txt", "o")
		h.once()
		// A Drive file where a local folder is new, and the reverse.
		h.rput("x", "drive file")
		h.put("x/inner.txt", "in a local folder")
		h.rput("y/inner.txt", "in a Drive folder")
		h.put("y", "local file")
		sum := h.once()
		if sum.Failed != 0 || sum.Conflicts != 2 {
			t.Fatalf("summary %s: want two conflicts, nothing failed", sum)
		}
		h.wantLocal("x", "drive file")
		h.wantLocal("y/inner.txt", "in a Drive folder")
		xs, ys := h.conflicts("x"), h.conflicts("y")
		if len(xs) != 1 || len(ys) != 1 {
			t.Fatalf("conflict copies %v %v, want one each", xs, ys)
		}
		h.wantLocal(xs[0]+"/inner.txt", "in a local folder")
		h.wantLocal(ys[0], "local file")
		h.wantRemote(xs[0]+"/inner.txt", "in a local folder")
		h.wantRemote(ys[0], "local file")
		if sum := h.once(); sum.Uploaded+sum.Downloaded+sum.Conflicts+sum.Failed != 0 {
			t.Fatalf("second pass %s: want nothing left to do", sum)
		}
		// One Drive item per name: nothing was created twice.
		tree, err := h.c.ListTree(context.Background(), h.rootID, drive.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, f := range tree.Files {
			seen[f.Parents[0]+"/"+f.Name]++
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%d Drive items at %s", n, k)
			}
		}
		if len(tree.Files) != 7 {
			t.Errorf("%d Drive items, want 7 (other.txt, x, y, y/inner.txt, two copies, inner.txt in one)", len(tree.Files))
		}
	}},
	{row: "D1", run: func(t *testing.T, h *harness) {
		h.rput("gone.txt", "bye")
		h.rput("keep.txt", "stay")
		h.once()
		h.rtrash("gone.txt")
		sum := h.once()
		h.wantNoLocal("gone.txt")
		h.wantLocal("keep.txt", "stay")
		if tr := h.trashed(); len(tr) != 1 || tr[0] != "gone.txt" || sum.Trashed != 1 {
			t.Fatalf("local trash %v, summary %s", tr, sum)
		}
	}},
	{row: "D2", run: func(t *testing.T, h *harness) {
		f := h.rput("del.txt", "x")
		h.rput("keep.txt", "y")
		h.once()
		os.Remove(filepath.Join(h.root, "del.txt"))
		h.once()
		g, err := h.other.Get(context.Background(), f.ID)
		if err != nil || !g.Trashed {
			t.Fatalf("Drive file %+v (%v), want it in Drive's trash", g, err)
		}
		h.wantNoRemote("del.txt")
	}},
	{row: "D3", run: func(t *testing.T, h *harness) {
		h.rput("e.txt", "v1")
		h.rput("other.txt", "o")
		h.once()
		h.rtrash("e.txt")
		h.put("e.txt", "edited locally")
		h.once()
		h.wantLocal("e.txt", "edited locally")
		h.wantRemote("e.txt", "edited locally")
	}},
	{row: "D4", run: func(t *testing.T, h *harness) {
		h.rput("e.txt", "v1")
		h.rput("other.txt", "o")
		h.once()
		os.Remove(filepath.Join(h.root, "e.txt"))
		h.rput("e.txt", "edited on drive")
		h.once()
		h.wantLocal("e.txt", "edited on drive")
		h.wantRemote("e.txt", "edited on drive")
	}},
	{row: "D5", run: func(t *testing.T, h *harness) {
		h.rput("e.txt", "v1")
		h.rput("other.txt", "o")
		h.once()
		os.Remove(filepath.Join(h.root, "e.txt"))
		h.rtrash("e.txt")
		h.once()
		if _, err := h.store.ByPath("e.txt"); err == nil {
			t.Fatal("base not forgotten")
		}
		h.wantNoLocal("e.txt")
		if tr := h.trashed(); len(tr) != 0 {
			t.Fatalf("local trash %v", tr)
		}
	}},
	{row: "D6", run: func(t *testing.T, h *harness) {
		h.rput("dir/synced.txt", "s")
		h.rput("dir/edited.txt", "e1")
		h.rput("top.txt", "t")
		h.once()
		h.put("dir/new.txt", "unsynced")
		h.put("dir/edited.txt", "e2")
		h.rtrash("dir")
		h.once()
		h.wantLocal("dir/new.txt", "unsynced")
		h.wantLocal("dir/edited.txt", "e2")
		h.wantNoLocal("dir/synced.txt")
		h.wantRemote("dir/new.txt", "unsynced")
		h.wantRemote("dir/edited.txt", "e2")
		h.wantNoRemote("dir/synced.txt")
		if tr := h.trashed(); len(tr) != 1 || tr[0] != "dir/synced.txt" {
			t.Fatalf("local trash %v", tr)
		}
	}},
}
