package mount

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// remoteResult is what a refresh of Drive's side found.
type remoteResult struct {
	changed  int      // entries that changed
	ids      []string // their IDs
	paths    []string // their paths now
	was      []string // the paths they had before (those that existed)
	noDelete bool     // the listing was incomplete or empty: no deletes this pass (S2)
}

// resolveRoot finds RemoteRoot's real ID ("root" is an alias the changes
// feed never uses as a parent).
func (m *Mount) resolveRoot(ctx context.Context) (string, error) {
	f, err := m.cfg.Remote.Get(ctx, m.cfg.RemoteRoot)
	if err != nil {
		return "", fmt.Errorf("mount: remote root %s: %w", m.cfg.RemoteRoot, err)
	}
	if !f.IsFolder() || f.Trashed {
		return "", fmt.Errorf("mount: remote root %s (%q): %w", m.cfg.RemoteRoot, f.Name, errNoRoot)
	}
	return f.ID, nil
}

// refreshRemote brings the state up to Drive's: the changes since the
// saved page token, or, without one, a full listing. The new token is
// saved in the same transaction as the entries, so a crash loses both or
// neither and changes made while the engine was down are applied when it
// returns.
//
// If anything fails, the state is put back as it was: what the store did
// not save must be fetched again, which it is, from the same token.
func (m *Mount) refreshRemote(ctx context.Context) (res remoteResult, err error) {
	done := m.st.journal()
	defer func() {
		undo := done(err != nil)
		for _, id := range res.ids {
			if was := undo[id]; was != nil {
				res.was = append(res.was, strings.Clone(was.Path))
			}
		}
	}()
	return m.fetchRemote(ctx)
}

// fetchRemote is refreshRemote without the undo.
func (m *Mount) fetchRemote(ctx context.Context) (remoteResult, error) {
	st := m.st
	tok, err := m.cfg.Store.PageToken(m.cfg.DriveID)
	if err != nil {
		return remoteResult{}, fmt.Errorf("mount: page token: %w", err)
	}
	if tok == "" {
		return m.fullListing(ctx)
	}
	cs, err := m.cfg.Remote.Changes(ctx, m.cfg.DriveID, tok)
	var de *drive.Error
	if errors.As(err, &de) && (de.Status == 400 || de.Status == 404 || de.Status == 410) {
		// Drive no longer knows the token (it expires after a long
		// absence): list everything again. The listing's deletes are
		// guarded like any (S2, S3).
		m.log.Warn("changes feed: page token refused; listing the whole mirror again", "err", err)
		return m.fullListing(ctx)
	}
	if err != nil {
		return remoteResult{}, fmt.Errorf("mount: changes feed: %w", err)
	}
	dirty := map[string]cache.Entry{}
	pending := make([]drive.Change, 0, len(cs.Changes))
	for _, ch := range cs.Changes {
		if ch.DriveID != m.cfg.DriveID && ch.DriveID != "" {
			continue
		}
		pending = append(pending, ch)
	}
	// File shortcuts mirror their target's content: a changed shortcut
	// needs its target's metadata (from this batch if there, else Drive).
	inBatch := map[string]drive.File{}
	var changedFiles []drive.File
	for _, ch := range pending {
		if !ch.Removed {
			inBatch[ch.FileID] = ch.File
			changedFiles = append(changedFiles, ch.File)
		}
	}
	tgts, err := m.targets(ctx, changedFiles, inBatch)
	if err != nil {
		return remoteResult{}, err
	}
	// Changes come in no useful order: a file may precede the new folder
	// holding it. Apply what can be placed until nothing moves.
	var newDirs []string
	for progress := true; progress && len(pending) > 0; {
		progress = false
		rest := pending[:0]
		for _, ch := range pending {
			e, known := st.get(ch.FileID)
			if ch.Removed {
				if known && e.ParentID != goneParent {
					n := e
					n.ParentID = goneParent
					st.set(n)
					dirty[n.ID] = n
				}
				progress = true
				continue
			}
			f := ch.File
			parent := st.liveParent(f)
			if parent == goneParent {
				rest = append(rest, ch)
				continue
			}
			if m.skip(f, parent, tgts) {
				if known {
					n := e
					n.ParentID = goneParent
					st.set(n)
					dirty[n.ID] = n
				}
				progress = true
				continue
			}
			n := st.absorb(f, parent)
			if t, ok := tgts[f.ShortcutTarget]; ok && f.IsShortcut() {
				n = withTarget(n, t)
			}
			if (!known || e.TargetID != n.TargetID) && n.IsDir {
				newDirs = append(newDirs, driveID(&n))
			}
			st.set(n)
			dirty[n.ID] = n
			progress = true
		}
		pending = rest
	}
	// What is left has no parent in the mirror: trashed, deleted, moved
	// out, or never ours.
	for _, ch := range pending {
		if e, ok := st.get(ch.FileID); ok && e.ParentID != goneParent {
			n := e
			n.ParentID = goneParent
			st.set(n)
			dirty[n.ID] = n
		}
	}
	// The feed reports a shortcut's target, not the shortcut: every file
	// shortcut pointing to a changed file takes its new content (N8).
	for _, ch := range cs.Changes {
		for sid := range st.targets[ch.FileID] {
			e, _ := st.get(sid)
			if e.IsDir || e.ParentID == goneParent {
				continue
			}
			n := e
			if ch.Removed || ch.File.Trashed {
				n.ParentID = goneParent // D1: its local copy goes to the local trash
			} else {
				n = withTarget(n, ch.File)
			}
			if n != e {
				st.set(n)
				dirty[n.ID] = n
			}
		}
	}
	// A folder new to the mirror may have been moved in with its
	// contents, which the feed does not list: list it (for a folder
	// shortcut, its target).
	for _, id := range newDirs {
		tree, err := m.cfg.Remote.ListTree(ctx, id, drive.ListOptions{FollowShortcuts: true})
		if err != nil {
			return remoteResult{}, fmt.Errorf("mount: list new folder %s: %w", id, err)
		}
		if _, err := m.absorbTree(ctx, tree, dirty); err != nil {
			return remoteResult{}, err
		}
	}
	if err := m.commitRemote(dirty, cs.NewStartToken); err != nil {
		return remoteResult{}, err
	}
	res := remoteResult{changed: len(dirty)}
	for id, e := range dirty {
		res.ids = append(res.ids, id)
		res.paths = append(res.paths, e.Path)
	}
	return res, nil
}

// fullListing lists the whole mirror: the first time, or when the page
// token is lost. The token is taken before the listing so nothing that
// changes meanwhile is missed.
func (m *Mount) fullListing(ctx context.Context) (remoteResult, error) {
	st := m.st
	tok, err := m.cfg.Remote.StartPageToken(ctx, m.cfg.DriveID)
	if err != nil {
		return remoteResult{}, fmt.Errorf("mount: start page token: %w", err)
	}
	tree, err := m.cfg.Remote.ListTree(ctx, st.rootID, drive.ListOptions{FollowShortcuts: true})
	if err != nil {
		return remoteResult{}, fmt.Errorf("mount: list %s: %w", m.cfg.RemoteRoot, err)
	}
	dirty := map[string]cache.Entry{}
	seen, err := m.absorbTree(ctx, tree, dirty)
	if err != nil {
		return remoteResult{}, err
	}
	res := remoteResult{noDelete: tree.Incomplete || len(tree.Files) == 0}
	if !res.noDelete {
		var left []cache.Entry
		st.all(func(e *cache.Entry) {
			if !seen[e.ID] && e.ParentID != goneParent {
				left = append(left, *e)
			}
		})
		for _, n := range left {
			n.ParentID = goneParent
			st.set(n)
			dirty[n.ID] = n
		}
	}
	if err := m.commitRemote(dirty, tok); err != nil {
		return remoteResult{}, err
	}
	res.changed = len(dirty)
	return res, nil
}

// absorbTree records every item of a listing, folders before their
// contents (the trees of folder shortcuts included: Walk enters them and
// stops at loops), and returns the IDs seen.
func (m *Mount) absorbTree(ctx context.Context, tree *drive.Tree, dirty map[string]cache.Entry) (map[string]bool, error) {
	st := m.st
	known := make(map[string]drive.File, len(tree.Files))
	for _, f := range tree.Files {
		known[f.ID] = f
	}
	tgts, err := m.targets(ctx, tree.Files, known)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	tree.Walk(func(_ string, f drive.File) error {
		parent := st.liveParent(f)
		if parent == goneParent {
			return nil
		}
		if m.skip(f, parent, tgts) {
			return nil
		}
		seen[f.ID] = true
		n := st.absorb(f, parent)
		if t, ok := tgts[f.ShortcutTarget]; ok && f.IsShortcut() {
			n = withTarget(n, t)
		}
		if old, ok := st.get(f.ID); ok && old == n {
			return nil
		}
		st.set(n)
		dirty[n.ID] = n
		return nil
	})
	return seen, nil
}

// skip reports (and records for Status) whether f is left out of the
// mirror: Google Docs without ExportDocs or with no export format, and
// file shortcuts whose target is gone (tgts holds the live targets).
func (m *Mount) skip(f drive.File, parent string, tgts map[string]drive.File) bool {
	reason := m.skipReason(f)
	if _, ok := tgts[f.ShortcutTarget]; reason == "" && f.IsShortcut() && f.ShortcutTargetMime != drive.FolderMime && !ok {
		reason = "shortcut target trashed, deleted or not visible"
	}
	if reason == "" {
		delete(m.st.skipped, f.ID)
		return false
	}
	where := f.Name
	if pe, ok := m.st.get(parent); ok && placed(&pe) {
		where = pe.Path + "/" + f.Name
	}
	m.st.skip(f.ID, where, reason)
	return true
}

// commitRemote saves the changed entries and the page token together.
func (m *Mount) commitRemote(dirty map[string]cache.Entry, tok string) error {
	err := m.cfg.Store.Update(func(tx *cache.Tx) error {
		for _, e := range dirty {
			if err := tx.Put(e); err != nil {
				return fmt.Errorf("entry %s (%s): %w", e.ID, e.Path, err)
			}
		}
		return tx.SetPageToken(m.cfg.DriveID, tok)
	})
	if err != nil {
		return fmt.Errorf("mount: save remote state: %w", err)
	}
	return nil
}
