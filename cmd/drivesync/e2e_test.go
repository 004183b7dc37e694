package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
)

// The end-to-end test runs the built binary as a user would: a background
// demo daemon, status, a write, flush, a second daemon refused, SIGKILL
// and resume, unmount.

type e2e struct {
	t    *testing.T
	bin  string
	home string
	env  []string // more environment for every command
}

// environ is the environment the binary runs with.
func (e *e2e) environ() []string {
	env := append(os.Environ(), "DRIVESYNC_HOME="+e.home, "DRIVESYNC_CONFIG="+filepath.Join(e.home, "config"), "GORACE=halt_on_error=1")
	return append(env, e.env...)
}

func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "drivesync")
	args := []string{"build", "-o", bin}
	if raceBuild {
		args = append(args, "-race")
	}
	out, err := exec.Command(gobin, append(args, ".")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// run runs the binary and returns stdout, stderr and the exit code.
func (e *e2e) run(args ...string) (string, string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("%v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

func (e *e2e) mustRun(args ...string) string {
	e.t.Helper()
	out, errOut, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("drivesync %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (e *e2e) status(dir string) apiStatus {
	e.t.Helper()
	var st apiStatus
	if err := json.Unmarshal([]byte(e.mustRun("status", "--json", dir)), &st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

// processGone reports whether pid has exited (a zombie counts).
func processGone(pid int) bool { return !processRunning(pid) }

// waitFor polls cond until it holds, failing after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// onDrive returns the md5 of the file at path on the mount's demo drive.
func onDrive(t *testing.T, md mountDirs, path string) (string, error) {
	t.Helper()
	info, err := readMountInfo(md.Info())
	if err != nil {
		t.Fatal(err)
	}
	c, err := drive.New(context.Background(), drive.Options{Endpoint: info.Endpoint, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: info.DemoToken})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f, err := c.ResolvePath(context.Background(), info.RootID, path)
	return f.MD5, err
}

func md5Hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

func inode(t *testing.T, p string) uint64 {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestE2EDemo(t *testing.T) {
	e := &e2e{t: t, bin: buildBinary(t), home: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "mirror")
	md, err := dirs{State: filepath.Join(e.home, "state"), Runtime: filepath.Join(e.home, "run")}.mountDirsOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	t.Cleanup(func() { // never leave a daemon behind, even when the test fails
		for _, pid := range pids {
			if !processGone(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})

	out := e.mustRun("mount", "--demo", "--poll", "1s", dir)
	if !strings.Contains(out, "is mirrored") {
		t.Errorf("mount output %q", out)
	}
	st := e.status(dir)
	pids = append(pids, st.PID)
	if !st.Running || st.Phase != "idle" || st.Files < 300 || !st.Demo || st.PendingDownloads != 0 {
		t.Fatalf("status after mount: %+v", st)
	}
	if n := len(strings.Fields(e.mustRun("glob", "--dir", dir, "checkpoints/*.h5"))); n != defaultDemo.Checkpoints {
		t.Errorf("glob checkpoints: %d lines", n)
	}

	// A second daemon on the same folder is refused, in both modes.
	for _, args := range [][]string{{"mount", "--demo", dir}, {"mount", "--demo", "--foreground", dir}} {
		_, errOut, code := e.run(args...)
		if code == 0 || !strings.Contains(errOut, "already mounted") || !strings.Contains(errOut, "pid "+strconv.Itoa(st.PID)) {
			t.Errorf("%v: exit %d, stderr %q; want a refusal naming pid %d", args, code, errOut, st.PID)
		}
	}

	// So is one from another installation (another --home).
	other := &e2e{t: t, bin: e.bin, home: t.TempDir()}
	if _, errOut, code := other.run("mount", "--demo", "--foreground", dir); code == 0 || !strings.Contains(errOut, "another --home") {
		t.Errorf("a daemon of another home: exit %d, stderr %q", code, errOut)
	}

	// A file written into the mirror is on Drive when flush returns.
	content := []byte("epoch 1 loss 0.25\n")
	if err := os.MkdirAll(filepath.Join(dir, "results"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results", "log.txt"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("flush", "--timeout", "60s", dir)
	if got, err := onDrive(t, md, "results/log.txt"); err != nil || got != md5Hex(content) {
		t.Fatalf("after flush, results/log.txt on Drive: md5 %q, %v; want %s", got, err, md5Hex(content))
	}

	// A checkpoint that this process (not the daemon) still has open for
	// writing, stalled past --settle, is held: status says so, and it goes
	// up complete once closed.
	ck := filepath.Join(dir, "results", "best.h5")
	f, err := os.Create(ck)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("weights, first half;"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "status to list the held checkpoint", func() bool {
		return slices.Contains(e.status(dir).HeldOpen, "results/best.h5")
	})
	if _, err := onDrive(t, md, "results/best.h5"); err == nil {
		t.Error("a checkpoint still open for writing went up")
	}
	if out := e.mustRun("status", dir); !strings.Contains(out, "results/best.h5: waiting for its writer to close it") {
		t.Errorf("status does not show the held checkpoint:\n%s", out)
	}
	if _, err := f.WriteString("second half"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	full := md5Hex([]byte("weights, first half;second half"))
	waitFor(t, "the closed checkpoint on Drive", func() bool {
		got, err := onDrive(t, md, "results/best.h5")
		return err == nil && got == full
	})

	// SIGKILL, a change while down, restart: the mirror resumes without
	// downloading again what it has.
	kept := filepath.Join(dir, "my_data", "images", "cats", "cat_000.jpg")
	ino := inode(t, kept)
	waitFor(t, "the demo drive to save the upload", func() bool {
		b, _ := os.ReadFile(filepath.Join(md.DemoDrive(), "drive.json"))
		return bytes.Contains(b, []byte(`"log.txt"`))
	})
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the killed daemon to exit", func() bool { return processGone(st.PID) })
	if st := e.status(dir); st.Running || st.Files < 300 {
		t.Errorf("status of the killed mount: %+v", st)
	}
	offline := []byte("written while the daemon was down\n")
	if err := os.WriteFile(filepath.Join(dir, "results", "offline.txt"), offline, 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("mount", "--demo", "--poll", "1s", dir)
	st2 := e.status(dir)
	pids = append(pids, st2.PID)
	if !st2.Running || st2.PID == st.PID || st2.Files < st.Files {
		t.Fatalf("status after restart: %+v", st2)
	}
	e.mustRun("flush", "--timeout", "60s", dir)
	if got, err := onDrive(t, md, "results/offline.txt"); err != nil || got != md5Hex(offline) {
		t.Errorf("offline.txt on Drive after restart: %q, %v", got, err)
	}
	if got, err := onDrive(t, md, "results/log.txt"); err != nil || got != md5Hex(content) {
		t.Errorf("log.txt on Drive after restart: %q, %v", got, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "results", "log.txt")); err != nil || !bytes.Equal(b, content) {
		t.Errorf("log.txt locally after restart: %q, %v", b, err)
	}
	if inode(t, kept) != ino {
		t.Errorf("%s was downloaded again after the restart", kept)
	}

	// unmount leaves no process, socket or lock behind.
	if out := e.mustRun("unmount", dir); !strings.Contains(out, "unmounted") {
		t.Errorf("unmount output %q", out)
	}
	if !processGone(st2.PID) {
		t.Errorf("daemon pid %d still running after unmount", st2.PID)
	}
	if _, err := os.Stat(md.Sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket left behind: %v", err)
	}
	if locked(md) {
		t.Error("lock still held after unmount")
	}
	if _, errOut, code := e.run("flush", dir); code != 1 || !strings.Contains(errOut, "no drivesync daemon") {
		t.Errorf("flush without a daemon: exit %d, %q", code, errOut)
	}

	// --once: one pass in this process, from the saved state, then exit.
	if err := os.WriteFile(filepath.Join(dir, "results", "once.txt"), content, 0o644); err != nil {
		t.Fatal(err)
	}
	e.mustRun("mount", "--demo", "--once", "--progress", "none", dir)
	if locked(md) {
		t.Error("lock held after mount --once")
	}
	if st := e.status(dir); st.Running || st.PendingUploads != 0 || st.Files < st2.Files+1 {
		t.Errorf("status after --once: %+v", st)
	}
}
