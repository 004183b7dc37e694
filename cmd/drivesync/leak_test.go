package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Every test of the package ends with no goroutine of ours left running:
// the daemon's tests included (TestDaemonStopsClean below runs one in
// this process; the end-to-end and soak tests run the built binary).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestDaemonStopsClean runs the demo daemon in this process (mount --demo
// --foreground: emulator, engine, watcher, API server), stops it through
// its API as `drivesync unmount` does, and checks that every goroutine it
// started has ended and its socket is gone.
func TestDaemonStopsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("mirrors the demo dataset")
	}
	defer goleak.VerifyNone(t)
	home := t.TempDir()
	dir := filepath.Join(t.TempDir(), "mirror")
	root := newRootCmd()
	root.SetArgs([]string{"--home", home, "--log-level", "warn", "mount", "--demo", "--foreground", "--progress", "none", "--poll", "1s", dir})
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(context.Background()) }()

	md, err := dirs{State: filepath.Join(home, "state"), Runtime: filepath.Join(home, "run")}.mountDirsOf(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := newAPIClient(md.Sock)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err == nil && st.Phase == "idle" {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the daemon exited before it was idle: %v\n%s", err, errOut.String())
		case <-ctx.Done():
			t.Fatalf("the daemon was not idle within 2 minutes: %v\n%s", err, errOut.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("the daemon stopped with %v\n%s", err, errOut.String())
		}
	case <-ctx.Done():
		t.Fatal("the daemon did not stop within 2 minutes of the stop request")
	}
	c.hc.CloseIdleConnections()
	if _, err := os.Stat(md.Sock); !os.IsNotExist(err) {
		t.Errorf("socket %s left behind: %v", md.Sock, err)
	}
}
