package main

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/glob"
)

// Local states of a glob result (globMatch.State).
const (
	stateLocal  = "local"  // on disk as last verified against Drive
	stateRemote = "remote" // known on Drive, not downloaded yet
)

// storeIndex adapts a mount's state store to glob.Index, so glob answers
// from the index (daemon running or not) instead of walking the disk.
type storeIndex struct{ st *cache.Store }

var errStopWalk = errors.New("stop walk")

// Walk implements glob.Index: the store's listing index is one range scan
// per folder, with no per-entry lookup or decoding; the strings handed to
// fn are only valid during the call (glob copies what it keeps). The mount
// root entry (".") is not a glob result.
func (x storeIndex) Walk(dir string, fn func(e *glob.Entry) bool) error {
	var ge glob.Entry
	err := x.st.WalkListing(dir, func(l cache.Listing) error {
		if l.Path == "." || l.Path == "" {
			return nil
		}
		state := stateRemote
		if l.Dir || l.Local {
			state = stateLocal
		}
		ge = glob.Entry{Path: l.Path, Dir: l.Dir, Size: l.Size, ModTime: l.ModTime, ID: l.ID, MD5: l.MD5, State: state}
		if !fn(&ge) {
			return errStopWalk
		}
		return nil
	})
	if errors.Is(err, errStopWalk) {
		return nil
	}
	return err
}

// entryState is the local state of an entry, as Walk reports it.
func entryState(e cache.Entry) string {
	if e.IsDir || e.Local != (cache.LocalBase{}) {
		return stateLocal
	}
	return stateRemote
}

// memIndex is an immutable in-memory copy of the paths, folder bits and
// local states in a store's listing index at one committed state
// (cache.Tx.Version), for a running daemon: a query that needs nothing more
// (glob.Query.PathsOnly, what `drivesync glob` asks without --json) then
// costs only matching, with no bbolt cursor, page checks or record
// decoding per entry. Entries are 8 bytes holding an offset into one
// string, not strings, so the garbage collector has nothing to scan in
// them: ≈ 8 bytes plus the path per entry (4.3 MB at 100,000 entries of
// the benchmark tree). The entries' Size, ModTime, ID and MD5 are zero.
type memIndex struct {
	version int
	data    string     // the paths, back to back
	entries []memEntry // in byte-wise path order (glob.PathOrdered)
	remote  int        // files not downloaded (state remote)
}

type memEntry struct {
	off   uint32 // start of the path in data
	plen  uint16
	flags uint8
}

// Flags of a memEntry.
const (
	memDir = 1 << iota
	memLocal
)

// maxMemIndexData bounds memIndex.data (uint32 offsets); a larger store is
// walked from bbolt instead.
const maxMemIndexData = 1<<32 - 1

var errMemIndexFull = errors.New("listing too large for the in-memory index")

// buildMemIndex copies the paths of tx's listing into a memIndex.
func buildMemIndex(tx *cache.Tx) (*memIndex, error) {
	var (
		b  strings.Builder
		es []memEntry
		n  int
	)
	err := tx.WalkListing("", func(l cache.Listing) error {
		if l.Path == "." || l.Path == "" {
			return nil
		}
		if b.Len()+len(l.Path) > maxMemIndexData || len(l.Path) > 0xffff {
			return errMemIndexFull
		}
		e := memEntry{off: uint32(b.Len()), plen: uint16(len(l.Path))}
		if l.Dir {
			e.flags |= memDir
		}
		if l.Local {
			e.flags |= memLocal
		}
		if !l.Dir && !l.Local {
			n++
		}
		b.WriteString(l.Path)
		es = append(es, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	x := &memIndex{version: tx.Version(), data: b.String(), entries: slices.Clip(es), remote: n}
	// The store's order is depth-first ("a/b" before "a.txt"); in path order
	// glob hands out names during the walk instead of keeping them.
	slices.SortFunc(x.entries, func(a, b memEntry) int {
		return strings.Compare(x.data[a.off:a.off+uint32(a.plen)], x.data[b.off:b.off+uint32(b.plen)])
	})
	return x, nil
}

func (x *memIndex) path(i int) string {
	e := &x.entries[i]
	return x.data[e.off : e.off+uint32(e.plen)]
}

// RemoteFiles is the number of files not downloaded: 0 means a glob has
// nothing to fetch, whatever it matches.
func (x *memIndex) RemoteFiles() int { return x.remote }

// PathOrdered implements glob.PathOrdered.
func (x *memIndex) PathOrdered() bool { return true }

// search returns the position of the first entry whose path is not before p.
func (x *memIndex) search(p string) int {
	return sort.Search(len(x.entries), func(i int) bool { return x.path(i) >= p })
}

// Walk implements glob.Index in path order: dir itself, then the run of
// paths starting with dir+"/" (others, such as "dir.txt", sort in between).
func (x *memIndex) Walk(dir string, fn func(e *glob.Entry) bool) error {
	if dir == "" {
		x.visit(0, len(x.entries), fn)
		return nil
	}
	if i := x.search(dir); i < len(x.entries) && x.path(i) == dir && !x.visit(i, i+1, fn) {
		return nil
	}
	x.visit(x.search(dir+"/"), x.search(dir+"0"), fn) // '0' follows '/'
	return nil
}

// visit calls fn for entries lo to hi-1 and reports whether fn asked for more.
func (x *memIndex) visit(lo, hi int, fn func(e *glob.Entry) bool) bool {
	var ge glob.Entry
	for i := lo; i < hi; i++ {
		e := &x.entries[i]
		ge = glob.Entry{Path: x.data[e.off : e.off+uint32(e.plen)], Dir: e.flags&memDir != 0, State: stateRemote}
		if e.flags != 0 { // a folder, or local
			ge.State = stateLocal
		}
		if !fn(&ge) {
			return false
		}
	}
	return true
}

// within reports whether p is dir or lies below it.
func within(p, dir string) bool {
	return strings.HasPrefix(p, dir) && (len(p) == len(dir) || p[len(dir)] == '/')
}

// liveIndex is a daemon's view of its store for glob: the memIndex of the
// latest committed state, rebuilt on the first query after a change (the
// engine commits every change to the store, so the version tells).
type liveIndex struct {
	st  *cache.Store
	mu  sync.Mutex
	cur *memIndex
}

// Current returns an index of the store as committed now: the in-memory
// copy, rebuilt if the store changed since it was made, or a walk of the
// store itself if the listing does not fit in memory.
func (l *liveIndex) Current() (glob.Index, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ix glob.Index
	err := l.st.View(func(tx *cache.Tx) error {
		if l.cur != nil && l.cur.version == tx.Version() {
			ix = l.cur
			return nil
		}
		m, err := buildMemIndex(tx)
		if errors.Is(err, errMemIndexFull) {
			l.cur, ix = nil, storeIndex{l.st}
			return nil
		}
		if err != nil {
			return err
		}
		l.cur, ix = m, m
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("glob: index: %w", err)
	}
	return ix, nil
}
