package mount

import (
	"errors"
	"os"
	"strings"
	"time"
)

// A file that has settled by its size and mtime may still be in the middle
// of being written: a checkpoint writer that stalls for longer than Settle
// (a loaded machine, a slow disk) and then goes on. Uploaded then, it goes
// up twice: half-written, then again as a revision. So a settled file that
// another process still has open for writing waits for the close (rclone's
// VFS cache also uploads a written file once it is closed); but not longer
// than Config.OpenHold, so a log or TensorBoard event file that its writer
// keeps open for the whole training still reaches Drive, once per OpenHold
// at most, instead of after every pause.
//
// Who has a file open is read from /proc (openwriters_linux.go); where that
// cannot be read (other systems, other users' processes) a file counts as
// closed, which is the behaviour without this check.

// writersTTL is how long one reading of the open files serves: planning
// asks for each file it would upload, and a pass plans in rounds.
const writersTTL = 500 * time.Millisecond

// writerScan is the regular files on one device open for writing by
// processes other than this one, as read at a moment.
type writerScan struct {
	at     time.Time
	inodes map[uint64]bool
}

// heldOpen reports whether the settled file at rel, as seen in l, must
// still wait because another process has it open for writing, and tracks
// since when it has been held.
func (m *Mount) heldOpen(rel string, l local, now time.Time) bool {
	if m.cfg.OpenHold < 0 {
		return false
	}
	if !m.openForWriting(rel, l, now) {
		delete(m.held, rel)
		return false
	}
	since, ok := m.held[rel]
	if !ok {
		for p, t := range m.held { // paths held long ago and since gone
			if now.Sub(t) > 10*m.cfg.OpenHold {
				delete(m.held, p)
			}
		}
		m.held[strings.Clone(rel)] = now
		m.log.Debug("waiting for a writer to close", "path", rel, "at most", m.cfg.OpenHold)
		return true
	}
	if now.Sub(since) >= m.cfg.OpenHold {
		delete(m.held, rel)
		m.log.Info("still open for writing; uploading as it is", "path", rel, "held", now.Sub(since).Round(time.Second))
		return false
	}
	return true
}

// openForWriting reports whether a process other than this one has the
// file at rel (the one l describes) open for writing.
func (m *Mount) openForWriting(rel string, l local, now time.Time) bool {
	abs, err := m.abs(rel)
	if err != nil {
		return false
	}
	fi, err := os.Lstat(abs)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	dev, ino, ok := devIno(fi)
	if !ok || (l.Inode != 0 && ino != l.Inode) {
		return false // not the file that was planned; the next scan sees it
	}
	sc, ok := m.writers[dev]
	if !ok || now.Sub(sc.at) >= writersTTL || now.Before(sc.at) {
		inodes, err := writersOn(dev, os.Getpid())
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			m.log.Debug("cannot tell which files are open for writing", "err", err)
		}
		sc = writerScan{at: now, inodes: inodes}
		if m.writers == nil {
			m.writers = map[uint64]writerScan{}
		}
		m.writers[dev] = sc
	}
	return sc.inodes[ino]
}
