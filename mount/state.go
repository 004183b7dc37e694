package mount

import (
	"errors"
	"fmt"
	"path"
	"slices"
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
// first. The entries are kept compact (table.go); the maps beside them
// hold the few items that are special.
type state struct {
	rootID  string             // the real Drive ID of RemoteRoot
	t       *table             // every entry, by ID and by path
	skipped map[string]Skipped // Drive ID -> why it is not mirrored
	// targets: Drive ID -> the shortcut entries pointing to it (N8).
	targets map[string]map[string]bool
	// cut: the IDs layout put in skipped (shortcut loops), recomputed by
	// every layout.
	cut map[string]bool
	// undo, while not nil, keeps each entry set or deleted as it was
	// before its first change (nil: it did not exist), so that changes
	// the store failed to save can be taken back (see journal).
	undo map[string]*cache.Entry
}

func newState(rootID string) *state {
	return &state{rootID: rootID, t: newTable(), skipped: map[string]Skipped{},
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

// get returns the entry of a Drive ID (its strings point into the table:
// see table).
func (st *state) get(id string) (cache.Entry, bool) { return st.t.get(id) }

// has reports whether the state holds an entry for id.
func (st *state) has(id string) bool {
	_, ok := st.t.ids.get(id)
	return ok
}

// idAt is the ID of the entry holding the local path p.
func (st *state) idAt(p string) (string, bool) {
	slot, ok := st.t.slotAt(p)
	if !ok {
		return "", false
	}
	return st.t.idOf(slot), true
}

// len is the number of entries.
func (st *state) len() int { return st.t.len() }

// all calls fn with every entry, in no particular order; fn must not
// change the state, nor keep e (one variable serves every call: an
// Entry allocated per call would be a million per pass).
func (st *state) all(fn func(e *cache.Entry)) {
	var e cache.Entry
	for slot := range st.t.slots() {
		e = st.t.at(slot)
		fn(&e)
	}
}

func (st *state) set(e cache.Entry) {
	old, ok := st.t.get(e.ID)
	st.remember(e.ID, old, ok)
	if ok {
		st.untarget(&old)
	}
	st.t.set(e)
	if e.TargetID != "" {
		tg := st.targets[e.TargetID]
		if tg == nil {
			tg = map[string]bool{}
			st.targets[strings.Clone(e.TargetID)] = tg
		}
		tg[strings.Clone(e.ID)] = true
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

// skip records why the item id is left out (copies kept: the strings
// given may point into the table).
func (st *state) skip(id, p, reason string) {
	id = strings.Clone(id)
	st.skipped[id] = Skipped{Path: strings.Clone(p), DriveID: id, Reason: reason}
}

// remember records in undo what id was before its first change.
func (st *state) remember(id string, old cache.Entry, existed bool) {
	if st.undo == nil {
		return
	}
	if _, done := st.undo[id]; done {
		return
	}
	var was *cache.Entry
	if existed {
		was = &old
	}
	st.undo[id] = was // dropped with the journal: no copy needed
}

// journal starts recording what changes; the returned function stops,
// and if failed is true puts every entry changed back as it was: the
// state must not run ahead of the store, or a later save (of a page
// token, say) would skip changes that were never saved. It returns what
// each changed entry was (nil: new).
func (st *state) journal() func(failed bool) map[string]*cache.Entry {
	st.undo = map[string]*cache.Entry{}
	return func(failed bool) map[string]*cache.Entry {
		undo := st.undo
		st.undo = nil
		if failed {
			for id, was := range undo {
				if was == nil {
					st.del(id)
				} else {
					st.set(*was)
				}
			}
		}
		return undo
	}
}

func (st *state) del(id string) {
	if old, ok := st.t.get(id); ok {
		st.remember(id, old, true)
		st.untarget(&old)
		st.t.del(id)
	}
}

// placed reports whether e's Path is a real local path (not a placeholder).
func placed(e *cache.Entry) bool { return !strings.HasPrefix(e.Path, pendingDir+"/") }

// layout is where every Drive item of the mirror belongs on disk. Most
// items are where they belong: only the others are listed.
type layout struct {
	moved map[string]string // ID -> desired local path, where it is not the entry's Path
	out   map[string]bool   // IDs the layout did not place: left the mirror, or skipped
	gone  map[string]bool   // IDs whose item left the mirror (self or an ancestor)
}

// want is where e belongs, if it is in the mirror.
func (lo layout) want(e *cache.Entry) (string, bool) {
	if p, ok := lo.moved[e.ID]; ok {
		return p, true
	}
	if lo.out[e.ID] {
		return "", false
	}
	return e.Path, true
}

// layout computes the layout: the local path of every item from its
// parent's path and its deduplicated local name, from the mirror root
// down. Items whose parent is not in the mirror are gone.
//
// Siblings are grouped by a counting sort over the table's interned
// parent IDs (4 bytes an entry, for the length of the call), and a folder
// whose children all sit at their own plain names (the common case) is
// settled without Dedupe, which would allocate a few maps per child.
func (st *state) layout(opts Options) layout {
	lo := layout{moved: map[string]string{}, out: map[string]bool{}, gone: map[string]bool{}}
	for id := range st.cut {
		delete(st.skipped, id)
	}
	clear(st.cut)
	t := st.t
	// kids[first[p]:first[p+1]]: the slots whose parent is interned as p.
	first := make([]uint32, len(t.strs.strs)+1)
	for slot := range t.slots() {
		if p := t.parentIndex(slot); p != 0 { // 0: goneParent
			first[p+1]++
		}
	}
	for i := 1; i < len(first); i++ {
		first[i] += first[i-1]
	}
	kids := make([]uint32, first[len(first)-1])
	next := append([]uint32(nil), first...)
	for slot := range t.slots() {
		if p := t.parentIndex(slot); p != 0 {
			kids[next[p]] = slot
			next[p]++
		}
	}
	next = nil
	// Folders entered so far (a folder shortcut enters its target): a
	// folder is mirrored at one path only, so a shortcut to a folder
	// already mirrored, an enclosing one above all (a loop), is cut (N8).
	entered := map[string]string{st.rootID: "."}
	st.all(func(e *cache.Entry) {
		if e.IsDir && !folderShortcut(e) && e.ParentID != goneParent {
			entered[e.ID] = e.Path
		}
	})
	reached := newBitset(t.slotCount())
	var sibs []Sibling
	var walk func(dirID, dirPath string)
	walk = func(dirID, dirPath string) {
		p, ok := t.strs.idx[dirID]
		if !ok {
			return
		}
		es := kids[first[p]:first[p+1]]
		slices.SortFunc(es, func(a, b uint32) int { return strings.Compare(t.idOf(a), t.idOf(b)) })
		var names map[string]string
		if !st.inPlace(es, dirPath, opts) {
			sibs = sibs[:0]
			prev := map[string]string{}
			for _, slot := range es {
				e := t.at(slot)
				sibs = append(sibs, Sibling{ID: e.ID, Name: dedupeName(&e), IsDir: e.IsDir})
				if placed(&e) && path.Dir(e.Path) == dirPath {
					prev[e.ID] = path.Base(e.Path)
				}
			}
			var err error
			names, err = Dedupe(sibs, prev, opts)
			if err != nil {
				for _, slot := range es {
					e := t.at(slot)
					st.skip(e.ID, path.Join(dirPath, e.Name), err.Error())
				}
				return
			}
		}
		for _, slot := range es {
			e := t.at(slot)
			p := e.Path // in place
			if names != nil {
				p = path.Join(dirPath, names[e.ID])
			}
			if name := path.Base(p); dirPath == "." && (name == Marker || name == pendingDir) {
				st.skip(e.ID, p, "name reserved for drivesync's own use")
				continue
			}
			if folderShortcut(&e) {
				if at, ok := entered[e.TargetID]; ok {
					reason := "shortcut to a folder already mirrored at " + at + ": cut"
					if at == "." || strings.HasPrefix(dirPath+"/", at+"/") {
						reason = "shortcut loop: its target folder encloses it (" + at + "): cut"
					}
					st.skip(e.ID, p, reason)
					st.cut[strings.Clone(e.ID)] = true
					continue
				}
				entered[e.TargetID] = p
				lo.place(slot, &e, p, reached)
				walk(e.TargetID, p)
				continue
			}
			lo.place(slot, &e, p, reached)
			if e.IsDir {
				walk(e.ID, p)
			}
		}
	}
	walk(st.rootID, ".")
	for slot := range t.slots() {
		if reached.has(slot) {
			continue
		}
		id := t.idOf(slot)
		lo.out[id] = true
		if _, skip := st.skipped[id]; !skip {
			lo.gone[id] = true
		}
	}
	return lo
}

// place records that the item of slot belongs at p.
func (lo layout) place(slot uint32, e *cache.Entry, p string, reached bitset) {
	reached.set(slot)
	if p != e.Path {
		lo.moved[e.ID] = p
	} else {
		delete(lo.moved, e.ID)
	}
}

// inPlace reports whether the children es of the folder at dirPath all
// sit at their own plain local names (placed, in that folder, each
// holding its path), which is then what Dedupe would give them: the
// previous name of each is its plain name, and no two are equal.
// Case-insensitive names always go through Dedupe.
func (st *state) inPlace(es []uint32, dirPath string, opts Options) bool {
	if opts.CaseInsensitive {
		return false
	}
	for _, slot := range es {
		e := st.t.at(slot)
		if !placed(&e) || path.Dir(e.Path) != dirPath || path.Base(e.Path) != LocalName(dedupeName(&e)) {
			return false
		}
		if holder, ok := st.t.slotAt(e.Path); !ok || holder != slot {
			return false
		}
	}
	return true
}

// absorb records Drive's current metadata f for an item in the mirror
// (from a listing or the changes feed) without touching its bases.
// New items get their desired path if free, else a placeholder.
func (st *state) absorb(f drive.File, parentID string) cache.Entry {
	n, ok := st.get(f.ID)
	if !ok {
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
		if old, ok := st.get(f.ID); ok && old.TargetID == f.ShortcutTarget {
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
		if e, ok := st.get(p); ok && e.IsDir && !folderShortcut(&e) && e.ParentID != goneParent {
			return p
		}
		// A folder a live folder shortcut points to (N8).
		for sid := range st.targets[p] {
			if e, _ := st.get(sid); folderShortcut(&e) && e.ParentID != goneParent {
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
	for id, want := range lo.moved {
		e, _ := st.get(id)
		if synced(&e) || e.Path == want {
			continue
		}
		if other, ok := st.idAt(want); ok && other != id {
			continue
		}
		e.Path = want
		moves = append(moves, e)
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
