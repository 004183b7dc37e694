package mount

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// readFailRemote is the engine's client with local read errors injected
// into uploads: Create and Update of a source fail calls fails as the
// client does when it cannot read the file (an I/O error).
type readFailRemote struct {
	Remote
	fails func(src string) bool
}

func (r readFailRemote) Create(ctx context.Context, parentID, name, src string) (drive.File, error) {
	if r.fails(src) {
		return drive.File{}, &fs.PathError{Op: "read", Path: src, Err: syscall.EIO}
	}
	return r.Remote.Create(ctx, parentID, name, src)
}

func (r readFailRemote) Update(ctx context.Context, id, src string) (drive.File, error) {
	if r.fails(src) {
		return drive.File{}, &fs.PathError{Op: "read", Path: src, Err: syscall.EIO}
	}
	return r.Remote.Update(ctx, id, src)
}

// S7 (docs/sync-semantics.md): a local file that cannot be read while it
// is uploaded (new, or edited since the last sync) is not lost: the pass
// reports it by name, the file stays as it is, nothing about it is
// recorded as synced, and once it reads again it goes up.
func init() {
	syncRows = append(syncRows, syncRow{row: "S7", run: testLocalReadError})
}

func testLocalReadError(t *testing.T, h *harness) {
	var broken atomic.Bool
	broken.Store(true)
	h.put("up/old.txt", "old")
	h.once()
	h.cfg.Remote = readFailRemote{Remote: h.c, fails: func(src string) bool {
		return broken.Load() && strings.HasSuffix(src, ".txt")
	}}
	h.reopen()
	h.put("up/old.txt", "edited")
	h.put("up/new.txt", "new")
	sum, err := h.m.Once(context.Background())
	if err == nil || !strings.Contains(err.Error(), "up/new.txt") || !strings.Contains(err.Error(), "up/old.txt") ||
		!strings.Contains(err.Error(), "input/output error") {
		t.Fatalf("pass with unreadable files: %s, %v; want both named, with the cause", sum, err)
	}
	h.wantLocal("up/old.txt", "edited")
	h.wantLocal("up/new.txt", "new")
	h.wantRemote("up/old.txt", "old")
	h.wantNoRemote("up/new.txt")
	if _, err := h.store.ByPath("up/new.txt"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("an upload that failed is in the store: %v", err)
	}
	if e, err := h.store.ByPath("up/old.txt"); err != nil || e.Local.MD5 != md5hex("old") {
		t.Fatalf("the base of a file whose update failed moved: %+v, %v", e, err)
	}
	if tr := h.trashed(); len(tr) != 0 {
		t.Fatalf("local trash: %v", tr)
	}
	broken.Store(false)
	h.once()
	h.wantRemote("up/old.txt", "edited")
	h.wantRemote("up/new.txt", "new")
	h.wantLocal("up/old.txt", "edited")
	h.wantLocal("up/new.txt", "new")
}
