package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// mountDirs are the files of one mount, named after its local folder:
//
//	<state>/mounts/<name>-<hash>/state.db        the cache store
//	<state>/mounts/<name>-<hash>/drivesync.log   the daemon's log
//	<state>/mounts/<name>-<hash>/mount.json      what was mounted (for status without a daemon)
//	<state>/mounts/<name>-<hash>/trash/          the engine's local trash
//	<state>/mounts/<name>-<hash>/demo-drive/     the emulated Drive of --demo
//	<runtime>/<hash>.sock                        the API socket (short: sun_path is 108 bytes)
//	<runtime>/<hash>.lock                        held (flock) by the running daemon
type mountDirs struct {
	Root  string // the absolute local folder
	State string
	Sock  string
	Lock  string
}

func (m mountDirs) DB() string        { return filepath.Join(m.State, "state.db") }
func (m mountDirs) Log() string       { return filepath.Join(m.State, "drivesync.log") }
func (m mountDirs) Info() string      { return filepath.Join(m.State, "mount.json") }
func (m mountDirs) DemoDrive() string { return filepath.Join(m.State, "demo-drive") }

// mountDirsOf returns the layout of the mount at dir (made absolute and
// cleaned, symlinks resolved where it exists, so two spellings of one
// folder share one daemon).
func (d dirs) mountDirsOf(dir string) (mountDirs, error) {
	if dir == "" {
		return mountDirs{}, errors.New("mount folder: empty path")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return mountDirs{}, fmt.Errorf("mount folder %q: %w", dir, err)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	sum := sha256.Sum256([]byte(abs))
	h := hex.EncodeToString(sum[:8])
	name := strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, filepath.Base(abs))
	if len(name) > 32 {
		name = name[:32]
	}
	return mountDirs{
		Root:  abs,
		State: filepath.Join(d.State, "mounts", name+"-"+h),
		Sock:  filepath.Join(d.Runtime, h+".sock"),
		Lock:  filepath.Join(d.Runtime, h+".lock"),
	}, nil
}

// mountInfo is mount.json: enough to describe a stopped mount.
type mountInfo struct {
	Root     string `json:"root"`
	Remote   string `json:"remote"` // as given: a path, an ID or "" (My Drive)
	RootID   string `json:"rootId,omitempty"`
	DriveID  string `json:"driveId,omitempty"`
	Demo     bool   `json:"demo,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
	ReadOnly bool   `json:"readOnly,omitempty"`
	// DemoToken is an access token of the --demo emulator (only that
	// in-process emulator accepts it), so scripts and tests can look at the
	// demo drive at Endpoint. The file is 0600.
	DemoToken string `json:"demoToken,omitempty"`
}

func writeMountInfo(path string, mi mountInfo) error {
	b, err := json.MarshalIndent(mi, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o600)
}

func readMountInfo(path string) (mountInfo, error) {
	var mi mountInfo
	b, err := os.ReadFile(path)
	if err != nil {
		return mi, err
	}
	if err := json.Unmarshal(b, &mi); err != nil {
		return mi, fmt.Errorf("%s: %w", path, err)
	}
	return mi, nil
}

// writeFileAtomic writes data to a temp file beside path and renames it
// into place, so a crash never leaves a half-written file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// mountLock is the per-mount daemon lock: an flock on <runtime>/<hash>.lock,
// which the kernel drops when the process dies, even by SIGKILL, so a
// crashed daemon never blocks the next one. The file holds the pid, for the
// message the second daemon prints.
type mountLock struct{ f *os.File }

// errMounted is returned when another daemon holds the mount.
var errMounted = errors.New("already mounted")

func lockMount(md mountDirs) (*mountLock, error) {
	if err := os.MkdirAll(filepath.Dir(md.Lock), 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", md.Lock, err)
	}
	f, err := os.OpenFile(md.Lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", md.Lock, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			who := "another drivesync daemon"
			if pid := lockHolder(md); pid > 0 {
				who = "drivesync daemon pid " + strconv.Itoa(pid)
			}
			return nil, fmt.Errorf("%w: %s is in use by %s; stop it with `drivesync unmount %s`", errMounted, md.Root, who, md.Root)
		}
		return nil, fmt.Errorf("lock %s: %w", md.Lock, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &mountLock{f: f}, nil
}

// lockHolder returns the pid written in the lock file, 0 if none.
func lockHolder(md mountDirs) int {
	b, err := os.ReadFile(md.Lock)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// locked reports whether a daemon holds md's lock right now.
func locked(md mountDirs) bool {
	f, err := os.Open(md.Lock)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return true
	}
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

func (l *mountLock) Close() error { return l.f.Close() }

// lockMarker takes an flock on the mount's marker file (.drivesync in the
// folder, written by the engine's first pass), so that two drivesync
// installations (different --home, or users) cannot mirror one folder at
// once: the lock in the runtime dir only guards one installation. A folder
// without a marker yet is not locked (nil, nil); the daemon tries again
// once its first pass is done.
func lockMarker(root string) (*os.File, error) {
	f, err := os.Open(filepath.Join(root, ".drivesync"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lock marker: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s is mirrored by another drivesync (another --home or another user)", errMounted, root)
		}
		return nil, fmt.Errorf("lock marker: %w", err)
	}
	return f, nil
}
