//go:build linux

package mount

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// mountTmpfs mounts a tmpfs of the given size ("256k") on dir, unmounted
// at the end of the test (before the temp dirs go; register it after
// anything that must be closed first, which runs before it). The test is
// skipped where mounting is not allowed (it needs root).
func mountTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs on %s to fill it (%v): run as root on Linux", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
}

// growTmpfs gives the tmpfs on dir more room.
func growTmpfs(t *testing.T, dir, size string) {
	t.Helper()
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_REMOUNT, "size="+size); err != nil {
		t.Fatalf("remount %s with size=%s: %v", dir, size, err)
	}
}

// diskFullFiles puts on Drive n files of 64 KiB with distinct contents
// and returns path -> content.
func diskFullFiles(h *harness, n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		rel := fmt.Sprintf("big/f%02d.bin", i)
		c := strings.Repeat(fmt.Sprintf("%02d-", i), 64<<10/3+1)[:64<<10]
		h.rput(rel, c)
		files[rel] = c
	}
	return files
}

// checkMirror fails if a file at a final path holds anything but its
// whole content, or a download temp file is left; it returns how many of
// files are complete on disk.
func checkMirror(t *testing.T, root string, files map[string]string) int {
	t.Helper()
	complete := 0
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == Marker {
			return nil
		}
		if ignored(rel) || strings.Contains(rel, ".drivesync-") {
			t.Errorf("temp file left: %s", rel)
			return nil
		}
		b, _ := os.ReadFile(p)
		want, ok := files[rel]
		switch {
		case !ok:
			t.Errorf("unexpected local file %s", rel)
		case string(b) != want:
			t.Errorf("%s holds %d bytes that are not its content (%d bytes)", rel, len(b), len(want))
		default:
			complete++
		}
		return nil
	})
	return complete
}

// checkStore reopens the store and checks every entry decodes and every
// file entry with a local base matches the file on disk.
func checkStore(t *testing.T, h *harness) {
	t.Helper()
	h.store.Close()
	s, err := cache.Open(filepath.Join(h.state, "state.db"), cache.Options{})
	if err != nil {
		t.Fatalf("reopen the store: %v", err)
	}
	defer s.Close()
	n := 0
	err = s.Walk(".", func(e cache.Entry) error {
		n++
		if e.IsDir || e.Local == (cache.LocalBase{}) {
			return nil
		}
		fi, err := os.Lstat(filepath.Join(h.root, filepath.FromSlash(e.Path)))
		if err != nil {
			return fmt.Errorf("%s has a local base but: %w", e.Path, err)
		}
		if e.LocalChanged(fi) {
			return fmt.Errorf("%s: the store's local base is not the file on disk", e.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store after the full disk: %v", err)
	}
	t.Logf("store reopened: %d entries, consistent with the disk", n)
}

// wantDiskFullError checks the pass failed naming a file of the mirror
// and the cause.
func wantDiskFullError(t *testing.T, sum Summary, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("a pass onto a full disk succeeded: %s", sum)
	}
	msg := err.Error()
	if !strings.Contains(msg, "no space left on device") || !strings.Contains(msg, "big/f") {
		t.Fatalf("error does not name the file and the cause: %v", err)
	}
	t.Logf("%s; first error: %v", sum, sum.Errors[0])
}

// S6 (docs/sync-semantics.md): Drive holds more than the local disk has
// room for. The pass fails naming the file and "no space left on device",
// leaves no partial file at a final path and no temp file, postpones the
// other downloads, keeps the store consistent with the disk, and once
// there is room the next pass completes with every md5 equal. Each case
// mounts a small tmpfs (root on Linux; skipped otherwise).
func init() {
	syncRows = append(syncRows, syncRow{row: "S6", run: func(t *testing.T, _ *harness) { testDiskFull(t) }})
}

func testDiskFull(t *testing.T) {
	t.Run("mirror", func(t *testing.T) {
		h := newHarness(t, fakedrive.Options{}, nil)
		files := diskFullFiles(h, 20) // 1.25 MiB
		mountTmpfs(t, h.root, "256k")
		before := h.sv.Stats().Methods["files.get.media"]
		sum, err := h.m.Once(context.Background())
		wantDiskFullError(t, sum, err)
		fit := checkMirror(t, h.root, files)
		if fit == len(files) {
			t.Fatalf("all %d files fit on a 256 KiB disk", fit)
		}
		// Once the disk is found full the other downloads wait: no more
		// than the ones in flight fail, each reported, plus one line for
		// those postponed.
		tried := h.sv.Stats().Methods["files.get.media"] - before
		if int(tried) > fit+h.cfg.Parallel || sum.Failed > h.cfg.Parallel+1 {
			t.Fatalf("%d files fit, %d downloads tried, %d failures reported (Parallel %d)", fit, tried, sum.Failed, h.cfg.Parallel)
		}
		if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "more downloads wait for room") {
			t.Fatalf("no word of the postponed downloads: %v", err)
		}
		checkStore(t, h)
		growTmpfs(t, h.root, "4m")
		h.reopen()
		h.once()
		if n := checkMirror(t, h.root, files); n != len(files) {
			t.Fatalf("%d of %d files complete after the disk grew", n, len(files))
		}
		for rel, c := range files {
			h.wantLocal(rel, c)
		}
	})
	t.Run("state", func(t *testing.T) {
		// The mirror and the state store on the same full disk: the
		// store's writes fail too, and are reported, not a panic.
		h := newHarness(t, fakedrive.Options{}, nil)
		files := diskFullFiles(h, 8)
		h.store.Close()
		disk := filepath.Join(filepath.Dir(h.root), "disk")
		mountTmpfs(t, disk, "320k")
		h.root, h.state = filepath.Join(disk, "root"), filepath.Join(disk, "state")
		h.cfg.Root, h.cfg.StateDir = h.root, h.state
		if err := os.MkdirAll(h.state, 0o755); err != nil {
			t.Fatal(err)
		}
		h.store = nil
		h.reopen()
		sum, err := h.m.Once(context.Background())
		wantDiskFullError(t, sum, err)
		checkMirror(t, h.root, files)
		checkStore(t, h)
		growTmpfs(t, disk, "4m")
		h.reopen()
		h.once()
		if n := checkMirror(t, h.root, files); n != len(files) {
			t.Fatalf("%d of %d files complete after the disk grew", n, len(files))
		}
		for rel, c := range files {
			h.wantLocal(rel, c)
		}
		checkStore(t, h)
	})
	t.Run("store", func(t *testing.T) {
		// A mirror in sync, then its disk fills up and Drive changes: the
		// store cannot save them. The pass says so; once the filler is
		// removed the next pass catches up.
		h := newHarness(t, fakedrive.Options{}, nil)
		h.store.Close()
		disk := filepath.Join(filepath.Dir(h.root), "disk")
		mountTmpfs(t, disk, "1m")
		h.root, h.state = filepath.Join(disk, "root"), filepath.Join(disk, "state")
		h.cfg.Root, h.cfg.StateDir = h.root, h.state
		if err := os.MkdirAll(h.state, 0o755); err != nil {
			t.Fatal(err)
		}
		h.store = nil
		h.reopen()
		files := map[string]string{}
		for i := range 4 {
			rel := fmt.Sprintf("small/s%02d.txt", i)
			files[rel] = fmt.Sprint("small ", i)
			h.rput(rel, files[rel])
		}
		// A folder of 60 files outside the mirror, moved in once the
		// disk is full: the changes feed has the folder only (the files
		// changed before the token the first pass saved); its listing
		// has the files.
		ctx := context.Background()
		dir, err := h.other.Mkdir(ctx, "root", "outside")
		if err != nil {
			t.Fatal(err)
		}
		src := filepath.Join(t.TempDir(), "src")
		for i := range 60 {
			name := fmt.Sprintf("m%02d-with-a-longer-name-to-fill-the-store.txt", i)
			files["more/"+name] = fmt.Sprint("more ", i)
			if err := os.WriteFile(src, []byte(files["more/"+name]), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := h.other.Create(ctx, dir.ID, name, src); err != nil {
				t.Fatal(err)
			}
		}
		h.once()
		filler := filepath.Join(disk, "filler")
		fill(t, filler)
		if _, err := h.other.Move(ctx, dir.ID, dir.Parents[0], h.rootID, "more"); err != nil {
			t.Fatal(err)
		}
		sum, err := h.m.Once(ctx)
		if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "state.db") {
			t.Fatalf("pass onto a full disk: %s, %v; want the store's file and no space left on device", sum, err)
		}
		t.Logf("%s; %v", sum, err)
		checkMirror(t, h.root, files)
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		// The same engine polls again, now with room: what it could not
		// save is fetched again and saved, the folder's files included,
		// so a restart (below) knows them.
		if _, err := h.m.refreshRemote(ctx); err != nil {
			t.Fatal(err)
		}
		h.store.Close()
		s, err := cache.Open(filepath.Join(h.state, "state.db"), cache.Options{})
		if err != nil {
			t.Fatal(err)
		}
		saved, _ := s.Len()
		s.Close()
		if saved != 66 {
			t.Fatalf("after the poll the store holds %d entries, want 66 (2 folders, 64 files)", saved)
		}
		checkStore(t, h)
		h.reopen()
		h.once()
		if n := checkMirror(t, h.root, files); n != len(files) {
			t.Fatalf("%d of %d files complete after the filler went", n, len(files))
		}
		checkStore(t, h)
	})
	t.Run("trash", func(t *testing.T) {
		// A file deleted on Drive goes to the local trash, here on another
		// disk, which is full: the copy fails, the file stays where it is
		// until there is room.
		h := newHarness(t, fakedrive.Options{}, nil)
		h.rput("doomed.bin", strings.Repeat("d", 64<<10))
		h.once()
		trash := filepath.Join(h.state, "trash")
		mountTmpfs(t, trash, "64k")
		filler := filepath.Join(trash, "filler")
		fill(t, filler)
		h.rtrash("doomed.bin")
		sum, err := h.m.Once(context.Background())
		if err == nil || !strings.Contains(err.Error(), "doomed.bin") || !strings.Contains(err.Error(), "no space left on device") {
			t.Fatalf("trash onto a full disk: %s, %v", sum, err)
		}
		h.wantLocal("doomed.bin", strings.Repeat("d", 64<<10))
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		h.once()
		h.wantNoLocal("doomed.bin")
		if tr := h.trashed(); len(tr) != 1 || tr[0] != "doomed.bin" {
			t.Fatalf("local trash: %v", tr)
		}
	})
}

// fill writes the file p until its disk is full.
func fill(t *testing.T, p string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, unix.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}
