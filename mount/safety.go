package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ErrNoMarker: the mount root has lost its marker file (S1).
var ErrNoMarker = errors.New("the marker file .drivesync is missing from the mount root")

// ErrMassDelete: a pass would delete more than the threshold (S3).
var ErrMassDelete = errors.New("too many deletes in one pass")

// ErrDiskFull: the local disk (or the user's quota on it) is full;
// downloads wait for room.
var ErrDiskFull = errors.New("no space left on device")

// diskFull reports whether err is the local disk or quota being full.
func diskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// checkRoot makes sure Root is the folder this mount has been syncing
// (S1): a store that has synced before requires the marker; a first run
// creates the folder and the marker.
func (m *Mount) checkRoot(firstRun bool) error {
	marker := filepath.Join(m.cfg.Root, Marker)
	if _, err := os.Lstat(marker); err == nil {
		return nil
	}
	if !firstRun {
		return fmt.Errorf("mount: %s: %w; if the disk is unmounted, mount it; if this is the right folder, "+
			"create an empty %s file in it to confirm: %w", m.cfg.Root, ErrNoMarker, Marker, errStop)
	}
	if err := os.MkdirAll(m.cfg.Root, 0o755); err != nil {
		return fmt.Errorf("mount: create root: %w", err)
	}
	if err := os.WriteFile(marker, []byte("drivesync mirror of "+m.cfg.RemoteRoot+"\n"), 0o644); err != nil {
		return fmt.Errorf("mount: write marker: %w", err)
	}
	return nil
}

// errStop marks errors that stop a pass before it touches anything.
var errStop = errors.New("pass stopped")

// deleteGuard counts the deletes of a pass against the threshold (S3).
type deleteGuard struct {
	files, done int
	blocked     bool
	msg         string
}

// allow reports whether n more deletes may go ahead; once refused, every
// delete of the pass is.
func (g *deleteGuard) allow(m *Mount, n int) bool {
	if g.blocked {
		return false
	}
	if m.cfg.AllowMassDelete || n == 0 {
		g.done += n
		return true
	}
	total := g.done + n
	over := total > m.cfg.MassDeleteMax ||
		(total >= m.cfg.MassDeleteMin && float64(total) > m.cfg.MassDeleteRatio*float64(g.files))
	if over {
		g.blocked = true
		g.msg = fmt.Sprintf("mount: this pass would delete %d of %d files in %s (over the threshold of %.0f%% or %d); "+
			"nothing was deleted; check the folder and Drive, then run with --allow-mass-delete to confirm",
			total, g.files, m.cfg.Root, m.cfg.MassDeleteRatio*100, m.cfg.MassDeleteMax)
		return false
	}
	g.done = total
	return true
}
