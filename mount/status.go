package mount

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// Status is a snapshot of a mount for `drivesync status`.
type Status struct {
	Root, RemoteRoot                 string
	Files, Dirs                      int
	Bytes                            int64
	PendingUploads, PendingDownloads int
	Conflicts                        []string  // conflict copies created (local paths, relative)
	Skipped                          []Skipped // Google Docs, refused names, ...
	HeldOpen                         []string  // settled local files waiting for another process to close them (Config.OpenHold)
	LastPoll                         time.Time
	LastError                        string
	LastErrorTime                    time.Time
	Phase                            string // "initial", "idle", "syncing", "stopped"
}

// Skipped is a Drive item the mirror leaves out, and why.
type Skipped struct {
	Path    string
	DriveID string
	Reason  string
}

// Progress is reported while a pass transfers.
type Progress struct {
	Phase             string
	Files, TotalFiles int
	Bytes, TotalBytes int64
}

// Summary is what a pass did.
type Summary struct {
	Downloaded, Uploaded, Renamed, Trashed, Conflicts, Failed int
	Errors                                                    []error
}

// Err is nil if nothing failed, else the failures joined.
func (s Summary) Err() error {
	if s.Failed == 0 && len(s.Errors) == 0 {
		return nil
	}
	return fmt.Errorf("mount: %d failed: %w", s.Failed, errors.Join(s.Errors...))
}

func (s *Summary) fail(err error) {
	s.Failed++
	s.Errors = append(s.Errors, err)
}

// String is a one-line account of the pass.
func (s Summary) String() string {
	return fmt.Sprintf("%d downloaded, %d uploaded, %d renamed, %d trashed, %d conflicts, %d failed",
		s.Downloaded, s.Uploaded, s.Renamed, s.Trashed, s.Conflicts, s.Failed)
}

// Status returns a snapshot; safe from any goroutine.
func (m *Mount) Status() Status {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.status
	s.Conflicts = append([]string(nil), s.Conflicts...)
	s.Skipped = append([]Skipped(nil), s.Skipped...)
	return s
}

func (m *Mount) setPhase(p string) {
	m.mu.Lock()
	m.status.Phase = p
	m.mu.Unlock()
}

func (m *Mount) setError(err error) {
	m.mu.Lock()
	m.status.LastError, m.status.LastErrorTime = err.Error(), m.cfg.Now()
	m.mu.Unlock()
}

// publish refreshes the status from the state (engine goroutine only).
func (m *Mount) publish(waits int, conflicts []string) {
	var files, dirs, pendDown int
	var bytes int64
	m.st.all(func(e *cache.Entry) {
		switch {
		case e.ParentID == goneParent:
		case e.IsDir:
			dirs++
		case !synced(e) || e.MD5 != e.Remote.MD5:
			pendDown++
		default:
			files++
			bytes += e.Size
		}
	})
	sk := make([]Skipped, 0, len(m.st.skipped))
	for _, s := range m.st.skipped {
		sk = append(sk, s)
	}
	sort.Slice(sk, func(i, j int) bool { return sk[i].Path < sk[j].Path })
	held := make([]string, 0, len(m.held))
	for p := range m.held {
		if _, ok := m.statLocal(p); !ok { // gone while held
			delete(m.held, p)
			continue
		}
		held = append(held, p)
	}
	sort.Strings(held)
	m.mu.Lock()
	m.status.Files, m.status.Dirs, m.status.Bytes = files, dirs, bytes
	m.status.PendingDownloads, m.status.PendingUploads = pendDown, waits
	m.status.Skipped = sk
	m.status.HeldOpen = held
	m.status.Conflicts = append(m.status.Conflicts, conflicts...)
	m.mu.Unlock()
}
