package mount

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// maxRounds bounds the rounds of one pass: each round acts on what the
// previous one made possible (a folder created, then its files).
const maxRounds = 64

// start loads the state and resolves the remote root, once per Mount.
func (m *Mount) start(ctx context.Context) error {
	if m.st != nil {
		return nil
	}
	rootID, err := m.resolveRoot(ctx)
	if err != nil {
		return err
	}
	st, err := loadState(m.cfg.Store, rootID)
	if err != nil {
		return err
	}
	m.st = st
	m.release()
	if st.len() >= bigLoad {
		// Decoding the store left about a kilobyte of garbage per entry;
		// the collector frees it but the runtime keeps the pages (up to
		// twice the live heap) unless told to give them back now.
		debug.FreeOSMemory()
	}
	return nil
}

// bigLoad is the number of entries from which loading the state is
// followed by returning its garbage's pages to the system (below it they
// are a few megabytes).
const bigLoad = 100_000

// release drops the store file's pages, which loading the state or a
// full pass leaves resident, from the process's memory (they stay in the
// page cache): ~1 KB an entry otherwise (issue 8).
func (m *Mount) release() {
	if err := m.cfg.Store.ReleaseMemory(); err != nil {
		m.log.Debug("release store pages", "err", err)
	}
}

// fullPass is one complete two-way pass: Drive's changes (or a full
// listing the first time), a scan of the whole local tree, then rounds of
// actions. With waitSettle it waits (a few settle intervals at most) for
// local files still being written.
func (m *Mount) fullPass(ctx context.Context, waitSettle bool) Summary {
	var sum Summary
	if m.Status().Phase != "initial" {
		m.setPhase("syncing")
	}
	if err := m.start(ctx); err != nil {
		sum.fail(err)
		m.setError(err)
		return sum
	}
	tok, err := m.cfg.Store.PageToken(m.cfg.DriveID)
	if err != nil {
		sum.fail(err)
		return sum
	}
	if err := m.checkRoot(tok == "" && m.st.len() == 0); err != nil {
		sum.fail(err)
		m.setError(err)
		return sum
	}
	rr, err := m.refreshRemote(ctx)
	m.mu.Lock()
	m.status.LastPoll = m.cfg.Now()
	m.mu.Unlock()
	if err != nil {
		sum.fail(err)
		m.setError(err)
		return sum
	}
	waits := m.pass(ctx, []string{"."}, rr.noDelete, false, &sum)
	for i := 0; waitSettle && waits > 0 && i < 4 && ctx.Err() == nil; i++ {
		select {
		case <-time.After(m.cfg.Settle):
		case <-ctx.Done():
		}
		waits = m.pass(ctx, []string{"."}, rr.noDelete, false, &sum)
	}
	m.purgeTrash()
	m.release()
	return sum
}

// pass runs rounds over scope until nothing is left to do and returns how
// many items wait (local files still being written, paths not free yet).
// force treats every local file as settled (Flush).
func (m *Mount) pass(ctx context.Context, scope []string, noDelete, force bool, sum *Summary) int {
	// Every pass, not only the first: a disk unmounted under a running
	// mount must not read as "everything was deleted" (S1).
	if err := m.checkRoot(false); err != nil {
		sum.fail(err)
		m.setError(err)
		return 0
	}
	guard := deleteGuard{}
	m.st.all(func(e *cache.Entry) {
		if !e.IsDir && synced(e) {
			guard.files++ // gone ones included: the files there were
		}
	})
	prog := Progress{Phase: m.Status().Phase}
	failed := map[string]int{}
	lastErr := map[string]error{}
	// Once a download finds the local disk full, the pass starts no
	// other: each would fail the same way (fetching data to throw away),
	// and report it. They wait for the next pass.
	var full atomic.Bool
	postponed := 0
	defer func() {
		// What still fails at the end of the pass is reported.
		for p, err := range lastErr {
			sum.fail(err)
			m.setError(err)
			delete(lastErr, p)
		}
		if postponed > 0 {
			err := fmt.Errorf("mount: the disk holding %s is full: %d more downloads wait for room: %w",
				m.cfg.Root, postponed, ErrDiskFull)
			sum.fail(err)
			m.setError(err)
			m.log.Error("local disk full: downloads postponed", "root", m.cfg.Root, "postponed", postponed)
		}
	}()
	writesLocal := func(a action) bool { return a.verb == actDownload || a.verb == actDownloadMove }
	waits := 0
	for round := 0; round < maxRounds && ctx.Err() == nil; round++ {
		sc, err := scanLocal(m.cfg.Root, scope, m.st)
		if err != nil {
			sum.fail(err)
			m.setError(err)
			return 0
		}
		m.force = force
		lo := m.st.layout(Options{CaseInsensitive: m.cfg.CaseInsensitive})
		if err := m.place(lo); err != nil {
			sum.fail(err)
			m.setError(err)
			return 0
		}
		p := m.plan(lo, sc)
		waits = p.waits
		acts, held := m.filter(p.acts, noDelete, &guard, failed)
		if guard.blocked && guard.msg != "" {
			err := fmt.Errorf("%s: %w", guard.msg, ErrMassDelete)
			sum.fail(err)
			m.setError(err)
			m.log.Error(guard.msg)
			guard.msg = ""
		}
		if len(acts) == 0 {
			m.publish(waits+held, nil)
			break
		}
		for _, a := range acts {
			if !a.dir && (a.verb == actDownload || a.verb == actUpload || a.verb == actUpdate || a.verb == actDownloadMove) {
				prog.TotalFiles++
				prog.TotalBytes += a.size
			}
		}
		var conflicts []string
		progress, retries := 0, 0
		done := func(r result) {
			for _, e := range r.puts {
				m.st.set(e)
			}
			for _, id := range r.dels {
				m.st.del(id)
			}
			if r.err != nil {
				if writesLocal(r.a) && diskFull(r.err) {
					full.Store(true)
				}
				if errors.Is(r.err, errRetry) {
					retries++
				} else {
					failed[r.a.path]++
					lastErr[r.a.path] = r.err
					m.log.Warn("sync action failed", "err", r.err)
				}
				return
			}
			delete(lastErr, r.a.path)
			progress++
			switch r.a.verb {
			case actDownload, actDownloadMove:
				if !r.a.dir {
					sum.Downloaded++
				}
			case actUpload, actUpdate:
				if !r.a.dir {
					sum.Uploaded++
				}
			case actLocalMove, actRemoteMove:
				sum.Renamed++
			case actLocalTrash, actRemoteTrash:
				sum.Trashed++
			case actConflict:
				sum.Conflicts++
				conflicts = append(conflicts, r.conflict)
			}
			switch r.a.verb {
			case actDownload, actUpload, actUpdate, actDownloadMove:
				if r.a.dir {
					break
				}
				prog.Files++
				prog.Bytes += r.bytes
				if m.cfg.Progress != nil {
					m.cfg.Progress(prog)
				}
			}
			scope = append(scope, r.a.path)
			if r.a.from != "" {
				scope = append(scope, r.a.from)
			}
			if r.conflict != "" {
				scope = append(scope, r.conflict)
			}
		}
		// Local renames first (paths the others rely on), then the
		// transfers and Drive moves in parallel, then Drive trashes (in
		// parallel: a folder trashed on Drive takes what is still in it,
		// so what moves out of it must have moved), then local deletes.
		var seq, par, trash, last []action
		for _, a := range acts {
			switch a.verb {
			case actLocalMove, actConflict, actAdopt:
				seq = append(seq, a)
			case actRemoteTrash:
				trash = append(trash, a)
			case actLocalTrash, actForget:
				last = append(last, a)
			default:
				if a.dir && a.verb == actDownload {
					seq = append(seq, a)
				} else {
					par = append(par, a)
				}
			}
		}
		postpone := func(a action) bool { return writesLocal(a) && full.Load() }
		for _, a := range seq {
			if postpone(a) {
				postponed++
				continue
			}
			done(m.runOne(ctx, a))
		}
		postponed += m.runAll(ctx, par, done, postpone)
		postponed += m.runAll(ctx, trash, done, postpone)
		for _, a := range last {
			done(m.runOne(ctx, a))
		}
		waits += retries // changed meanwhile: looked at again
		m.publish(waits+held, conflicts)
		if progress == 0 {
			break
		}
	}
	return waits
}

func (m *Mount) runOne(ctx context.Context, a action) result {
	var e cache.Entry
	if a.id != "" {
		e, _ = m.st.get(a.id)
	}
	return m.run(ctx, a, e)
}

// filter drops what this pass may not do: writes to Drive in read-only
// mode (S5), deletes after an untrustworthy listing (S2) or past the
// mass-delete threshold (S3), and actions that failed too often.
// held counts local changes kept back by read-only mode.
func (m *Mount) filter(acts []action, noDelete bool, g *deleteGuard, failed map[string]int) (out []action, held int) {
	deletes := 0
	for _, a := range acts {
		if (a.verb == actLocalTrash && !a.dir) || a.verb == actRemoteTrash {
			deletes++
		}
	}
	allowDeletes := !noDelete && g.allow(m, deletes)
	// A folder deleted locally goes to Drive's trash whole: the files in
	// it need no call of their own (they count as deletes above).
	var trashedDirs []string
	for _, a := range acts {
		if a.verb == actRemoteTrash && a.dir {
			trashedDirs = append(trashedDirs, a.path+"/")
		}
	}
	// A folder trashed on Drive takes what is still in it: while an item
	// below it moves out, it waits for a later round.
	var waiting []string
	for _, a := range acts {
		if (a.verb == actRemoteMove || a.verb == actDownloadMove) && a.from != "" {
			for _, d := range trashedDirs {
				if strings.HasPrefix(a.from, d) && !strings.HasPrefix(a.path, d) {
					waiting = append(waiting, d)
				}
			}
		}
	}
	for _, a := range acts {
		if failed[a.path] >= 3 {
			continue
		}
		if a.verb == actRemoteTrash && (underAny(a.path, trashedDirs) || a.dir && underAny(a.path+"/", waiting)) {
			continue
		}
		switch a.verb {
		case actUpload, actUpdate, actRemoteTrash, actRemoteMove, actDownloadMove:
			if m.cfg.ReadOnly {
				held++
				continue
			}
		}
		if (a.verb == actLocalTrash || a.verb == actRemoteTrash) && !allowDeletes {
			continue
		}
		out = append(out, a)
	}
	return out, held
}

// underAny reports whether p is below one of the prefixes (each ending
// in "/").
func underAny(p string, prefixes []string) bool {
	for _, d := range prefixes {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}
