package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Detaching: `drivesync mount DIR` without --foreground re-executes itself
// with --foreground in a new session (setsid: no controlling terminal, not
// killed with the shell's process group), stdin from /dev/null and output
// appended to the mount's log file, then waits until the child's API
// answers. If the child exits first, its exit and the log's last lines are
// the error.

// logMaxBytes bounds the daemon log: a bigger one is moved to .1 when a
// daemon starts.
const logMaxBytes = 16 << 20

func openDaemonLog(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() > logMaxBytes {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("daemon log: %w", err)
	}
	return f, nil
}

// spawnDaemon starts `self args... --foreground --progress plain` detached and waits up to
// wait for its API to answer on md.Sock. It returns the child's pid.
func spawnDaemon(ctx context.Context, md mountDirs, args []string, wait time.Duration) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("mount: finding the drivesync binary: %w", err)
	}
	if err := os.MkdirAll(md.State, 0o700); err != nil {
		return 0, fmt.Errorf("mount: %w", err)
	}
	logf, err := openDaemonLog(md.Log())
	if err != nil {
		return 0, err
	}
	defer logf.Close()
	start, _ := logf.Seek(0, io.SeekEnd)
	null, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	// The log is not a terminal: progress as plain lines, whatever the user asked for here.
	cmd := exec.Command(self, append(append([]string{}, args...), "--foreground", "--progress", "plain")...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("mount: starting the daemon: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	c := newAPIClient(md.Sock)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return 0, fmt.Errorf("mount: the daemon exited (%v) before it was ready:\n%s", err, logTail(md.Log(), start, 20))
		case <-deadline.C:
			return cmd.Process.Pid, fmt.Errorf("mount: the daemon (pid %d) did not answer within %v; see %s", cmd.Process.Pid, wait, md.Log())
		case <-ctx.Done():
			return cmd.Process.Pid, ctx.Err()
		case <-tick.C:
			st, err := c.Status(ctx)
			if err == nil && st.PID == cmd.Process.Pid {
				return cmd.Process.Pid, nil // the daemon outlives us; the Wait above just never returns
			}
		}
	}
}

// logTail returns the last n lines written to the log at or after offset.
func logTail(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	b, _ := io.ReadAll(io.LimitReader(f, 1<<20))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitGone waits until no daemon holds md's lock or ctx ends.
// waitGone waits until the daemon has released the mount's lock and its
// process (pid, when known) has exited: the lock goes a moment before the
// process does.
func waitGone(ctx context.Context, md mountDirs, pid int) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for locked(md) || (pid > 0 && processRunning(pid)) {
		select {
		case <-ctx.Done():
			return errors.New("the daemon is still running")
		case <-tick.C:
		}
	}
	return nil
}

// processRunning reports whether the process pid exists and is not a
// zombie (which holds nothing, and which nobody may reap in a container).
func processRunning(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil {
		return errors.Is(err, syscall.EPERM)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no /proc: kill said it exists
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return !(i > 0 && len(s) > i+2 && s[i+2] == 'Z')
}
