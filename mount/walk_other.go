//go:build !linux

package mount

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// walkTree calls add for every regular file and folder below the folder
// rel of root (not rel itself), skipping drivesync's own names (and
// removing stale download temp files). Linux has a version that makes
// almost no garbage (walk_linux.go).
func walkTree(root, rel string, add func(rel string, isDir bool, size int64, mtime time.Time, inode uint64)) error {
	top := filepath.Join(root, filepath.FromSlash(rel))
	return filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("mount: scan %s: %w", p, err)
		}
		if p == top {
			return nil
		}
		r, _ := filepath.Rel(top, p)
		r = filepath.ToSlash(r)
		if rel != "." {
			r = path.Join(rel, r)
		}
		if ignored(r) {
			if d.Type().IsRegular() && stale(r, d.Name()) {
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
		if fi.Mode().IsRegular() || fi.IsDir() {
			add(r, fi.IsDir(), fi.Size(), fi.ModTime(), cache.Inode(fi))
		}
		return nil
	})
}
