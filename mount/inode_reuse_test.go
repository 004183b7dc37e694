package mount

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestInodeReuseIsNotAMove: a file deleted locally whose inode the file
// system hands to a new file elsewhere is not a move (R2) of the deleted
// file to the new path: the new file is uploaded as a file of its own,
// the deleted one goes to Drive's trash. (Found by TestSoak: the reused
// inode made the engine move the deleted file's Drive item onto the new
// path, beside the new file's own upload.)
func TestInodeReuseIsNotAMove(t *testing.T) {
	h := newHarness(t, fakedrive.Options{}, nil)
	for i := range 4 {
		h.rput(fmt.Sprintf("keep/k%d.txt", i), "k")
	}
	old := h.rput("d/a.bin", "the old content")
	h.once()
	was := h.inode("d/a.bin")
	if err := os.RemoveAll(filepath.Join(h.root, "d")); err != nil {
		t.Fatal(err)
	}
	reused := ""
	for i := range 200 {
		p := fmt.Sprintf("t/new%03d.bin", i)
		h.put(p, fmt.Sprintf("new content %d", i))
		if h.inode(p) == was {
			reused = p
			break
		}
	}
	if reused == "" {
		t.Skip("the file system did not hand the freed inode out again")
	}
	sum := h.once()
	if sum.Failed != 0 {
		t.Fatalf("summary %s", sum)
	}
	g, err := h.remote(reused)
	if err != nil {
		t.Fatalf("%s on Drive: %v", reused, err)
	}
	if g.ID == old.ID {
		t.Fatalf("%s on Drive is the deleted d/a.bin's file %s, moved: a reused inode was taken for a move", reused, old.ID)
	}
	h.wantNoRemote("d/a.bin")
	if got, err := h.c.Get(t.Context(), old.ID); err != nil || !got.Trashed {
		t.Fatalf("the deleted d/a.bin on Drive: %+v, %v; want it in the trash", got, err)
	}
}

// TestFolderInodeReuseIsNotAMove: the same for a folder: a folder deleted
// locally with its files (rm -r), whose inode a new folder elsewhere gets,
// is not that folder moved: the old one goes to Drive's trash whole, the
// new one is created. (Found by TestSoak: the deleted folder's Drive item
// was moved onto the new folder's path, its files trashed one by one.)
func TestFolderInodeReuseIsNotAMove(t *testing.T) {
	h := newHarness(t, fakedrive.Options{}, nil)
	for i := range 4 {
		h.rput(fmt.Sprintf("keep/k%d.txt", i), "k")
	}
	h.rput("t1/d/a.bin", "a")
	h.rput("t1/d/b.bin", "b")
	h.rput("t0/x.txt", "x")
	old := h.rmkdirs("t1/d")
	h.once()
	was := h.inode("t1/d")
	if err := os.RemoveAll(filepath.Join(h.root, "t1", "d")); err != nil {
		t.Fatal(err)
	}
	reused := ""
	for i := range 200 {
		p := fmt.Sprintf("t0/new%03d", i)
		if err := os.Mkdir(filepath.Join(h.root, filepath.FromSlash(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if h.inode(p) == was {
			reused = p
			break
		}
	}
	if reused == "" {
		t.Skip("the file system did not hand the freed inode out again")
	}
	if sum := h.once(); sum.Failed != 0 || sum.Renamed != 0 {
		t.Fatalf("summary %s: want no rename", sum)
	}
	g, err := h.remote(reused)
	if err != nil {
		t.Fatalf("%s on Drive: %v", reused, err)
	}
	if g.ID == old {
		t.Fatalf("%s on Drive is the deleted t1/d's folder %s, moved: a reused inode was taken for a move", reused, old)
	}
	if got, err := h.c.Get(t.Context(), old); err != nil || !got.Trashed {
		t.Fatalf("the deleted t1/d on Drive: %+v, %v; want it in the trash", got, err)
	}
	h.wantNoRemote("t1/d")
}

// inode is the inode number of the local item at rel.
func (h *harness) inode(rel string) uint64 {
	h.t.Helper()
	fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(rel)))
	if err != nil {
		h.t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
