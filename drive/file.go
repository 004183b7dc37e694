package drive

import (
	"strings"
	"time"

	drive "google.golang.org/api/drive/v3"
)

// MIME types Drive gives meaning to.
const (
	FolderMime   = "application/vnd.google-apps.folder"
	ShortcutMime = "application/vnd.google-apps.shortcut"
	DocumentMime = "application/vnd.google-apps.document"
	SheetMime    = "application/vnd.google-apps.spreadsheet"
	SlidesMime   = "application/vnd.google-apps.presentation"

	nativePrefix = "application/vnd.google-apps."
)

// File is a Drive item as drivesync sees it: a folder, a file with
// content, a Google Docs/Sheets/Slides file (native) or a shortcut.
type File struct {
	ID       string
	Name     string
	MimeType string
	Parents  []string // usually one; files from before 2020 may have several
	Size     int64    // content bytes; 0 for folders, shortcuts and native files
	MD5      string   // lowercase hex md5 of the content; "" where Drive keeps none
	ModTime  time.Time
	Version  int64 // grows with every change to the file, metadata or content
	Trashed  bool
	DriveID  string // the shared drive holding the file; "" in My Drive

	// For shortcuts: the target's ID and MIME type.
	ShortcutTarget     string
	ShortcutTargetMime string

	AppProperties map[string]string
}

// IsFolder reports whether f is a folder.
func (f File) IsFolder() bool { return f.MimeType == FolderMime }

// IsShortcut reports whether f is a shortcut.
func (f File) IsShortcut() bool { return f.MimeType == ShortcutMime }

// IsNative reports whether f is a Google Docs Editors file (or another
// application/vnd.google-apps.* type other than folders and shortcuts):
// it has no downloadable content, only exports.
func (f File) IsNative() bool {
	return strings.HasPrefix(f.MimeType, nativePrefix) && !f.IsFolder() && !f.IsShortcut()
}

// Change is one entry of the changes feed: a file's state now.
type Change struct {
	FileID  string
	Removed bool // deleted for good, or no longer visible to this account; File is zero
	File    File // the current metadata; a trashed file has File.Trashed
	Time    time.Time
	DriveID string
}

// ChangeSet is what Changes returns: every change since the token, and the
// token to ask from next time.
type ChangeSet struct {
	Changes       []Change
	NewStartToken string
}

// About describes the account.
type About struct {
	User          string // email address
	DisplayName   string
	StorageLimit  int64 // bytes; 0 means unlimited
	StorageUsage  int64
	MaxUploadSize int64
}

// fileFields is the partial response every call asks for: only what
// drivesync keeps.
const fileFields = "id,name,mimeType,parents,size,md5Checksum,modifiedTime,version,trashed,driveId,shortcutDetails(targetId,targetMimeType),appProperties"

// fromAPI converts the official client's File.
func fromAPI(a *drive.File) File {
	f := File{
		ID: a.Id, Name: a.Name, MimeType: a.MimeType, Parents: a.Parents, Size: a.Size,
		MD5: a.Md5Checksum, Version: a.Version, Trashed: a.Trashed, DriveID: a.DriveId,
		AppProperties: a.AppProperties,
	}
	if a.ModifiedTime != "" {
		if t, err := time.Parse(time.RFC3339Nano, a.ModifiedTime); err == nil {
			f.ModTime = t
		}
	}
	if sd := a.ShortcutDetails; sd != nil {
		f.ShortcutTarget, f.ShortcutTargetMime = sd.TargetId, sd.TargetMimeType
	}
	return f
}

// exportFormats are the Office formats native files export to.
var exportFormats = map[string][2]string{
	DocumentMime: {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
	SheetMime:    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
	SlidesMime:   {"application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"},
}

// ExportFormat tells how a native file of type mimeType is exported: the
// Office MIME type and the file extension (".docx", ".xlsx", ".pptx").
// ok is false for types drivesync does not export (forms, drawings, ...).
func ExportFormat(mimeType string) (exportMime, ext string, ok bool) {
	f, ok := exportFormats[mimeType]
	return f[0], f[1], ok
}
