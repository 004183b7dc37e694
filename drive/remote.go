package drive

import "context"

// Remote is what drivesync needs from Drive. Client implements it over the
// Drive v3 API; drivetest.Run checks any implementation against the same
// contract.
//
// Common contract: every method honours ctx; IDs are Drive file IDs ("root"
// names My Drive's root folder); errors are *Error values that match the
// sentinels (ErrNotFound, ...) with errors.Is and answer IsRetryable.
// Transient failures are retried inside the method; an error that reaches
// the caller either needs a person (it carries a Hint) or outlived the
// retries. Nothing is ever deleted for good: removal is Trash.
type Remote interface {
	// About describes the account.
	About(ctx context.Context) (About, error)

	// Get returns the metadata of id. A trashed file is returned with
	// Trashed set; a deleted one is ErrNotFound.
	Get(ctx context.Context, id string) (File, error)

	// ResolvePath finds the item at a slash-separated path below the folder
	// rootID ("root" for My Drive, or a shared drive's ID). Trashed items
	// are not found; a name shared by several items is ErrAmbiguous; a
	// folder shortcut on the way is followed. An empty path is rootID.
	ResolvePath(ctx context.Context, rootID, path string) (File, error)

	// ListTree returns every item below the folder rootID (for a folder
	// shortcut, its target), not trashed, each with its parents, in no
	// particular order. Tree.Incomplete says
	// whether Drive reported that some results may be missing.
	ListTree(ctx context.Context, rootID string, opt ListOptions) (*Tree, error)

	// Download writes f's content to the local path dst: into a temp file
	// beside dst, verified against f.MD5 (refreshing f's metadata once if
	// it changed on Drive meanwhile), with its modification time set to
	// the file's, then renamed over dst. A broken transfer resumes where it
	// stopped. A shortcut downloads its target; a Google Docs, Sheets or
	// Slides file is exported to the Office format when opt.Export is set
	// and refused (ErrNotDownloadable) otherwise. It returns the metadata
	// of what was written. On error dst is untouched.
	Download(ctx context.Context, f File, dst string, opt DownloadOptions) (File, error)

	// Create uploads the local file src as a new file name in the folder
	// parentID, its modification time taken from src. The content is
	// verified by md5 against Drive's; on ErrChecksum the returned File is
	// what Drive holds, so a retry can Update it instead of creating
	// another. Calling Create again with the same arguments after a crash
	// resumes the interrupted upload.
	Create(ctx context.Context, parentID, name, src string) (File, error)

	// Update uploads src as the new content of id: a new revision of the
	// same file, so Drive keeps its history. Otherwise as Create.
	Update(ctx context.Context, id, src string) (File, error)

	// Mkdir creates a folder name in parentID.
	Mkdir(ctx context.Context, parentID, name string) (File, error)

	// Move renames id to newName (unchanged if "") and moves it from the
	// folder fromParentID to toParentID (not moved if toParentID is "" or
	// equal to fromParentID).
	Move(ctx context.Context, id, fromParentID, toParentID, newName string) (File, error)

	// Trash moves id to Drive's trash, from where a person can restore it.
	Trash(ctx context.Context, id string) (File, error)

	// StartPageToken returns the changes feed's current position for My
	// Drive (driveID "") or a shared drive.
	StartPageToken(ctx context.Context, driveID string) (string, error)

	// Changes returns every change since token, paging to the end, and the
	// token to continue from. Each file appears at most once, in its
	// latest state: a trashed file has File.Trashed, a deleted one
	// Removed; renames and moves show as the new Name and Parents.
	Changes(ctx context.Context, driveID, token string) (ChangeSet, error)
}

// ListOptions tune ListTree.
type ListOptions struct {
	// FollowShortcuts lists the folders that folder shortcuts point to,
	// so Tree.Walk can descend into them. Each folder is listed once,
	// however many shortcuts point to it; Walk stops at a loop.
	FollowShortcuts bool
}

// DownloadOptions tune Download.
type DownloadOptions struct {
	// Export converts Google Docs, Sheets and Slides to .docx, .xlsx and
	// .pptx (see ExportFormat). Exports have no md5 to check.
	Export bool
}
