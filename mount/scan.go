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
	fi    fs.FileInfo
	md5   string // computed on demand (see Mount.md5Of)
}

// scan is a view of (part of) the local tree.
type scan struct {
	full  bool              // the whole tree was scanned
	scope []string          // otherwise: the paths scanned, each with everything below it
	files map[string]*local // path -> what is there
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

// scanLocal scans the paths in scope (slash-separated, "." = all) below
// root. Symbolic links and other non-regular files are not mirrored.
// Download temp files left by a killed process are removed.
func scanLocal(root string, scope []string) (*scan, error) {
	s := &scan{files: map[string]*local{}}
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
		s.add(root, rel, fi)
		return nil
	}
	return filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("mount: scan %s: %w", p, err)
		}
		r, _ := filepath.Rel(root, p)
		r = filepath.ToSlash(r)
		if r == "." {
			return nil
		}
		if ignored(r) {
			if d.Type().IsRegular() && r != Marker && (strings.HasSuffix(r, ".part") || strings.HasPrefix(d.Name(), stagedPrefix)) {
				os.Remove(p) // an interrupted download; Download starts over
			}
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("mount: scan %s: %w", p, err)
		}
		s.add(root, r, fi)
		return nil
	})
}

func (s *scan) add(root, rel string, fi fs.FileInfo) {
	if ignored(rel) || !(fi.Mode().IsRegular() || fi.IsDir()) {
		return
	}
	s.files[rel] = &local{IsDir: fi.IsDir(), Size: fi.Size(), MTime: fi.ModTime(), Inode: cache.Inode(fi), fi: fi}
}

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
// first observed so. Files that are still changing are never uploaded.
func (m *Mount) settled(p string, l *local) bool {
	now := m.cfg.Now()
	if now.Sub(l.MTime) >= m.cfg.Settle {
		delete(m.settle, p)
		return true
	}
	o, ok := m.settle[p]
	if !ok || o.size != l.Size || !o.mtime.Equal(l.MTime) {
		m.settle[p] = obs{size: l.Size, mtime: l.MTime, at: now}
		return false
	}
	if now.Sub(o.at) >= m.cfg.Settle {
		delete(m.settle, p)
		return true
	}
	return false
}
