package fakedrive

import (
	"sort"
	"strconv"
	"sync"
	"time"
)

// store is the drive's state. Every method that takes the lock is a whole
// Drive operation, so each is atomic as Drive's are.
type store struct {
	mu       sync.RWMutex
	now      func() time.Time
	blobs    blobStore
	rootID   string
	files    map[string]*file
	children map[string]map[string]struct{} // parent ID -> child IDs
	drives   map[string]*sharedDrive

	// The changes log: one live entry per file (Drive coalesces a file's
	// changes into its latest), ordered by seq.
	changes   []change
	changeIdx map[string]int // file or drive ID -> index in changes of its live entry
	nextSeq   int64
	used      int64 // quota in use: content bytes of every file's head revision

	dirty func() // called after every mutation (persistence)
}

// change is one entry of the changes feed.
type change struct {
	Seq     int64     `json:"seq"`
	FileID  string    `json:"fileId"`
	DriveID string    `json:"driveId,omitempty"`
	Time    time.Time `json:"time"`
	Removed bool      `json:"removed,omitempty"`
	dead    bool      // superseded by a later entry for the same file
}

// sharedDrive is a shared drive; its root folder is a file with the same ID.
type sharedDrive struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	CreatedTime time.Time `json:"createdTime"`
	RequestID   string    `json:"requestId,omitempty"`
}

func newStore(now func() time.Time, blobs blobStore, owner string) *store {
	s := &store{
		now:       now,
		blobs:     blobs,
		files:     map[string]*file{},
		children:  map[string]map[string]struct{}{},
		drives:    map[string]*sharedDrive{},
		changeIdx: map[string]int{},
		nextSeq:   1,
		dirty:     func() {},
	}
	t := now()
	root := &file{ID: newID(), Name: "My Drive", MimeType: FolderMime, CreatedTime: t, ModifiedTime: t, Version: 1, Owner: owner}
	s.rootID = root.ID
	s.files[root.ID] = root
	return s
}

// resolve maps the alias "root" to My Drive's ID.
func (s *store) resolve(id string) string {
	if id == "root" {
		return s.rootID
	}
	return id
}

// lookup returns the live file with id. Caller holds the lock.
func (s *store) lookup(id string) (*file, *apiError) {
	f := s.files[s.resolve(id)]
	if f == nil {
		return nil, errNotFound(id)
	}
	return f, nil
}

// insert adds f and indexes it under its parents. Caller holds the lock.
func (s *store) insert(f *file) {
	s.files[f.ID] = f
	for _, p := range f.Parents {
		s.link(p, f.ID)
	}
}

func (s *store) link(parent, child string) {
	set := s.children[parent]
	if set == nil {
		set = map[string]struct{}{}
		s.children[parent] = set
	}
	set[child] = struct{}{}
}

func (s *store) unlink(parent, child string) {
	if set := s.children[parent]; set != nil {
		delete(set, child)
		if len(set) == 0 {
			delete(s.children, parent)
		}
	}
}

// touched records that f changed: a new version and a change entry.
// Caller holds the write lock.
func (s *store) touched(f *file) {
	f.Version++
	s.record(f.ID, f.DriveID, false)
}

// record appends a change for id, retiring its previous entry.
func (s *store) record(id, driveID string, removed bool) {
	if i, ok := s.changeIdx[id]; ok {
		s.changes[i].dead = true
	}
	s.changes = append(s.changes, change{Seq: s.nextSeq, FileID: id, DriveID: driveID, Time: s.now(), Removed: removed})
	s.changeIdx[id] = len(s.changes) - 1
	s.nextSeq++
	s.compactChanges()
	s.dirty()
}

// compactChanges drops dead entries once they are most of the log, keeping
// the log proportional to the number of files.
func (s *store) compactChanges() {
	if len(s.changes) < 1024 || len(s.changeIdx)*2 > len(s.changes) {
		return
	}
	live := s.changes[:0]
	for _, c := range s.changes {
		if !c.dead {
			live = append(live, c)
		}
	}
	clear(s.changes[len(live):])
	s.changes = live
	for i, c := range s.changes {
		s.changeIdx[c.FileID] = i
	}
}

// changesSince returns live entries with Seq >= from, at most max of them,
// and the seq to continue from. Caller holds the lock.
func (s *store) changesSince(from int64, max int, driveID string) (out []change, next int64, more bool) {
	i := sort.Search(len(s.changes), func(i int) bool { return s.changes[i].Seq >= from })
	for ; i < len(s.changes); i++ {
		c := s.changes[i]
		if c.dead || c.DriveID != driveID {
			continue
		}
		if len(out) == max {
			return out, c.Seq, true
		}
		out = append(out, c)
	}
	return out, s.nextSeq, false
}

func (s *store) startPageToken() string { return strconv.FormatInt(s.nextSeq, 10) }

// descendants calls fn for every file below folder id, depth first. A file
// with several parents is visited once.
func (s *store) descendants(id string, fn func(f *file)) {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for c := range s.children[p] {
			if seen[c] {
				continue
			}
			seen[c] = true
			f := s.files[c]
			if f == nil {
				continue
			}
			fn(f)
			if f.isFolder() {
				walk(c)
			}
		}
	}
	walk(id)
}

// isAncestor reports whether a is b or one of b's ancestors (cycle guard
// for moves).
func (s *store) isAncestor(a, b string) bool {
	seen := map[string]bool{}
	stack := []string{b}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == a {
			return true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if f := s.files[id]; f != nil {
			stack = append(stack, f.Parents...)
		}
	}
	return false
}

// setTrashed trashes or restores f; a folder's descendants follow it
// implicitly, as in Drive.
func (s *store) setTrashed(f *file, trashed bool) {
	if f.Trashed == trashed && (f.ExplicitlyTrashed || !trashed) {
		return
	}
	now := s.now()
	if trashed {
		f.Trashed, f.ExplicitlyTrashed, f.TrashedTime = true, true, now
		s.descendants(f.ID, func(d *file) {
			if !d.Trashed {
				d.Trashed, d.TrashedTime = true, now
				s.touched(d)
			}
		})
	} else {
		f.Trashed, f.ExplicitlyTrashed, f.TrashedTime = false, false, time.Time{}
		s.descendants(f.ID, func(d *file) {
			if d.Trashed && !d.ExplicitlyTrashed {
				d.Trashed, d.TrashedTime = false, time.Time{}
				s.touched(d)
			}
		})
	}
}

// remove deletes f for good, and with it every descendant that has no
// parent outside what is deleted; a descendant still filed elsewhere (several
// parents) only loses the deleted parents. Caller holds the write lock.
func (s *store) remove(f *file) {
	doomed := map[string]*file{f.ID: f}
	s.descendants(f.ID, func(d *file) { doomed[d.ID] = d })
	for changed := true; changed; { // survivors rescue their own subtrees
		changed = false
		for id, d := range doomed {
			if id == f.ID {
				continue
			}
			for _, p := range d.Parents {
				if doomed[p] == nil {
					delete(doomed, id)
					changed = true
					break
				}
			}
		}
	}
	for _, d := range doomed {
		for c := range s.children[d.ID] {
			if doomed[c] != nil {
				continue
			}
			cf := s.files[c]
			kept := cf.Parents[:0:0]
			for _, p := range cf.Parents {
				if doomed[p] == nil {
					kept = append(kept, p)
				}
			}
			cf.Parents = kept
			s.touched(cf)
		}
	}
	for _, d := range doomed {
		s.used -= size(d)
		for _, p := range d.Parents {
			s.unlink(p, d.ID)
		}
		delete(s.children, d.ID)
		delete(s.files, d.ID)
		s.record(d.ID, d.DriveID, true)
	}
}
