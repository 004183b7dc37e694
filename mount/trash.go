package mount

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// The local trash: files deleted on Drive are moved to
// <StateDir>/trash/<YYYY-MM-DD>/<path> rather than removed, and kept
// TrashKeep (30 days).

func (m *Mount) trashDir() string { return filepath.Join(m.cfg.StateDir, "trash") }

// localTrash moves a.path into the local trash (D1, D6, R6) and forgets
// its entry (and, for a folder, the entries below it).
func (m *Mount) localTrash(a action, e *cache.Entry, r *result) error {
	src, err := m.abs(a.path)
	if err != nil {
		return err
	}
	if fi, err := os.Lstat(src); err == nil {
		if !a.dir && e.ID != "" && synced(e) && a.path == e.Path && e.LocalChanged(fi) {
			return errRetry // edited since the plan: D3 next round
		}
		if !a.dir && !synced(e) && a.md5 != "" {
			// Trashed as Drive's content (D1 without a base): only if it
			// still is.
			if sum, err := fileMD5(src); err != nil || sum != a.md5 {
				return errRetry
			}
		}
		day := m.cfg.Now().UTC().Format("2006-01-02")
		dst := filepath.Join(m.trashDir(), day, filepath.FromSlash(a.path))
		for i := 1; ; i++ {
			if _, err := os.Lstat(dst); os.IsNotExist(err) {
				break
			}
			dst = filepath.Join(m.trashDir(), day, filepath.FromSlash(a.path)+fmt.Sprintf(".%d", i))
		}
		if err := moveFile(src, dst); err != nil {
			return err
		}
		m.log.Info("deleted on Drive: moved to the local trash", "path", a.path, "trash", dst)
	}
	return m.forget(e, r)
}

// moveFile renames src to dst, creating dst's folder; across file
// systems it copies and removes (files only).
func moveFile(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	err := os.Rename(src, dst)
	if err == nil || !errors.Is(err, syscall.EXDEV) {
		return err
	}
	if fi, err := os.Lstat(src); err == nil && fi.IsDir() {
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if err := moveFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
				return err
			}
		}
		return os.Remove(src)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), ".trash-*")
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return err
	}
	if err := os.Rename(out.Name(), dst); err != nil {
		return err
	}
	return os.Remove(src)
}

// purgeTrash removes the trash days older than TrashKeep.
func (m *Mount) purgeTrash() {
	ds, err := os.ReadDir(m.trashDir())
	if err != nil {
		return
	}
	cut := m.cfg.Now().Add(-m.cfg.TrashKeep)
	for _, d := range ds {
		t, err := time.Parse("2006-01-02", d.Name())
		if err != nil || !d.IsDir() || !t.Add(24*time.Hour).Before(cut) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(m.trashDir(), d.Name())); err != nil {
			m.log.Warn("local trash: purge failed", "day", d.Name(), "err", err)
		}
	}
}
