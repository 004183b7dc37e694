package mount

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestKilledDownloadThenDeletedOnDrive: a run killed after it made a
// local folder and file from Drive but before it recorded them leaves
// items the store knows only as Drive's; if Drive deletes them before the
// next run, that run puts them in the local trash (D1) instead of
// uploading them as new local items, which would bring back on Drive what
// was deleted there. (Found by TestSoak: a SIGKILL 10 ms after a folder's
// download; the folder came back on Drive.) A local file of other
// content at such a path is the user's, and is uploaded.
func TestKilledDownloadThenDeletedOnDrive(t *testing.T) {
	var failMedia atomic.Bool
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failMedia.Load() && r.URL.Query().Get("alt") == "media" {
				http.Error(w, `{"error":{"code":400,"message":"refused by the test"}}`, http.StatusBadRequest)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	h := newHarnessWrap(t, fakedrive.Options{}, nil, wrap)
	h.rput("keep.txt", "k")
	h.once()
	h.rput("d/f.txt", "from drive")
	h.rput("g.txt", "from drive too")
	h.rput("mine.txt", "drive's")
	// The run sees the items but neither makes nor records them: as if
	// killed at the moment between.
	failMedia.Store(true)
	h.m.Once(context.Background()) // fails: the files are not fetched
	failMedia.Store(false)
	// The folder was made and recorded; take its base back, as a kill
	// between os.Mkdir and the store's update leaves it.
	d, err := h.store.ByPath("d")
	if err != nil || !d.Synced() {
		t.Fatalf("folder d: %+v, %v", d, err)
	}
	d.Local, d.Remote = cache.LocalBase{}, cache.RemoteBase{}
	if err := h.store.Put(d); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	for rel, content := range map[string]string{"d/f.txt": "from drive", "g.txt": "from drive too", "mine.txt": "the user's own"} {
		h.put(rel, content)
	}
	h.rtrash("d")
	h.rtrash("g.txt")
	h.rtrash("mine.txt")
	sum := h.once()
	if sum.Failed != 0 || sum.Uploaded != 1 {
		t.Fatalf("summary %s: want only the user's mine.txt uploaded", sum)
	}
	h.wantNoRemote("d")
	h.wantNoRemote("g.txt")
	h.wantRemote("mine.txt", "the user's own")
	for _, rel := range []string{"d", "g.txt"} {
		if _, err := os.Lstat(filepath.Join(h.root, rel)); !os.IsNotExist(err) {
			t.Errorf("local %s: %v, want it in the local trash", rel, err)
		}
	}
	if tr := h.trashed(); len(tr) != 2 {
		t.Errorf("local trash %v, want d/f.txt and g.txt", tr)
	}
}
