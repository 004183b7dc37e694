//go:build linux

package mount

import (
	"crypto/md5"
	"encoding/hex"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// holdOpen starts a process that holds f open (with f's access mode) until
// the returned stop is called or the test ends; the caller's own
// descriptor is closed, so only that process has the file.
func holdOpen(t *testing.T, f *os.File) (stop func()) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command to hold a file open")
	}
	cmd := exec.Command(sleep, "600")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	t.Cleanup(stop)
	return stop
}

func openAt(t *testing.T, p string, flag int) *os.File {
	t.Helper()
	f, err := os.OpenFile(p, flag|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func devInoOf(t *testing.T, p string) (uint64, uint64) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino, ok := devIno(fi)
	if !ok {
		t.Fatal("no device and inode")
	}
	return dev, ino
}

// TestWritersOn: files another process has open write-only or read-write
// are found, a read-only one is not, nor the caller's own; once that
// process is gone, none is.
func TestWritersOn(t *testing.T) {
	dir := t.TempDir()
	w, rw, ro, own := filepath.Join(dir, "w"), filepath.Join(dir, "rw"), filepath.Join(dir, "ro"), filepath.Join(dir, "own")
	openAt(t, ro, os.O_WRONLY).Close()
	stopW := holdOpen(t, openAt(t, w, os.O_WRONLY|os.O_APPEND))
	stopRW := holdOpen(t, openAt(t, rw, os.O_RDWR))
	stopRO := holdOpen(t, openAt(t, ro, os.O_RDONLY))
	defer stopRO()
	mine := openAt(t, own, os.O_WRONLY)
	defer mine.Close()

	dev, _ := devInoOf(t, w)
	got, err := writersOn(dev, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{w: true, rw: true, ro: false, own: false} {
		_, ino := devInoOf(t, p)
		if got[ino] != want {
			t.Errorf("%s: open for writing %t, want %t", filepath.Base(p), got[ino], want)
		}
	}
	stopW()
	stopRW()
	got, err = writersOn(dev, os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{w, rw} {
		if _, ino := devInoOf(t, p); got[ino] {
			t.Errorf("%s: still open for writing after its process ended", filepath.Base(p))
		}
	}
}

func TestFdinfoFlags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"pos:\t0\nflags:\t0100001\nmnt_id:\t29\nino:\t1234\n", 0o100001, true},
		{"pos:\t0\nflags:\t02\n", 0o2, true},
		{"flags:\t0\n", 0, true},
		{"flags:\t0100001", 0o100001, true}, // no final newline
		{"pos:\t0\n", 0, false},
		{"flags:\t09\n", 0, false}, // not octal
		{"flags:\t\n", 0, false},
		{"", 0, false},
	} {
		got, ok := fdinfoFlags([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("fdinfoFlags(%q) = %o, %t; want %o, %t", c.in, got, ok, c.want, c.ok)
		}
	}
}

// FuzzFdinfoFlags: never panics; what it accepts is the octal number of
// a flags line.
func FuzzFdinfoFlags(f *testing.F) {
	f.Add([]byte("pos:\t0\nflags:\t0100001\nmnt_id:\t29\n"))
	f.Add([]byte("flags:\t777777777777777777777777\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, ok := fdinfoFlags(b)
		if !ok {
			return
		}
		for line := range strings.Lines(string(b)) {
			if rest, found := strings.CutPrefix(line, "flags:"); found {
				if strings.TrimLeft(strings.TrimSpace(rest), "0") != strings.TrimLeft(formatOctal(v), "0") {
					t.Fatalf("flags line %q parsed as %o", line, v)
				}
				return
			}
		}
		t.Fatalf("accepted %q without a flags line", b)
	})
}

func formatOctal(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 8 {
		b = append([]byte{byte('0' + v%8)}, b...)
	}
	return string(b)
}

// TestSettledWaitsForWriter: a file still and old enough, but open for
// writing in another process, is not settled until that process closes
// it, or for OpenHold at most; then a new hold starts. OpenHold < 0 and
// Flush (force) do not wait.
func TestSettledWaitsForWriter(t *testing.T) {
	dir := t.TempDir()
	base := time.Now()
	now := base
	m := &Mount{cfg: Config{Root: dir, Settle: 2 * time.Second, OpenHold: time.Minute, Now: func() time.Time { return now }},
		log: slog.New(slog.DiscardHandler), settle: map[string]obs{}, held: map[string]time.Time{}}
	p := filepath.Join(dir, "best.h5")
	stop := holdOpen(t, openAt(t, p, os.O_WRONLY))
	old := base.Add(-time.Minute)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	l, ok := m.statLocal("best.h5")
	if !ok {
		t.Fatal("no local file")
	}
	at := func(d time.Duration, want bool) {
		t.Helper()
		now = base.Add(d)
		if got := m.settled("best.h5", l); got != want {
			t.Fatalf("at +%v: settled %t, want %t", d, got, want)
		}
	}
	at(0, false)
	at(30*time.Second, false)
	at(59*time.Second, false)
	at(61*time.Second, true)  // held long enough: goes up as it is
	at(62*time.Second, false) // still open: a new hold
	m.force = true
	at(63*time.Second, true)
	m.force = false
	m.cfg.OpenHold = -1
	at(64*time.Second, true)
	m.cfg.OpenHold = time.Minute
	at(65*time.Second, false)
	stop()
	at(66*time.Second, true) // closed
	if len(m.held) != 0 {
		t.Errorf("held after the close: %v", m.held)
	}
}

// TestRunWaitsForWriterToClose: a checkpoint whose writer (another
// process) pauses far longer than Settle with the file open goes up once,
// complete, after the close; before, a pause past Settle sent it twice.
func TestRunWaitsForWriterToClose(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.Poll = 50 * time.Millisecond })
	startRun(t, h)
	before := h.sv.Stats()
	p := filepath.Join(h.root, "best.h5")
	f := openAt(t, p, os.O_WRONLY|os.O_TRUNC)
	if _, err := f.WriteString("first half;"); err != nil {
		t.Fatal(err)
	}
	stop := holdOpen(t, f) // the writer, stalled with the file open
	// Another file held, then deleted: it leaves the status.
	scratch := filepath.Join(h.root, "scratch.bin")
	holdOpen(t, openAt(t, scratch, os.O_WRONLY))
	time.Sleep(1500 * time.Millisecond) // 30 × Settle
	h.wantNoRemote("best.h5")
	h.wantNoRemote("scratch.bin")
	if got := h.m.Status().HeldOpen; !slices.Equal(got, []string{"best.h5", "scratch.bin"}) {
		t.Errorf("status lists %q as held open, want [best.h5 scratch.bin]", got)
	}
	if err := os.Remove(scratch); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted file out of the status", func() bool {
		return slices.Equal(h.m.Status().HeldOpen, []string{"best.h5"})
	})
	g := openAt(t, p, os.O_WRONLY|os.O_APPEND)
	if _, err := g.WriteString("second half"); err != nil {
		t.Fatal(err)
	}
	g.Close()
	stop() // the writer closes
	sum := md5.Sum([]byte("first half;second half"))
	want := hex.EncodeToString(sum[:])
	eventually(t, "the checkpoint on Drive", func() bool { return h.remoteMD5("best.h5") == want })
	after := h.sv.Stats()
	if n := after.Methods["files.create.upload"] - before.Methods["files.create.upload"] +
		after.Methods["files.update.upload"] - before.Methods["files.update.upload"]; n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}
	eventually(t, "the status without held files", func() bool { return len(h.m.Status().HeldOpen) == 0 })
}
