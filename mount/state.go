package mount

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// goneParent is the ParentID of an entry whose Drive item left the mirror
// (trashed, deleted, or moved out): its local side still has to be dealt
// with (D1, D3, D5, R6).
const goneParent = ""

// pendingDir holds the placeholder paths of Drive items not placed on
// disk yet whose local path is still held by another entry.
const pendingDir = ".drivesync-pending"

// state is the engine's in-memory copy of the store's entries, owned by
// the goroutine running passes. Every change is written to the store
// first.
type state struct {
	rootID  string                  // the real Drive ID of RemoteRoot
	byID    map[string]*cache.Entry // every entry
	byPath  map[string]string       // path -> ID
	skipped map[string]Skipped      // Drive ID -> why it is not mirrored
	// targets: Drive ID -> the shortcut entries pointing to it (N8).
	targets map[string]map[string]bool
	// cut: the IDs layout put in skipped (shortcut loops), recomputed by
	// every layout.
	cut map[string]bool
}

func newState(rootID string) *state {
	return &state{rootID: rootID, byID: map[string]*cache.Entry{}, byPath: map[string]string{}, skipped: map[string]Skipped{},
		targets: map[string]map[string]bool{}, cut: map[string]bool{}}
}

// load reads every entry of the store.
func loadState(s *cache.Store, rootID string) (*state, error) {
	st := newState(rootID)
	err := s.Walk(".", func(e cache.Entry) error {
		st.set(e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mount: load state: %w", err)
	}
	return st, nil
}

func (st *state) set(e cache.Entry) {
	if old, ok := st.byID[e.ID]; ok {
		if st.byPath[old.Path] == e.ID {
			delete(st.byPath, old.Path)
		}
		st.untarget(old)
	}
	c := e
	st.byID[e.ID] = &c
	st.byPath[e.Path] = e.ID
	if c.TargetID != "" {
		if st.targets[c.TargetID] == nil {
			st.targets[c.TargetID] = map[string]bool{}
		}
		st.targets[c.TargetID][c.ID] = true
	}
}

func (st *state) untarget(e *cache.Entry) {
	if e.TargetID != "" {
		delete(st.targets[e.TargetID], e.ID)
		if len(st.targets[e.TargetID]) == 0 {
			delete(st.targets, e.TargetID)
		}
	}
}

func (st *state) del(id string) {
	if old, ok := st.byID[id]; ok {
		if st.byPath[old.Path] == id {
			delete(st.byPath, old.Path)
		}
		st.untarget(old)
		delete(st.byID, id)
	}
}

// placed reports whether e's Path is a real local path (not a placeholder).
func placed(e *cache.Entry) bool { return !strings.HasPrefix(e.Path, pendingDir+"/") }

// layout is where every Drive item of the mirror belongs on disk.
type layout struct {
	want map[string]string // ID -> desired local path, for items in the mirror
	gone map[string]bool   // IDs whose item left the mirror (self or an ancestor)
}

// plan computes the layout: the local path of every item from its
// parent's path and its deduplicated local name, from the mirror root
// down. Items whose parent is not in the mirror are gone.
func (st *state) layout(opts Options) layout {
	lo := layout{want: map[string]string{}, gone: map[string]bool{}}
	for id := range st.cut {
		delete(st.skipped, id)
	}
	clear(st.cut)
	kids := map[string][]*cache.Entry{}
	for _, e := range st.byID {
		if e.ParentID != goneParent {
			kids[e.ParentID] = append(kids[e.ParentID], e)
		}
	}
	// Folders entered so far (a folder shortcut enters its target): a
	// folder is mirrored at one path only, so a shortcut to a folder
	// already mirrored, an enclosing one above all (a loop), is cut (N8).
	entered := map[string]string{st.rootID: "."}
	for _, e := range st.byID {
		if e.IsDir && !folderShortcut(e) && e.ParentID != goneParent {
			entered[e.ID] = e.Path
		}
	}
	var walk func(dirID, dirPath string)
	walk = func(dirID, dirPath string) {
		es := kids[dirID]
		sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
		sibs := make([]Sibling, 0, len(es))
		prev := map[string]string{}
		for _, e := range es {
			sibs = append(sibs, Sibling{ID: e.ID, Name: dedupeName(e), IsDir: e.IsDir})
			if placed(e) && path.Dir(e.Path) == dirPath {
				prev[e.ID] = path.Base(e.Path)
			}
		}
		names, err := Dedupe(sibs, prev, opts)
		if err != nil {
			for _, e := range es {
				st.skipped[e.ID] = Skipped{Path: path.Join(dirPath, e.Name), DriveID: e.ID, Reason: err.Error()}
			}
			return
		}
		for _, e := range es {
			p := path.Join(dirPath, names[e.ID])
			if dirPath == "." && (names[e.ID] == Marker || names[e.ID] == pendingDir) {
				st.skipped[e.ID] = Skipped{Path: p, DriveID: e.ID, Reason: "name reserved for drivesync's own use"}
				continue
			}
			if folderShortcut(e) {
				if at, ok := entered[e.TargetID]; ok {
					reason := "shortcut to a folder already mirrored at " + at + ": cut"
					if at == "." || strings.HasPrefix(dirPath+"/", at+"/") {
						reason = "shortcut loop: its target folder encloses it (" + at + "): cut"
					}
					st.skipped[e.ID] = Skipped{Path: p, DriveID: e.ID, Reason: reason}
					st.cut[e.ID] = true
					continue
				}
				entered[e.TargetID] = p
				lo.want[e.ID] = p
				walk(e.TargetID, p)
				continue
			}
			lo.want[e.ID] = p
			if e.IsDir {
				walk(e.ID, p)
			}
		}
	}
	walk(st.rootID, ".")
	for id := range st.byID {
		if _, ok := lo.want[id]; !ok {
			if _, skip := st.skipped[id]; !skip {
				lo.gone[id] = true
			}
		}
	}
	return lo
}

// absorb records Drive's current metadata f for an item in the mirror
// (from a listing or the changes feed) without touching its bases.
// New items get their desired path if free, else a placeholder.
func (st *state) absorb(f drive.File, parentID string) cache.Entry {
	e, ok := st.byID[f.ID]
	var n cache.Entry
	if ok {
		n = *e
	} else {
		n = cache.Entry{ID: f.ID, Path: pendingDir + "/" + f.ID}
	}
	n.Name, n.ParentID = f.Name, parentID
	n.IsDir = f.IsFolder() || f.IsShortcut() && f.ShortcutTargetMime == drive.FolderMime
	n.MimeType, n.TargetID, n.TargetMime = f.MimeType, f.ShortcutTarget, f.ShortcutTargetMime
	n.MD5, n.Size, n.ModTime, n.Version = f.MD5, f.Size, f.ModTime, f.Version
	if f.IsShortcut() && !n.IsDir {
		// A file shortcut mirrors its target's content: the caller sets
		// the target's metadata (withTarget); the shortcut's own says
		// nothing of it.
		n.MD5, n.Size, n.ModTime, n.Version = "", 0, time.Time{}, 0
		if old, ok := st.byID[f.ID]; ok && old.TargetID == f.ShortcutTarget {
			n.MD5, n.Size, n.ModTime, n.Version = old.MD5, old.Size, old.ModTime, old.Version
		}
	}
	return n
}

// liveParent is the mirror parent of f: the first of its parents that is
// the root or a folder in the mirror, or goneParent.
func (st *state) liveParent(f drive.File) string {
	if f.Trashed {
		return goneParent
	}
	for _, p := range f.Parents {
		if p == st.rootID {
			return p
		}
		if e, ok := st.byID[p]; ok && e.IsDir && !folderShortcut(e) && e.ParentID != goneParent {
			return p
		}
		// A folder a live folder shortcut points to (N8).
		for sid := range st.targets[p] {
			if e := st.byID[sid]; folderShortcut(e) && e.ParentID != goneParent {
				return p
			}
		}
	}
	return goneParent
}

var errNoRoot = errors.New("mount: the mirror root is not a folder")

// place moves the entries of Drive items not downloaded yet to the local
// path they will take, where no other entry holds it, so the index (and
// glob over it) shows them where they belong before they arrive.
func (m *Mount) place(lo layout) error {
	st := m.st
	var moves []cache.Entry
	for id, want := range lo.want {
		e := st.byID[id]
		if synced(e) || e.Path == want {
			continue
		}
		if other, ok := st.byPath[want]; ok && other != id {
			continue
		}
		n := *e
		n.Path = want
		moves = append(moves, n)
	}
	if len(moves) == 0 {
		return nil
	}
	err := m.cfg.Store.Update(func(tx *cache.Tx) error {
		for _, n := range moves {
			if err := tx.Put(n); err != nil {
				return fmt.Errorf("entry %s at %s: %w", n.ID, n.Path, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mount: place new items: %w", err)
	}
	for _, n := range moves {
		st.set(n)
	}
	return nil
}
