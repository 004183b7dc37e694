package mount

import (
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/drivesync/drivesync/cache"
)

// action is one step of a pass.
type action struct {
	verb     verb
	id       string // the entry, "" for new local items
	path     string // the local path acted on (destination of moves)
	from     string // moves: the current local path
	parentID string // uploads and remote moves: the Drive folder
	name     string // uploads and remote moves: the Drive name
	dir      bool
	size     int64
	md5      string // adopt: the content both sides hold
	row      string // the sync-semantics row, for logs and tests
}

// planner turns the state, the layout and a local scan into actions.
//
// It keeps nothing per entry: the paths synced entries hold are looked
// up in the state (heldAt), and only paths claimed beyond those, by this
// round's actions, are kept.
type planner struct {
	m    *Mount
	st   *state
	lo   layout
	sc   *scan
	acts []action
	// claimed: local paths spoken for by an action, beyond those synced
	// entries hold.
	claimed map[string]bool
	// trashing: local paths going to the local trash.
	trashing map[string]bool
	// moving: old and new paths of folders being moved this round; what
	// is below either waits for the next round (so nothing is moved into
	// a folder's new place before the folder is there).
	moving []string
	waits  int
}

func (m *Mount) plan(lo layout, sc *scan) *planner {
	st := m.st
	p := &planner{m: m, st: st, lo: lo, sc: sc, claimed: map[string]bool{}, trashing: map[string]bool{}}
	t := st.t
	slots := make([]uint32, 0, st.len())
	for slot := range t.slots() {
		slots = append(slots, slot)
	}
	slices.SortFunc(slots, func(a, b uint32) int { return strings.Compare(t.pathOf(a), t.pathOf(b)) })
	// Folders that move first: their contents wait.
	for _, slot := range slots {
		e := t.at(slot)
		if want, ok := lo.want(&e); ok && e.IsDir && synced(&e) && want != e.Path {
			p.moving = append(p.moving, e.Path, want)
		}
	}
	// R2: synced files missing at their path but present elsewhere with
	// the same inode were moved locally.
	byInode := map[uint64]string{}
	sc.others(func(lp string, l local) {
		if _, held := p.heldAt(lp); !held && l.Inode != 0 && !isConflictCopy(path.Base(lp)) {
			byInode[l.Inode] = lp
		}
	})
	var gonedirs []cache.Entry
	for _, slot := range slots {
		e := t.at(slot)
		if _, skip := st.skipped[e.ID]; skip && !lo.gone[e.ID] {
			continue
		}
		if e.IsDir && lo.gone[e.ID] && (synced(&e) || p.madeFrom(&e)) {
			gonedirs = append(gonedirs, e)
			continue
		}
		p.entry(&e, byInode)
	}
	// Gone folders last, deepest first, once their contents are decided.
	sort.Slice(gonedirs, func(i, j int) bool { return gonedirs[i].Path > gonedirs[j].Path })
	for i := range gonedirs {
		p.goneDir(&gonedirs[i])
	}
	p.newLocal()
	return p
}

// heldAt is the ID of the synced entry at the local path lp.
func (p *planner) heldAt(lp string) (string, bool) {
	slot, ok := p.st.t.slotAt(lp)
	if !ok {
		return "", false
	}
	e := p.st.t.at(slot)
	if !synced(&e) {
		return "", false
	}
	return e.ID, true
}

// isClaimed reports whether lp is spoken for: held by a synced entry or
// claimed by an action.
func (p *planner) isClaimed(lp string) bool {
	if p.claimed[lp] {
		return true
	}
	_, held := p.heldAt(lp)
	return held
}

// synced reports whether e has a base and sits at a real path.
func synced(e *cache.Entry) bool { return e.Synced() && placed(e) }

func (p *planner) add(a action) {
	if a.verb == actWait {
		p.waits++
		return
	}
	if a.verb != actNone {
		p.acts = append(p.acts, a)
	}
}

func (p *planner) underMoving(lp string) bool {
	for _, d := range p.moving {
		if strings.HasPrefix(lp, d+"/") {
			return true
		}
	}
	return false
}

// entry plans one Drive item.
func (p *planner) entry(e *cache.Entry, byInode map[uint64]string) {
	want, live := p.lo.want(e)
	s := situation{Dir: e.IsDir, Settled: true}
	if !synced(e) {
		if !live {
			if p.madeFrom(e) {
				// Downloaded by a run killed before it recorded the base,
				// and gone from Drive since: as D1, not a new local file
				// to upload (which would bring back what Drive deleted).
				p.trashing[strings.Clone(e.Path)] = true
				p.add(action{verb: actLocalTrash, id: e.ID, path: e.Path, md5: e.MD5, row: "D1"})
				return
			}
			p.add(action{verb: actForget, id: e.ID, path: e.Path, row: "D5"})
			return
		}
		s.R = rNew
		holder, held := p.heldAt(want)
		if p.underMoving(want) || (held && holder != e.ID) || p.claimed[want] && !held {
			p.waits++ // the path frees up once the other item moves
			return
		}
		p.claimed[strings.Clone(want)] = true
		l, seen := p.sc.get(want)
		if !p.sc.covers(want) {
			l, seen = p.m.statLocal(want)
		}
		switch {
		case !seen:
			s.L = lAbsent
		case l.IsDir != e.IsDir:
			// A new Drive file where a new local folder is, or the
			// reverse (C10): as C4, Drive's item keeps the name and the
			// local one becomes a conflict copy, uploaded as new.
			if !l.IsDir && !p.m.settled(want, l) {
				p.waits++
				return
			}
			p.add(action{verb: actConflict, id: e.ID, path: want, dir: l.IsDir, row: "C10"})
			return
		default:
			s.L = lNew
			if !e.IsDir {
				s.Settled = p.m.settled(want, l)
				s.SameMD5 = p.m.md5Of(p.sc, want) == e.MD5 && e.MD5 != ""
			}
		}
		v := decide(s)
		p.add(action{verb: v, id: e.ID, path: want, dir: e.IsDir, size: e.Size, md5: e.MD5, row: rowOf(s, v)})
		return
	}
	if p.underMoving(e.Path) || p.underMoving(want) {
		p.waits++
		return
	}
	// Drive's side.
	switch {
	case !live:
		s.R = rGone
	default:
		// Exports have no md5: Drive's version and modifiedTime say (N7).
		edited := !e.IsDir && (e.MD5 != e.Remote.MD5 ||
			(e.MD5 == "" && (e.Version != e.Remote.Version || !e.ModTime.Equal(e.Remote.ModTime))))
		moved := want != e.Path
		switch {
		case edited && moved:
			s.R = rMovedEdited
		case edited:
			s.R = rEdited
		case moved:
			s.R = rMoved
		default:
			s.R = rSame
		}
	}
	// The local side.
	to := ""
	if !p.sc.covers(e.Path) {
		s.L = lSame
	} else if l, seen := p.sc.get(e.Path); !seen || l.IsDir != e.IsDir {
		s.L = lDeleted
		if !seen && e.Local.Inode != 0 {
			if np, ok := byInode[e.Local.Inode]; ok && !p.isClaimed(np) && p.isDirAt(np) == e.IsDir &&
				p.sameItem(e, np, byInode) && !p.movedAndEdited(e, np, s.R) {
				s.L, to = lMoved, np
				p.claimed[np] = true
				delete(byInode, e.Local.Inode)
				if e.IsDir {
					// A folder moved locally: its contents wait until the
					// move is recorded, then are found in place.
					p.moving = append(p.moving, e.Path, np)
				}
			}
		}
	} else if !e.IsDir && e.LocalDiffers(l.IsDir, l.Size, l.MTime, l.Inode) {
		sum := p.m.md5Of(p.sc, e.Path)
		if sum == e.Local.MD5 {
			// Only touched: remember the new stat.
			touched := e.MD5
			if exported(e) {
				touched = e.Local.MD5 // an export's content is not Drive's md5
			}
			p.add(action{verb: actAdopt, id: e.ID, path: e.Path, md5: touched, row: "touch"})
			if s.R == rSame {
				return
			}
			s.L = lSame
		} else {
			s.L = lEdited
			s.Settled = p.m.settled(e.Path, l)
			s.SameMD5 = sum == e.MD5 && e.MD5 != ""
		}
	} else {
		s.L = lSame
	}
	if e.IsDir && s.L == lDeleted && s.R == rSame && p.keepsRemote(e) {
		// D4 inside a folder deleted locally: an edit beats the delete, so
		// the folder comes back.
		p.add(action{verb: actDownload, id: e.ID, path: e.Path, dir: true, row: "D4"})
		return
	}
	v := decide(s)
	a := action{verb: v, id: e.ID, path: e.Path, dir: e.IsDir, size: e.Size, md5: e.MD5, row: rowOf(s, v)}
	if exported(e) {
		a = p.exportAction(e, s, a)
		v = a.verb
	}
	switch v {
	case actLocalMove:
		a.from, a.path = e.Path, want
		if s.L == lMoved {
			a.from = to
		}
		if holder, _ := p.heldAt(want); a.from != want && p.isClaimed(want) && holder != e.ID {
			p.waits++
			return
		}
		p.claimed[strings.Clone(want)] = true
	case actRemoteMove, actDownloadMove:
		a.from, a.path = e.Path, to
		pid, ok := p.parentOf(to)
		if !ok {
			p.waits++
			return
		}
		a.parentID, a.name = pid, p.driveName(e, to)
	case actLocalTrash:
		if s.L == lMoved {
			a.path = to
		}
		p.trashing[strings.Clone(a.path)] = true
	case actForget:
		if s.L == lEdited || s.L == lNew {
			a.row = "D3"
		}
	}
	p.add(a)
}

// exportAction adjusts the decision for an exported Google Docs file
// (N7): Drive's content is the native file, so the local export is never
// uploaded. A local edit is kept as a conflict copy (uploaded as a file
// of its own, like any new local file) and the export is made again; a
// local delete does not trash the Google Docs file, it is exported again.
func (p *planner) exportAction(e *cache.Entry, s situation, a action) action {
	switch {
	case s.L == lEdited && (s.R == rSame || s.R == rEdited):
		// (Moved on Drive: moved locally first, then this.)
		a.verb, a.row = actConflict, "N7"
		if !s.Settled {
			a.verb = actWait
		}
	case s.L == lDeleted && a.verb == actRemoteTrash:
		p.m.log.Warn("exported Google Docs file deleted locally: exported again; the Google Docs file is not trashed",
			"path", e.Path, "drive_id", e.ID)
		a.verb, a.row = actDownload, "N7"
	}
	return a
}

// movedAndEdited reports whether the file e, found moved to np, was also
// edited there while Drive changed or dropped it: then it is not taken as
// a move (which would download over the edit or trash it) but as a new
// local file (C2) and a local delete (D4, D5), so both versions are kept.
func (p *planner) movedAndEdited(e *cache.Entry, np string, r rside) bool {
	if e.IsDir || (r != rEdited && r != rMovedEdited && r != rGone) {
		return false
	}
	l, _ := p.sc.get(np)
	return e.LocalDiffers(l.IsDir, l.Size, l.MTime, l.Inode) && p.m.md5Of(p.sc, np) != e.Local.MD5
}

// sameContent reports whether the file at np is e's synced content: the
// same size and mtime (a rename keeps both), or the same md5. An inode
// alone does not say a file moved: the file system hands a deleted
// file's inode to the next new one (found by TestSoak). A file moved and
// edited in one scan is then a delete and a new file: both versions are
// kept (the old one in Drive's trash).
func (p *planner) sameContent(e *cache.Entry, np string) bool {
	l, _ := p.sc.get(np)
	if l.Size == e.Local.Size && l.MTime.Equal(e.Local.ModTime) {
		return true
	}
	return l.Size == e.Local.Size && p.m.md5Of(p.sc, np) == e.Local.MD5
}

// madeFrom reports whether the local item at the path of e, a Drive item
// without a base, is e's: a folder, or a file with e's md5. A run killed
// between making it and recording the base leaves such an item; a later
// run must not take it for a new local one.
func (p *planner) madeFrom(e *cache.Entry) bool {
	if !placed(e) || !p.sc.covers(e.Path) {
		return false
	}
	l, seen := p.sc.get(e.Path)
	switch {
	case !seen || l.IsDir != e.IsDir:
		return false
	case e.IsDir:
		return true
	}
	return e.MD5 != "" && p.m.md5Of(p.sc, e.Path) == e.MD5
}

// sameItem reports whether the local item at np, which has the inode e had,
// is e moved there, not a new item the file system gave the inode of a
// deleted one (ext4 hands freed inodes out again at once): a file must
// also have the same content; a folder that held synced items must hold
// one of them still, with its inode (rm -r then mkdir is not a move).
func (p *planner) sameItem(e *cache.Entry, np string, byInode map[uint64]string) bool {
	if !e.IsDir {
		return p.sameContent(e, np)
	}
	had, kept := false, false
	p.st.all(func(c *cache.Entry) {
		if kept || c.Local.Inode == 0 || !synced(c) || !strings.HasPrefix(c.Path, e.Path+"/") {
			return
		}
		had = true
		if q, ok := byInode[c.Local.Inode]; ok && strings.HasPrefix(q, np+"/") {
			kept = true
		}
	})
	return kept || !had
}

// isDirAt reports whether the scan saw a folder at lp.
func (p *planner) isDirAt(lp string) bool {
	l, _ := p.sc.get(lp)
	return l.IsDir
}

// keepsRemote reports whether a folder deleted locally holds Drive items
// changed since their base, which must come back (D4).
func (p *planner) keepsRemote(dir *cache.Entry) bool {
	keeps := false
	p.st.all(func(e *cache.Entry) {
		if keeps || !strings.HasPrefix(e.Path, dir.Path+"/") {
			return
		}
		if _, live := p.lo.want(e); live && (!synced(e) || e.MD5 != e.Remote.MD5) {
			keeps = true
		}
	})
	return keeps
}

// goneDir plans a folder that left the mirror: if it still holds local
// files that are kept (never synced, or edited), its base is forgotten
// and it is created again on Drive (D6); otherwise, once empty of files,
// it goes to the local trash.
func (p *planner) goneDir(e *cache.Entry) {
	if !p.sc.covers(e.Path) {
		p.add(action{verb: actLocalTrash, id: e.ID, path: e.Path, dir: true, row: "D6"})
		return
	}
	if l, seen := p.sc.get(e.Path); !seen || !l.IsDir {
		p.add(action{verb: actForget, id: e.ID, path: e.Path, dir: true, row: "D5"})
		return
	}
	files, keep := 0, false
	p.sc.under(e.Path, func(lp string, l local) {
		if l.IsDir || keep {
			return
		}
		files++
		if p.trashing[lp] {
			return
		}
		id, ok := p.heldAt(lp)
		switch {
		case ok && p.movesOut(id, e.Path):
			// Moved out of the folder on Drive before it was trashed:
			// the folder waits until the file has left.
		case !ok || !p.lo.gone[id] || p.keptLocal(id):
			keep = true
		}
	})
	if keep {
		p.add(action{verb: actForget, id: e.ID, path: e.Path, dir: true, row: "D6"})
		return
	}
	if files == 0 {
		p.trashing[strings.Clone(e.Path)] = true
		p.add(action{verb: actLocalTrash, id: e.ID, path: e.Path, dir: true, row: "D6"})
		return
	}
	p.waits++ // its files go to the trash first
}

// movesOut reports whether the synced entry id is live on Drive outside
// the folder dir, so that it leaves dir locally too.
func (p *planner) movesOut(id, dir string) bool {
	c, ok := p.st.get(id)
	if !ok {
		return false
	}
	want, live := p.lo.want(&c)
	return live && !strings.HasPrefix(want, dir+"/")
}

// keptLocal reports whether the gone entry id is kept locally (edited).
func (p *planner) keptLocal(id string) bool {
	for _, a := range p.acts {
		if a.id == id {
			return a.verb == actForget
		}
	}
	return false
}

// newLocal plans local files and folders no entry holds: uploads (C2).
func (p *planner) newLocal() {
	paths := make([]string, 0)
	p.sc.others(func(lp string, _ local) {
		if !p.isClaimed(lp) {
			paths = append(paths, lp)
		}
	})
	sort.Strings(paths)
	for _, lp := range paths {
		l, _ := p.sc.get(lp)
		pid, ok := p.parentOf(lp)
		if _, taken := p.st.t.slotAt(lp); taken || !ok || p.underMoving(lp) {
			// A Drive item not synced yet holds the path (C3, C4, C10
			// decide once it is planned): uploading would make a
			// second Drive item that cannot be recorded there.
			p.waits++
			continue
		}
		s := situation{R: rAbsent, L: lNew, Dir: l.IsDir, Settled: true}
		if !l.IsDir {
			s.Settled = p.m.settled(lp, l)
		}
		v := decide(s)
		p.add(action{verb: v, path: lp, parentID: pid, name: DriveName(path.Base(lp)), dir: l.IsDir, size: l.Size, row: rowOf(s, v)})
	}
}

// parentOf is the Drive folder a local path's parent maps to, if that
// folder is synced, in the mirror and in place.
func (p *planner) parentOf(lp string) (string, bool) {
	dir := path.Dir(lp)
	if dir == "." {
		return p.st.rootID, true
	}
	id, ok := p.heldAt(dir)
	if !ok {
		return "", false
	}
	e, _ := p.st.get(id)
	if want, _ := p.lo.want(&e); !e.IsDir || want != e.Path {
		return "", false
	}
	// Below a folder shortcut, items go into its target (N8).
	return strings.Clone(driveID(&e)), true
}

// driveName is the Drive name for an item moved locally to lp: its
// current Drive name if the local name did not change, else the local
// name mapped back.
func (p *planner) driveName(e *cache.Entry, lp string) string {
	if path.Base(lp) == path.Base(e.Path) {
		return e.Name
	}
	if ext := exportExt(e); ext != "" {
		// The export's extension is not part of the Google Docs name.
		return DriveName(strings.TrimSuffix(path.Base(lp), ext))
	}
	return DriveName(path.Base(lp))
}

// rowOf names the sync-semantics row a decision implements.
// (A table of rows, not a map built per call: it runs for every entry.)
func rowOf(s situation, v verb) string {
	rows := [...]struct {
		r   rside
		l   lside
		row string
	}{
		{rNew, lAbsent, "C1"}, {rAbsent, lNew, "C2"}, {rSame, lEdited, "C6"},
		{rEdited, lSame, "C5"}, {rGone, lSame, "D1"}, {rSame, lDeleted, "D2"}, {rGone, lEdited, "D3"},
		{rEdited, lDeleted, "D4"}, {rGone, lDeleted, "D5"}, {rMoved, lSame, "R1"}, {rSame, lMoved, "R2"},
		{rMoved, lEdited, "R3"}, {rEdited, lMoved, "R4"}, {rMoved, lMoved, "R5"},
	}
	switch {
	case v == actWait:
		return "C9"
	case s.R == rNew && s.L == lNew:
		if v == actAdopt {
			return "C3"
		}
		return "C4"
	case s.R == rEdited && s.L == lEdited:
		if v == actAdopt {
			return "C7"
		}
		return "C8"
	}
	for _, r := range rows {
		if r.r == s.R && r.l == s.L {
			return r.row
		}
	}
	return ""
}
