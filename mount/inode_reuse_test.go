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
	ino := func(rel string) uint64 {
		fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	was := ino("d/a.bin")
	if err := os.RemoveAll(filepath.Join(h.root, "d")); err != nil {
		t.Fatal(err)
	}
	reused := ""
	for i := range 200 {
		p := fmt.Sprintf("t/new%03d.bin", i)
		h.put(p, fmt.Sprintf("new content %d", i))
		if ino(p) == was {
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
