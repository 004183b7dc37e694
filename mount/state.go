package mount

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

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
}

func newState(rootID string) *state {
	return &state{rootID: rootID, byID: map[string]*cache.Entry{}, byPath: map[string]string{}, skipped: map[string]Skipped{}}
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
	if old, ok := st.byID[e.ID]; ok && st.byPath[old.Path] == e.ID {
		delete(st.byPath, old.Path)
	}
	c := e
	st.byID[e.ID] = &c
	st.byPath[e.Path] = e.ID
}

func (st *state) del(id string) {
	if old, ok := st.byID[id]; ok {
		if st.byPath[old.Path] == id {
			delete(st.byPath, old.Path)
		}
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
	kids := map[string][]*cache.Entry{}
	for _, e := range st.byID {
		if e.ParentID != goneParent {
			kids[e.ParentID] = append(kids[e.ParentID], e)
		}
	}
	var walk func(dirID, dirPath string)
	walk = func(dirID, dirPath string) {
		es := kids[dirID]
		sort.Slice(es, func(i, j int) bool { return es[i].ID < es[j].ID })
		sibs := make([]Sibling, 0, len(es))
		prev := map[string]string{}
		for _, e := range es {
			sibs = append(sibs, Sibling{ID: e.ID, Name: e.Name, IsDir: e.IsDir})
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
	n.Name, n.ParentID, n.IsDir = f.Name, parentID, f.IsFolder()
	n.MD5, n.Size, n.ModTime, n.Version = f.MD5, f.Size, f.ModTime, f.Version
	if f.IsShortcut() {
		// A file shortcut mirrors its target's content; Drive keeps no md5
		// for the shortcut, so Version says when it changed.
		n.MD5 = ""
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
		if e, ok := st.byID[p]; ok && e.IsDir && e.ParentID != goneParent {
			return p
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
