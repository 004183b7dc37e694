package mount

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// result is what an action changed, for the loop to apply to the state.
type result struct {
	a        action
	puts     []cache.Entry // entries written to the store
	dels     []string      // entries deleted from the store
	conflict string        // conflict copy created
	bytes    int64
	err      error
}

// abs is the absolute local path of rel, refused if it would leave the
// root (N6).
func (m *Mount) abs(rel string) (string, error) {
	return SafeJoin(m.cfg.Root, rel)
}

// statLocal stats the local path rel (a regular file or folder).
func (m *Mount) statLocal(rel string) (local, bool) {
	p, err := m.abs(rel)
	if err != nil {
		return local{}, false
	}
	fi, err := os.Lstat(p)
	if err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		return local{}, false
	}
	return local{IsDir: fi.IsDir(), Size: fi.Size(), MTime: fi.ModTime(), Inode: cache.Inode(fi)}, true
}

// md5Of returns the md5 of the local file rel, cached in sc for the
// round; "" if it cannot be read.
func (m *Mount) md5Of(sc *scan, rel string) string {
	if sum, ok := sc.md5[rel]; ok {
		return sum
	}
	p, err := m.abs(rel)
	if err != nil {
		return ""
	}
	sum, err := fileMD5(p)
	if err != nil {
		return ""
	}
	sc.md5[strings.Clone(rel)] = sum
	return sum
}

// run performs one action; it may run on a worker goroutine, so it reads
// only its own entry (a copy) and writes to the store, never the state.
func (m *Mount) run(ctx context.Context, a action, e cache.Entry) (r result) {
	r.a = a
	m.log.Debug("sync action", "verb", a.verb, "path", a.path, "row", a.row)
	defer func() {
		if r.err != nil {
			r.err = fmt.Errorf("mount: %s %s (%s, Drive ID %q): %w", a.verb, a.path, a.row, a.id, r.err)
		}
	}()
	switch a.verb {
	case actDownload, actDownloadMove:
		r.err = m.download(ctx, a, &e, &r)
	case actUpload:
		r.err = m.upload(ctx, a, &r)
	case actUpdate:
		r.err = m.update(ctx, a, &e, &r)
	case actAdopt:
		r.err = m.adopt(a, &e, &r)
	case actConflict:
		r.err = m.conflict(a, &e, &r)
	case actLocalTrash:
		r.err = m.localTrash(a, &e, &r)
	case actRemoteTrash:
		if _, err := m.cfg.Remote.Trash(ctx, e.ID); err != nil && !errors.Is(err, drive.ErrNotFound) {
			r.err = err
			return
		}
		r.err = m.forget(&e, &r)
	case actForget:
		r.err = m.forget(&e, &r)
	case actLocalMove:
		r.err = m.localMove(a, &e, &r)
	case actRemoteMove:
		r.err = m.remoteMove(ctx, a, &e, &r)
	}
	return r
}

func (m *Mount) download(ctx context.Context, a action, e *cache.Entry, r *result) error {
	dst, err := m.abs(a.path)
	if err != nil {
		return err
	}
	if a.dir {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return err
		}
		fi, err := os.Lstat(dst)
		if err != nil {
			return err
		}
		e.Path = a.path
		e.Local = cache.LocalBaseOf(fi, "")
		e.Remote = cache.RemoteBase{Version: e.Version, ModTime: e.ModTime}
		return m.put(*e, r)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if a.verb == actDownload && synced(e) && a.path == e.Path {
		// C5/D4: make sure the local file did not change since the plan.
		if fi, err := os.Lstat(dst); err == nil && e.LocalChanged(fi) {
			return errRetry
		}
	}
	// A shortcut's content is its target's; a Google Docs file's is an
	// export (N7, N8).
	f := exportFile(e)
	export := exported(e)
	// Download writes its temp file beside the name it is given, which for
	// a 255-byte local name would be too long: it is given a short hidden
	// name in the same folder, renamed into place once verified.
	staged := filepath.Join(filepath.Dir(dst), stagedPrefix+e.ID)
	got, err := m.cfg.Remote.Download(ctx, f, staged, drive.DownloadOptions{Export: export})
	if err != nil {
		os.Remove(staged)
		return err
	}
	if export {
		// Drive's content is the Google Docs file, not this export: the
		// local copy is read-only, and never uploaded (N7).
		if err := os.Chmod(staged, 0o444); err != nil {
			os.Remove(staged)
			return err
		}
	}
	if err := os.Rename(staged, dst); err != nil {
		os.Remove(staged)
		return err
	}
	fi, err := os.Lstat(dst)
	if err != nil {
		return err
	}
	if export {
		// An export has no md5 and its size is not Drive's: the base is
		// Drive's version and time, the local side the file as written.
		got.MD5, got.Size = "", e.Size
	}
	e.MD5, e.Size, e.ModTime, e.Version = got.MD5, got.Size, got.ModTime, got.Version
	e.Remote = cache.RemoteBase{MD5: got.MD5, Size: got.Size, ModTime: got.ModTime, Version: got.Version}
	sum := got.MD5
	if export {
		if sum, err = fileMD5(dst); err != nil {
			return err
		}
	}
	e.Local = cache.LocalBaseOf(fi, sum)
	e.Path = a.path
	r.bytes = got.Size
	if a.verb == actDownloadMove {
		// R4: Drive's content is at the new local path; now the move.
		moved, err := m.cfg.Remote.Move(ctx, e.ID, e.ParentID, a.parentID, a.name)
		if err != nil {
			return m.put(*e, r) // the move is retried as R2 next time
		}
		e.Name, e.ParentID = moved.Name, a.parentID
		if e.TargetID == "" {
			e.Version, e.Remote.Version = moved.Version, moved.Version
		}
	}
	return m.put(*e, r)
}

// watchSource returns a context that is cancelled if the file at p
// changes size or mtime (from fi) while it is uploaded as a new revision:
// a writer that paused longer than Settle and went on. The upload is
// abandoned, usually before Drive commits the partial revision, and the
// file goes up once settled. stop ends the watch and reports whether it
// cancelled.
func watchSource(ctx context.Context, p string, fi fs.FileInfo) (context.Context, func() bool) {
	ctx, cancel := context.WithCancel(ctx)
	var changed atomic.Bool
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				now, err := os.Lstat(p)
				if err != nil || now.Size() != fi.Size() || !now.ModTime().Equal(fi.ModTime()) {
					changed.Store(true)
					cancel()
					return
				}
			}
		}
	}()
	return ctx, func() bool {
		close(done)
		cancel()
		return changed.Load()
	}
}

// errRetry: the local side moved since the plan; the next round sees it.
var errRetry = errors.New("local file changed meanwhile; retried next round")

func (m *Mount) upload(ctx context.Context, a action, r *result) error {
	src, err := m.abs(a.path)
	if err != nil {
		return err
	}
	before, err := os.Lstat(src)
	if err != nil {
		return err
	}
	var f drive.File
	if a.dir {
		f, err = m.cfg.Remote.Mkdir(ctx, a.parentID, a.name)
	} else {
		// No watch here (see watchSource): an abandoned Create that Drive
		// committed anyway would leave a file nobody knows the ID of, then
		// a duplicate. A file that changes while sent is updated once
		// settled (C6).
		f, err = m.cfg.Remote.Create(ctx, a.parentID, a.name, src)
		if errors.Is(err, drive.ErrChecksum) && f.ID != "" {
			err = nil // it changed while sent: recorded, and updated next round
		}
	}
	if err != nil {
		return err
	}
	e := cache.Entry{ID: f.ID, Path: a.path, ParentID: a.parentID, Name: f.Name, IsDir: a.dir,
		MD5: f.MD5, Size: f.Size, ModTime: f.ModTime, Version: f.Version,
		Remote: cache.RemoteBase{MD5: f.MD5, Size: f.Size, ModTime: f.ModTime, Version: f.Version}}
	e.Local = cache.LocalBaseOf(before, f.MD5)
	r.bytes = f.Size
	return m.put(e, r)
}

func (m *Mount) update(ctx context.Context, a action, e *cache.Entry, r *result) error {
	src, err := m.abs(a.path)
	if err != nil {
		return err
	}
	before, err := os.Lstat(src)
	if err != nil {
		return err
	}
	wctx, stop := watchSource(ctx, src, before)
	// A file shortcut's edit is a new revision of its target: the same
	// Drive file (N8). Exports never get here (see planner.entry).
	f, err := m.cfg.Remote.Update(wctx, driveID(e), src)
	if stop() {
		return errRetry
	}
	if errors.Is(err, drive.ErrChecksum) && f.ID != "" {
		err = nil
	}
	if err != nil {
		return err
	}
	e.MD5, e.Size, e.ModTime, e.Version = f.MD5, f.Size, f.ModTime, f.Version
	e.Remote = cache.RemoteBase{MD5: f.MD5, Size: f.Size, ModTime: f.ModTime, Version: f.Version}
	e.Local = cache.LocalBaseOf(before, f.MD5)
	r.bytes = f.Size
	return m.put(*e, r)
}

func (m *Mount) adopt(a action, e *cache.Entry, r *result) error {
	p, err := m.abs(a.path)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	sum := a.md5
	if a.dir {
		sum = ""
	} else if got, err := fileMD5(p); err != nil || got != a.md5 {
		return errRetry
	}
	e.Path = a.path
	e.Local = cache.LocalBaseOf(fi, sum)
	if !synced(e) || a.row != "touch" {
		e.Remote = cache.RemoteBase{MD5: e.MD5, Size: e.Size, ModTime: e.ModTime, Version: e.Version}
	}
	return m.put(*e, r)
}

func (m *Mount) forget(e *cache.Entry, r *result) error {
	ids := []string{e.ID}
	if e.IsDir && placed(e) {
		m.cfg.Store.Walk(e.Path, func(c cache.Entry) error {
			if c.ID != e.ID {
				ids = append(ids, c.ID)
			}
			return nil
		})
	}
	err := m.cfg.Store.Update(func(tx *cache.Tx) error {
		for _, id := range ids {
			if err := tx.Delete(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.dels = append(r.dels, ids...)
	return nil
}

func (m *Mount) localMove(a action, e *cache.Entry, r *result) error {
	from, err := m.abs(a.from)
	if err != nil {
		return err
	}
	to, err := m.abs(a.path)
	if err != nil {
		return err
	}
	if a.from == a.path {
		// Already there (the rename was done before a crash): record it.
		return m.repath(e, a.path, r)
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("%s is in the way: %w", a.path, fs.ErrExist)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return m.repath(e, a.path, r)
}

func (m *Mount) remoteMove(ctx context.Context, a action, e *cache.Entry, r *result) error {
	f, err := m.cfg.Remote.Move(ctx, e.ID, e.ParentID, a.parentID, a.name)
	if err != nil {
		return err
	}
	e.Name, e.ParentID = f.Name, a.parentID
	if e.TargetID == "" {
		// A shortcut's own version says nothing of its content's.
		e.Version, e.Remote.Version = f.Version, f.Version
	}
	return m.repath(e, a.path, r)
}

// repath records e at newPath, and for a folder everything below it.
func (m *Mount) repath(e *cache.Entry, newPath string, r *result) error {
	old := e.Path
	var kids []cache.Entry
	if e.IsDir {
		m.cfg.Store.Walk(old, func(c cache.Entry) error {
			if c.ID != e.ID {
				kids = append(kids, c)
			}
			return nil
		})
	}
	e.Path = newPath
	err := m.cfg.Store.Update(func(tx *cache.Tx) error {
		if err := tx.Put(*e); err != nil {
			return err
		}
		for _, c := range kids {
			c.Path = newPath + strings.TrimPrefix(c.Path, old)
			if err := tx.Put(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.puts = append(r.puts, *e)
	for _, c := range kids {
		c.Path = newPath + strings.TrimPrefix(c.Path, old)
		r.puts = append(r.puts, c)
	}
	return nil
}

func (m *Mount) put(e cache.Entry, r *result) error {
	if err := m.cfg.Store.Put(e); err != nil {
		return err
	}
	r.puts = append(r.puts, e)
	return nil
}

// parentPath is the local folder of rel.
func parentPath(rel string) string { return path.Dir(rel) }
