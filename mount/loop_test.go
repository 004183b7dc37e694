package mount

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// eventually waits for cond, failing the test after a generous deadline
// (a bound against hangs, not a speed assertion).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startRun runs the mount in the background until the test ends.
func startRun(t *testing.T, h *harness) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	eventually(t, "the initial pass", func() bool { return h.m.Status().Phase == "idle" })
}

func (h *harness) remoteMD5(rel string) string {
	f, err := h.remote(rel)
	if err != nil {
		return ""
	}
	return f.MD5
}

// TestRunRemoteToLocal: the loop polls the changes feed and applies adds,
// edits, renames and trashes; an idle poll is one changes.list call.
func TestRunRemoteToLocal(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.Poll = 50 * time.Millisecond })
	h.rput("a.txt", "one")
	startRun(t, h)
	h.wantLocal("a.txt", "one")

	h.rput("a.txt", "two")
	h.rput("sub/b.txt", "bee")
	eventually(t, "remote edit and add", func() bool {
		a, _ := h.get("a.txt")
		b, _ := h.get("sub/b.txt")
		return a == "two" && b == "bee"
	})
	h.rmove("sub/b.txt", "c.txt")
	eventually(t, "remote rename", func() bool { c, _ := h.get("c.txt"); return c == "bee" })
	h.rput("pad.txt", "p")
	h.rput("pad2.txt", "p")
	eventually(t, "pads", func() bool { _, ok := h.get("pad2.txt"); return ok })
	h.rtrash("a.txt")
	eventually(t, "remote trash", func() bool { _, ok := h.get("a.txt"); return !ok })

	// Idle: every request is a changes.list.
	before := h.sv.Stats()
	polled := h.m.Status().LastPoll
	eventually(t, "three idle polls", func() bool { return h.m.Status().LastPoll.Sub(polled) >= 150*time.Millisecond })
	after := h.sv.Stats()
	if n := after.Methods["changes.list"] - before.Methods["changes.list"]; n < 2 || after.Requests-before.Requests != n {
		t.Fatalf("idle polls made %d requests, %d of them changes.list", after.Requests-before.Requests, n)
	}
}

// TestRunLocalToRemote: fsnotify events (new folders included) lead to
// uploads once files settle; a file written slowly goes up once, whole.
func TestRunLocalToRemote(t *testing.T) {
	t.Parallel()
	// Settle is 10× the writer's pauses, so a pause stretched by a loaded
	// CI machine (race detector, packages in parallel) stays below it.
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.Settle = time.Second })
	startRun(t, h)

	// A checkpoint written in pieces over ~1.2 s, pausing far less than Settle.
	p := filepath.Join(h.root, "runs", "exp1", "model.ckpt")
	os.MkdirAll(filepath.Dir(p), 0o755)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	hash := md5.New()
	chunk := make([]byte, 64<<10)
	for i := range 12 {
		for j := range chunk {
			chunk[j] = byte(i + j)
		}
		f.Write(chunk)
		hash.Write(chunk)
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	want := hex.EncodeToString(hash.Sum(nil))
	eventually(t, "the checkpoint on Drive", func() bool { return h.remoteMD5("runs/exp1/model.ckpt") == want })
	st := h.sv.Stats()
	if n := st.Methods["files.create.upload"] + st.Methods["files.update.upload"]; n != 1 {
		t.Fatalf("%d uploads of a file written once", n)
	}

	// A local rename is a metadata update, a delete goes to Drive's trash.
	id, _ := h.remote("runs/exp1/model.ckpt")
	if err := os.Rename(p, filepath.Join(h.root, "runs", "best.ckpt")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the rename on Drive", func() bool { g, err := h.remote("runs/best.ckpt"); return err == nil && g.ID == id.ID })
	if st2 := h.sv.Stats(); st2.MediaBytesIn != st.MediaBytesIn {
		t.Fatal("a rename uploaded content")
	}
	h.put("notes.txt", "n")
	if err := h.m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wantRemote("notes.txt", "n")
}

// TestUploadAbandonedWhenSourceChanges: a file that settled but changes
// again while its new revision is being sent (its writer paused longer
// than Settle and went on) is abandoned and sent again once complete.
func TestUploadAbandonedWhenSourceChanges(t *testing.T) {
	t.Parallel()
	var root atomic.Value
	var uploads, committed atomic.Int32
	// The first revision upload finds the writer back at work.
	wrap := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			upload := r.Method == http.MethodPatch && strings.HasPrefix(r.URL.Path, "/upload/")
			if upload && uploads.Add(1) == 1 {
				f, err := os.OpenFile(filepath.Join(root.Load().(string), "big.bin"), os.O_APPEND|os.O_WRONLY, 0)
				if err == nil {
					f.Write([]byte("tail"))
					f.Close()
				}
				// The server notices a client gone only once it reads the
				// body: hold the request while the engine's watch (every
				// 250 ms) sees the change and cancels it.
				time.Sleep(2 * time.Second)
			}
			rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
			next.ServeHTTP(rec, r)
			if upload && rec.code == http.StatusOK {
				committed.Add(1)
			}
		})
	}
	h := newHarnessWrap(t, fakedrive.Options{}, nil, wrap)
	root.Store(h.root)
	f0 := h.rput("big.bin", "v1")
	h.once()
	first := string(make([]byte, 2<<20))
	h.put("big.bin", first)
	sum := h.once()
	if sum.Uploaded != 1 {
		t.Fatalf("summary %s, want one upload", sum)
	}
	f, err := h.remote("big.bin")
	if err != nil || f.ID != f0.ID || f.MD5 != md5hex(first+"tail") {
		t.Fatalf("Drive has %+v (%v), want the complete file as a revision of %s", f, err, f0.ID)
	}
	if n := uploads.Load(); n != 2 {
		t.Fatalf("%d revision uploads, want the abandoned one and the complete one", n)
	}
	if n := committed.Load(); n != 1 {
		t.Fatalf("%d revision uploads committed, want 1: the first was not abandoned", n)
	}
}

// statusRecorder notes the status a handler answers with.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// TestStatusProgressFetch: Status counts what is mirrored, Progress
// reports every transfer, Fetch answers for paths and refuses unknown ones,
// and Flush/Fetch without a running loop say so.
func TestStatusProgressFetch(t *testing.T) {
	t.Parallel()
	var last Progress
	calls := 0
	h := newHarness(t, fakedrive.Options{}, func(c *Config) {
		c.Progress = func(p Progress) { last = p; calls++ }
	})
	h.rput("a/one.txt", "1")
	h.rput("a/two.txt", "22")
	h.rput("three.txt", "333")
	if err := h.m.Flush(context.Background()); err != errNotRunning {
		t.Fatalf("Flush before Run = %v, want errNotRunning", err)
	}
	h.once()
	st := h.m.Status()
	if st.Files != 3 || st.Dirs != 1 || st.Bytes != 6 || st.Phase != "stopped" || st.LastPoll.IsZero() {
		t.Fatalf("status %+v", st)
	}
	if calls != 3 || last.Files != 3 || last.TotalFiles != 3 || last.Bytes != 6 || last.TotalBytes != 6 {
		t.Fatalf("progress %+v after %d calls", last, calls)
	}
	startRun(t, h)
	if err := h.m.Fetch(context.Background(), []string{"a/one.txt", "three.txt", "a"}); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Fetch(context.Background(), []string{"nope.txt"}); err == nil || !strings.Contains(err.Error(), "nope.txt") {
		t.Fatalf("Fetch of an unknown path = %v", err)
	}
}

// TestRunWatchMovedFolder: after a folder is moved locally, files written
// into it at its new place are still seen by the watcher (no rescan).
func TestRunWatchMovedFolder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	h.rput("d/a.txt", "a")
	startRun(t, h)
	h.wantLocal("d/a.txt", "a")
	if err := os.Rename(filepath.Join(h.root, "d"), filepath.Join(h.root, "e")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the folder move on Drive", func() bool { _, err := h.remote("e/a.txt"); return err == nil })
	h.put("e/b.txt", "b")
	eventually(t, "a file in the moved folder on Drive", func() bool { return h.remoteMD5("e/b.txt") == md5hex("b") })
	os.MkdirAll(filepath.Join(h.root, "e", "sub"), 0o755)
	h.put("e/sub/c.txt", "c")
	eventually(t, "a file in a new folder inside it", func() bool { return h.remoteMD5("e/sub/c.txt") == md5hex("c") })
}

// TestRestartAppliesChanges: changes made on Drive while the engine was
// down come from the saved page token when it returns, without listing.
func TestRestartAppliesChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	h.rput("a.txt", "a1")
	h.rput("b.txt", "b")
	h.rput("c.txt", "c")
	h.once()
	h.store.Close()
	h.store = nil
	h.rput("a.txt", "a2")
	h.rmove("b.txt", "sub/b2.txt")
	h.rput("n.txt", "new")
	h.reopen()
	before := h.sv.Stats()
	sum := h.once()
	after := h.sv.Stats()
	h.wantLocal("a.txt", "a2")
	h.wantLocal("sub/b2.txt", "b")
	h.wantLocal("n.txt", "new")
	h.wantNoLocal("b.txt")
	// One listing: of the new folder "sub", which might have been moved
	// in with contents the feed does not list. The mirror is not listed.
	if n := after.Methods["files.list"] - before.Methods["files.list"]; n != 1 {
		t.Fatalf("%d listings after a restart with a page token, want 1 (the new folder)", n)
	}
	if sum.Downloaded != 2 {
		t.Fatalf("summary %s: want a.txt and n.txt downloaded, b moved", sum)
	}
}

// TestRunRootVanishes: a mirror folder that disappears under a running
// mount (an unmounted disk) deletes nothing on Drive.
func TestRunRootVanishes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	h.rput("a.txt", "a")
	h.rput("b.txt", "b")
	startRun(t, h)
	h.wantLocal("a.txt", "a")
	os.RemoveAll(h.root)
	os.MkdirAll(h.root, 0o755) // the empty mount point
	h.put("x", "x")            // an event, so the watcher schedules a pass
	eventually(t, "the error in status", func() bool { return strings.Contains(h.m.Status().LastError, "marker") })
	if err := h.m.Flush(context.Background()); !errors.Is(err, ErrNoMarker) {
		t.Fatalf("Flush = %v, want ErrNoMarker", err)
	}
	h.wantRemote("a.txt", "a")
	h.wantRemote("b.txt", "b")
	h.wantNoRemote("x")
}

// TestRunFolderTrashedAfterMoveOut: the running daemon sees a Drive folder
// renamed, a file moved out of it and the folder trashed (found by
// TestSoak): the file moves out and the folder goes, not created again. A
// folder trashed on Drive that still holds a local file being written
// comes back with it (D6) once the file settles, with no local event to
// wake the loop: the poll's pass itself looks again at what waited.
func TestRunFolderTrashedAfterMoveOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, func(c *Config) {
		c.Poll = 50 * time.Millisecond
		c.Settle = 500 * time.Millisecond
		c.Debounce = time.Hour // only the polls' passes act
	})
	h.rput("d1/a.txt", "a")
	h.rput("d1/b.txt", "b")
	h.rput("d3/c.txt", "c")
	startRun(t, h)
	h.wantLocal("d1/a.txt", "a")

	h.rmove("d1", "d2")
	eventually(t, "the folder renamed", func() bool { a, _ := h.get("d2/a.txt"); return a == "a" })
	h.rmove("d2/a.txt", "a.txt")
	h.rtrash("d2")
	// Written now: not settled when the poll sees d3 trashed.
	if err := os.WriteFile(filepath.Join(h.root, "d3", "new.txt"), []byte("local only"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.rtrash("d3")
	eventually(t, "the file moved out, the folder gone", func() bool {
		_, err := os.Stat(filepath.Join(h.root, "d2"))
		a, _ := h.get("a.txt")
		return a == "a" && errors.Is(err, os.ErrNotExist)
	})
	eventually(t, "the local file on Drive in d3 again", func() bool { return h.remoteMD5("d3/new.txt") == md5hex("local only") })
	polled := h.m.Status().LastPoll
	eventually(t, "three more polls", func() bool { return h.m.Status().LastPoll.Sub(polled) >= 150*time.Millisecond })
	h.wantNoRemote("d2")
	if _, err := os.Stat(filepath.Join(h.root, "d2")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("local d2: %v, want it gone", err)
	}
	if _, err := os.Stat(filepath.Join(h.root, "d3", "c.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("local d3/c.txt: %v, want it in the local trash", err)
	}
}

// TestRunBusyFolderStillScans: a file written every 50 ms (a training
// log) keeps the watcher busy without end; a checkpoint written beside it
// still goes up, the scan coming at most ten Debounce intervals after the
// first event.
func TestRunBusyFolderStillScans(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.Debounce = 200 * time.Millisecond })
	h.rput("runs/keep.txt", "k")
	startRun(t, h)
	h.wantLocal("runs/keep.txt", "k")
	log, err := os.Create(filepath.Join(h.root, "runs", "train.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	h.put("runs/best.ckpt", "weights")
	deadline := time.Now().Add(15 * time.Second)
	for h.remoteMD5("runs/best.ckpt") != md5hex("weights") {
		if time.Now().After(deadline) {
			t.Fatal("the checkpoint did not reach Drive in 15 s of a log written every 50 ms")
		}
		fmt.Fprintf(log, "step %s\n", time.Now())
		time.Sleep(50 * time.Millisecond)
	}
}
