package mount

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// Marker is the file at the mount root that says "this folder is a
// drivesync mirror" (S1).
const Marker = ".drivesync"

// stagedPrefix starts the hidden name a download is staged under before
// it is renamed to its final name.
const stagedPrefix = ".drivesync-dl-"

// local is what a scan saw of one local path.
type local struct {
	IsDir bool
	Size  int64
	MTime time.Time
	Inode uint64
}

// scan is a view of (part of) the local tree, valid until the state
// changes (it is taken, planned from, then dropped, every round).
//
// It keeps little per file: a file or folder exactly as its synced entry
// recorded it (the common case by far) is one bit for the entry's table
// slot; only the others (new, changed, of the other kind) are kept
// whole. A rescan of a mirror of a million files thus holds ~125 KB, not
// a map of a million paths.
type scan struct {
	full  bool     // the whole tree was scanned
	scope []string // otherwise: the paths scanned, each with everything below it
	files map[string]local
	st    *state // nil: no bits, every path in files
	same  bitset // slots whose entry's local base the disk still matches
	md5   map[string]string
}

// get returns what the scan saw at p.
func (s *scan) get(p string) (local, bool) {
	if l, ok := s.files[p]; ok {
		return l, true
	}
	if s.st != nil {
		if slot, ok := s.st.t.slotAt(p); ok && s.same.has(slot) {
			e := s.st.t.at(slot)
			return local{IsDir: e.IsDir, Size: e.Local.Size, MTime: e.Local.ModTime, Inode: e.Local.Inode}, true
		}
	}
	return local{}, false
}

// others calls fn for every path seen that is not as its synced entry
// recorded it: new files and folders among them.
func (s *scan) others(fn func(p string, l local)) {
	for p, l := range s.files {
		fn(p, l)
	}
}

// under calls fn for every path seen strictly below dir.
func (s *scan) under(dir string, fn func(p string, l local)) {
	for p, l := range s.files {
		if strings.HasPrefix(p, dir+"/") {
			fn(p, l)
		}
	}
	if s.st == nil {
		return
	}
	for slot := range s.st.t.slots() {
		if !s.same.has(slot) {
			continue
		}
		if p := s.st.t.pathOf(slot); strings.HasPrefix(p, dir+"/") {
			if l, ok := s.get(p); ok {
				fn(p, l)
			}
		}
	}
}

// covers reports whether p was scanned: a path outside a partial scan's
// scope is assumed unchanged since the last sync.
func (s *scan) covers(p string) bool {
	if s.full {
		return true
	}
	for _, q := range s.scope {
		if q == "." || p == q || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}

// ignored reports whether a local name is drivesync's own: the marker,
// download temp files (".name.drivesync-*.part"), placeholders.
func ignored(rel string) bool {
	if rel == Marker || rel == pendingDir || strings.HasPrefix(rel, pendingDir+"/") {
		return true
	}
	base := path.Base(rel)
	return strings.HasPrefix(base, stagedPrefix) ||
		strings.HasPrefix(base, ".") && strings.Contains(base, ".drivesync-") && strings.HasSuffix(base, ".part")
}

// stale reports whether an ignored regular file is a download a killed
// process left behind (removed by the scan; Download starts over).
func stale(rel, name string) bool {
	return rel != Marker && (strings.HasSuffix(rel, ".part") || strings.HasPrefix(name, stagedPrefix))
}

// scanLocal scans the paths in scope (slash-separated, "." = all) below
// root, comparing what it finds with st's entries (nil: keep everything).
// Symbolic links and other non-regular files are not mirrored. Download
// temp files left by a killed process are removed.
func scanLocal(root string, scope []string, st *state) (*scan, error) {
	s := &scan{files: map[string]local{}, st: st, md5: map[string]string{}}
	if st != nil {
		s.same = newBitset(st.t.slotCount())
	}
	for _, p := range scope {
		if p == "." {
			s.full, s.scope = true, nil
			scope = []string{"."}
			break
		}
	}
	if !s.full {
		s.scope = scope
	}
	for _, p := range scope {
		if err := s.walk(root, p); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *scan) walk(root, rel string) error {
	top := filepath.Join(root, filepath.FromSlash(rel))
	fi, err := os.Lstat(top)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mount: scan %s: %w", top, err)
	}
	if rel != "." && !fi.IsDir() {
		if fi.Mode().IsRegular() && !ignored(rel) {
			s.add(rel, false, fi.Size(), fi.ModTime(), cache.Inode(fi))
		}
		return nil
	}
	if !fi.IsDir() {
		return nil // the root is not a folder (a symbolic link to one is not followed)
	}
	if rel != "." {
		if ignored(rel) {
			return nil
		}
		s.add(rel, true, fi.Size(), fi.ModTime(), cache.Inode(fi))
	}
	return walkTree(root, rel, s.add)
}

// add records one regular file or folder (rel may point into the
// walker's buffer: it is copied if kept).
func (s *scan) add(rel string, isDir bool, size int64, mtime time.Time, inode uint64) {
	if s.st != nil {
		if slot, ok := s.st.t.slotAt(rel); ok {
			if e := s.st.t.at(slot); synced(&e) && !e.LocalDiffers(isDir, size, mtime, inode) {
				s.same.set(slot)
				delete(s.files, rel)
				return
			}
		}
	}
	s.files[strings.Clone(rel)] = local{IsDir: isDir, Size: size, MTime: mtime, Inode: inode}
}

// bitset is a set of table slots.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i uint32) { b[i/64] |= 1 << (i % 64) }

func (b bitset) has(i uint32) bool { return int(i/64) < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// fileMD5 is the md5 of a local file's content, in lowercase hex.
func fileMD5(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// obs is the first observation of a local file's current size and mtime,
// for telling whether it has settled.
type obs struct {
	size  int64
	mtime time.Time
	at    time.Time
}

// settled reports whether the file at p has kept its size and mtime for
// the settle interval: since its last change (by its mtime) or since
// first observed so, and no other process has it open for writing (for
// OpenHold at most: openwriters.go). Files that are still changing are
// never uploaded.
func (m *Mount) settled(p string, l local) bool {
	now := m.cfg.Now()
	if m.force {
		delete(m.settle, p)
		delete(m.held, p)
		return true
	}
	if now.Sub(l.MTime) >= m.cfg.Settle {
		delete(m.settle, p)
		return !m.heldOpen(p, l, now)
	}
	o, ok := m.settle[p]
	if !ok || o.size != l.Size || !o.mtime.Equal(l.MTime) {
		m.settle[strings.Clone(p)] = obs{size: l.Size, mtime: l.MTime, at: now}
		return false
	}
	if now.Sub(o.at) >= m.cfg.Settle {
		delete(m.settle, p)
		return !m.heldOpen(p, l, now)
	}
	return false
}
