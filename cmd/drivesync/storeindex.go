package main

import (
	"errors"

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
