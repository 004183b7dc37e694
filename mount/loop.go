package mount

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/drivesync/drivesync/cache"
)

// request is a Flush or Fetch for the loop.
type request struct {
	fetch []string // Fetch: paths that must be downloaded; nil for Flush
	done  chan error
}

// errNotRunning: Flush or Fetch while no Run loop serves them.
var errNotRunning = errors.New("mount: not running")

// Run makes the initial full pass, then keeps both sides in sync until
// ctx ends: it polls Drive's changes feed every Poll, scans what the
// file watcher reports changed (after Debounce, uploading files once
// they settle), and rescans everything every Rescan. A pass that fails
// is logged and retried; only a missing marker (S1) or an unreachable
// remote root stops Run with an error.
func (m *Mount) Run(ctx context.Context) error {
	if !m.running.TryLock() {
		return errors.New("mount: already running")
	}
	defer m.running.Unlock()
	defer m.setPhase("stopped")
	m.setPhase("initial")

	w, werr := fsnotify.NewWatcher()
	if werr != nil {
		m.log.Warn("file watcher unavailable; relying on periodic rescans", "err", werr)
	} else {
		defer w.Close()
	}
	sum := m.fullPass(ctx, false)
	if m.st == nil || errors.Is(sum.Err(), errStop) {
		return sum.Err()
	}
	if err := sum.Err(); err != nil {
		m.log.Warn("initial pass incomplete", "summary", sum.String(), "err", err)
	}
	var events chan fsnotify.Event
	var werrs chan error
	if w != nil {
		m.watchTree(w, m.cfg.Root)
		events, werrs = w.Events, w.Errors
	}
	m.setPhase("idle")
	m.mu.Lock()
	m.status.Phase = "idle"
	m.mu.Unlock()

	poll := time.NewTicker(m.cfg.Poll)
	defer poll.Stop()
	rescan := time.NewTicker(m.cfg.Rescan)
	defer rescan.Stop()
	dirty := newDirtySet(m.cfg.Debounce, m.cfg.Settle)
	defer dirty.stop()

	stop := make(chan struct{})
	m.mu.Lock()
	m.serving = stop
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.serving = nil
		m.mu.Unlock()
		close(stop)
	}()

	runPass := func(scope []string, noDelete, force bool) (int, error) {
		m.setPhase("syncing")
		defer m.setPhase("idle")
		var s Summary
		waits := m.pass(ctx, scope, noDelete, force, &s)
		if s.Failed > 0 {
			m.log.Warn("pass had failures", "summary", s.String(), "err", s.Err())
			return waits, s.Err()
		}
		return waits, nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
			if scope := m.pollOnce(ctx, runPass); len(scope) > 0 {
				// Items still waiting (a path not free yet, a file being
				// written): looked at again like a local change.
				dirty.retry(scope)
			}
		case <-rescan.C:
			if err := m.checkRoot(false); err != nil {
				m.setError(err)
				continue
			}
			if w != nil {
				m.watchTree(w, m.cfg.Root)
			}
			runPass([]string{"."}, false, false)
			m.purgeTrash()
			m.release()
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			rel, err := filepath.Rel(m.cfg.Root, ev.Name)
			if err != nil || rel == "." || ignored(filepath.ToSlash(rel)) {
				continue
			}
			if ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove) {
				// A watched folder moved or went: its watches carry the
				// old paths, so drop them; the new place is watched when
				// its Create arrives.
				unwatchTree(w, ev.Name)
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					m.watchTree(w, ev.Name)
				}
			}
			dirty.mark(filepath.ToSlash(rel))
		case err, ok := <-werrs:
			if !ok {
				werrs = nil
				continue
			}
			// An overflow loses events: the next debounce scans everything.
			m.log.Warn("file watcher", "err", err)
			dirty.mark(".")
		case <-dirty.quiet.C:
			m.scanDirty(dirty, runPass)
		case <-dirty.again.C:
			m.scanDirty(dirty, runPass)
		case req := <-m.reqs:
			m.pollOnce(ctx, runPass)
			_, err := runPass([]string{"."}, false, true)
			dirty.clear()
			if err == nil && req.fetch != nil {
				err = m.fetched(req.fetch)
			}
			req.done <- err
		}
	}
}

// scanDirty runs a pass over the dirty paths; what waits (files still
// being written) is looked at again once it may have settled.
func (m *Mount) scanDirty(dirty *dirtySet, runPass func([]string, bool, bool) (int, error)) {
	scope := dirty.take()
	if len(scope) == 0 {
		return
	}
	if waits, _ := runPass(scope, false, false); waits > 0 {
		dirty.retry(scope)
	}
}

// pollOnce applies Drive's changes and acts on the paths they touch. It
// returns those paths if items among them still wait.
func (m *Mount) pollOnce(ctx context.Context, runPass func([]string, bool, bool) (int, error)) []string {
	rr, err := m.refreshRemote(ctx)
	m.mu.Lock()
	m.status.LastPoll = m.cfg.Now()
	m.mu.Unlock()
	if err != nil {
		m.setError(err)
		m.log.Warn("poll failed", "err", err)
		return nil
	}
	if rr.changed == 0 {
		return nil
	}
	scope := append(rr.paths, rr.was...)
	// (Not after an incomplete listing: the pass again would not hold
	// back its deletes.)
	if waits, _ := runPass(scope, rr.noDelete, false); waits > 0 && !rr.noDelete {
		return scope
	}
	return nil
}

// watchTree adds a watch on dir and every folder below it.
func (m *Mount) watchTree(w *fsnotify.Watcher, dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if rel, _ := filepath.Rel(m.cfg.Root, p); ignored(filepath.ToSlash(rel)) {
			return fs.SkipDir
		}
		if err := w.Add(p); err != nil {
			m.log.Warn("file watcher: cannot watch; the periodic rescan covers it", "dir", p, "err", err)
			return fs.SkipDir
		}
		return nil
	})
}

// unwatchTree removes the watches on dir and below it.
func unwatchTree(w *fsnotify.Watcher, dir string) {
	for _, p := range w.WatchList() {
		if p == dir || strings.HasPrefix(p, dir+string(filepath.Separator)) {
			w.Remove(p)
		}
	}
}

// Flush returns once every local change seen so far is on Drive: files
// still being written are taken as they are.
func (m *Mount) Flush(ctx context.Context) error { return m.ask(ctx, request{}) }

// Fetch makes sure the mirror paths are downloaded.
func (m *Mount) Fetch(ctx context.Context, paths []string) error {
	if paths == nil {
		paths = []string{}
	}
	return m.ask(ctx, request{fetch: paths})
}

func (m *Mount) ask(ctx context.Context, r request) error {
	r.done = make(chan error, 1)
	m.mu.Lock()
	stop := m.serving
	m.mu.Unlock()
	if stop == nil {
		return errNotRunning
	}
	select {
	case m.reqs <- r:
	case <-stop:
		return errNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-stop:
		return errNotRunning
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fetched checks that every path is a synced file or folder on disk.
func (m *Mount) fetched(paths []string) error {
	var errs []error
	for _, p := range paths {
		p = filepath.ToSlash(filepath.Clean(p))
		id, ok := m.st.idAt(p)
		if !ok {
			errs = append(errs, fmt.Errorf("mount: fetch %s: %w", p, cache.ErrNotFound))
			continue
		}
		if e, _ := m.st.get(id); !synced(&e) || (!e.IsDir && e.MD5 != e.Local.MD5) {
			errs = append(errs, fmt.Errorf("mount: fetch %s: not downloaded yet", p))
		}
	}
	return errors.Join(errs...)
}
