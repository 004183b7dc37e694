package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// soakDaemon is the built daemon under test: `drivesync mount
// --foreground` as a child process, started, SIGKILLed and restarted by
// the soak driver, its output appended to one log file.
type soakDaemon struct {
	s      *soak
	log    string
	cmd    *exec.Cmd
	exited chan struct{}
	killed bool // the driver killed it: its exit is expected
	starts int
	kills  int
}

func (d *soakDaemon) running() bool {
	if d.cmd == nil {
		return false
	}
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// start runs the daemon and waits until it answers status.
func (d *soakDaemon) start() {
	s := d.s
	if d.running() {
		return
	}
	logf, err := os.OpenFile(d.log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(s.e.bin, "mount", s.dir, "--foreground", "--remote", "soak", "--poll", "1s",
		"--settle", "400ms", "--parallel", "4", "--progress", "none", "--log-level", "debug")
	cmd.Env = s.e.environ()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		s.fatalf("starting the daemon: %v", err)
	}
	d.cmd, d.exited, d.killed = cmd, make(chan struct{}), false
	exited := d.exited
	go func() { cmd.Wait(); close(exited) }()
	d.starts++
	s.note("daemon started, pid %d", cmd.Process.Pid)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, _, code := s.e.run("status", "--json", s.dir)
		var st apiStatus
		if code == 0 && json.Unmarshal([]byte(out), &st) == nil && st.Running && st.PID == cmd.Process.Pid {
			return
		}
		select {
		case <-exited:
			s.fatalf("the daemon exited on its own while starting: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			s.fatalf("the daemon did not answer within 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill SIGKILLs the daemon, wherever it is.
func (d *soakDaemon) kill() {
	if !d.running() {
		return
	}
	d.killed = true
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	d.kills++
	d.s.note("daemon SIGKILLed")
}

// ensureRunning fails the test if the daemon died by itself, and starts
// it if the driver left it down.
func (d *soakDaemon) ensureRunning() {
	if d.cmd != nil && !d.running() && !d.killed {
		d.s.fatalf("the daemon exited on its own: %v", d.cmd.ProcessState)
	}
	d.start()
}

// stop unmounts: a clean exit.
func (d *soakDaemon) stop() {
	d.ensureRunning()
	d.s.e.mustRun("unmount", d.s.dir)
	select {
	case <-d.exited:
	case <-time.After(time.Minute):
		d.s.fatalf("the daemon still runs a minute after unmount")
	}
	d.killed = true
}

// dump makes a running daemon write its goroutines to the log and exit
// (SIGQUIT), for the failure report of a daemon that stopped making
// progress.
func (d *soakDaemon) dump() {
	if !d.running() {
		return
	}
	d.killed = true
	d.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-d.exited:
	case <-time.After(10 * time.Second):
	}
}

func (d *soakDaemon) cleanup() {
	if d.running() {
		d.cmd.Process.Signal(syscall.SIGKILL)
		<-d.exited
	}
}
