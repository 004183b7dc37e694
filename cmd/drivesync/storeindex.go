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

// Walk implements glob.Index: the store's path index is one range scan
// per folder; the mount root entry (".") is not a glob result.
func (x storeIndex) Walk(dir string, fn func(e *glob.Entry) bool) error {
	var ge glob.Entry
	err := x.st.Walk(dir, func(e cache.Entry) error {
		if e.Path == "." || e.Path == "" {
			return nil
		}
		ge = glob.Entry{Path: e.Path, Dir: e.IsDir, Size: e.Size, ModTime: e.ModTime, ID: e.ID, MD5: e.MD5, State: entryState(e)}
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

func entryState(e cache.Entry) string {
	if e.IsDir || e.Local != (cache.LocalBase{}) {
		return stateLocal
	}
	return stateRemote
}
