package mount

// This file is the decision table of docs/sync-semantics.md as a pure
// function: what each side did since the base in, what to do out.

// rside is what Drive did to an item since the base.
type rside int

const (
	rAbsent      rside = iota // no Drive item at all
	rNew                      // a Drive item never synced
	rSame                     // unchanged
	rEdited                   // new content
	rMoved                    // renamed or moved, same content
	rMovedEdited              // renamed or moved and new content
	rGone                     // trashed, deleted, or moved out of the mirror
)

// lside is what happened locally since the base.
type lside int

const (
	lAbsent  lside = iota // nothing there, and never synced
	lNew                  // a local file or folder never synced
	lSame                 // unchanged (or only touched: same md5)
	lEdited               // new content
	lMoved                // the synced file is now at another path (R2)
	lDeleted              // the synced file is gone
)

// verb is what to do.
type verb int

const (
	actNone         verb = iota
	actWait              // a local file is still being written: look again later (C9)
	actDownload          // Drive's content to the local path (C1, C5, D4)
	actUpload            // the local file to Drive as a new file (C2)
	actUpdate            // the local file as a new revision (C6)
	actAdopt             // both sides agree: record the base, no transfer (C3, C7)
	actConflict          // local version renamed to a conflict copy; Drive's follows (C4, C8)
	actLocalTrash        // local file to the local trash (D1)
	actRemoteTrash       // Drive item to Drive's trash (D2)
	actForget            // forget the base (D3, D5)
	actLocalMove         // rename/move locally to Drive's path (R1, R3, R5)
	actRemoteMove        // rename/move on Drive to the local path (R2)
	actDownloadMove      // Drive's content to the moved local file, then the move sent (R4)
)

var verbNames = [...]string{"none", "wait", "download", "upload", "update", "adopt", "conflict",
	"local-trash", "remote-trash", "forget", "local-move", "remote-move", "download-move"}

func (v verb) String() string { return verbNames[v] }

// situation is one item's two sides, as decide needs them.
type situation struct {
	R       rside
	L       lside
	SameMD5 bool // both sides hold the same content (C3, C7)
	Settled bool // the local file stopped changing
	Dir     bool
}

// decide is the decision table. It does not know about read-only mode,
// the mass-delete threshold or folders' contents: the planner filters.
func decide(s situation) verb {
	wait := func(v verb) verb {
		if s.Settled {
			return v
		}
		return actWait
	}
	switch s.R {
	case rAbsent:
		switch s.L {
		case lNew:
			if s.Dir {
				return actUpload
			}
			return wait(actUpload) // C2, C9
		}
	case rNew:
		switch s.L {
		case lAbsent:
			return actDownload // C1
		case lNew:
			if s.Dir || s.SameMD5 {
				return actAdopt // C3
			}
			return wait(actConflict) // C4
		}
	case rSame:
		switch s.L {
		case lEdited:
			return wait(actUpdate) // C6, C9
		case lMoved:
			return actRemoteMove // R2
		case lDeleted:
			return actRemoteTrash // D2
		}
	case rEdited:
		switch s.L {
		case lSame:
			return actDownload // C5
		case lEdited:
			if s.SameMD5 {
				return actAdopt // C7
			}
			return wait(actConflict) // C8
		case lMoved:
			return actDownloadMove // R4
		case lDeleted:
			return actDownload // D4: an edit beats a delete
		}
	case rMoved, rMovedEdited:
		switch s.L {
		case lSame, lEdited, lMoved:
			return actLocalMove // R1, R3, R5 (then C5/C6/C8 at the new path)
		case lDeleted:
			if s.R == rMovedEdited {
				return actDownload // D4
			}
			return actRemoteTrash // D2
		}
	case rGone:
		switch s.L {
		case lSame, lMoved:
			return actLocalTrash // D1, R6
		case lEdited:
			return actForget // D3: the local file is then new (C2)
		case lDeleted, lAbsent:
			return actForget // D5
		case lNew:
			return actForget
		}
	}
	return actNone
}
