package mount

// This file is what the engine does with Drive items that are not plain
// files and folders (rows N7 and N8 of docs/sync-semantics.md): Google
// Docs, Sheets and Slides exported with Config.ExportDocs, and shortcuts,
// followed to their target. What an entry is comes from the MIME types the
// store keeps (cache.Entry.MimeType, TargetID, TargetMime), so a restarted
// engine knows without asking Drive.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// contentMime is the MIME type of what an entry's local file holds: a
// shortcut's target's, else its own.
func contentMime(e *cache.Entry) string {
	if e.MimeType == drive.ShortcutMime {
		return e.TargetMime
	}
	return e.MimeType
}

// exportExt is the extension an exported Google Docs file gets locally
// (".docx", ".xlsx", ".pptx"), or "" if e is not one.
func exportExt(e *cache.Entry) string {
	if _, ext, ok := drive.ExportFormat(contentMime(e)); ok {
		return ext
	}
	return ""
}

// exported reports whether e's local file is an export of a Google Docs
// file: read-only locally, never uploaded (N7).
func exported(e *cache.Entry) bool { return exportExt(e) != "" }

// folderShortcut reports whether e is a shortcut to a folder, mirrored
// as that folder's tree (N8).
func folderShortcut(e *cache.Entry) bool {
	return e.MimeType == drive.ShortcutMime && e.TargetMime == drive.FolderMime
}

// driveID is the Drive item holding e's content: a shortcut's target.
func driveID(e *cache.Entry) string {
	if e.MimeType == drive.ShortcutMime && e.TargetID != "" {
		return e.TargetID
	}
	return e.ID
}

// dedupeName is the name an entry claims among its siblings: an export's
// Drive name with the Office extension appended ("notes" -> "notes.docx"),
// so a clash with a real "notes.docx" is deduplicated like any other (N1).
func dedupeName(e *cache.Entry) string { return e.Name + exportExt(e) }

// exportFile is the drive.File Download needs for e: the item holding its
// content, with the MIME type saying how to fetch it (an export or
// bytes), so Download asks Drive for no metadata it already has.
func exportFile(e *cache.Entry) drive.File {
	mime := contentMime(e)
	if !strings.HasPrefix(mime, "application/vnd.google-apps.") {
		// A plain file: any MIME type of one will do (see Mount.download).
		mime = "application/octet-stream"
	}
	return drive.File{ID: driveID(e), Name: e.Name, MimeType: mime, MD5: e.MD5, Size: e.Size,
		ModTime: e.ModTime, Version: e.Version, Parents: []string{e.ParentID}}
}

// skipReason says why the Drive item f (with target t, for a shortcut) is
// left out of the mirror, or "" if it is mirrored.
func (m *Mount) skipReason(f drive.File) string {
	mime, what := f.MimeType, "Google Docs file"
	if f.IsShortcut() {
		mime, what = f.ShortcutTargetMime, "shortcut to a Google Docs file"
		if mime == drive.ShortcutMime {
			return "shortcut to a shortcut: not followed"
		}
	}
	if !strings.HasPrefix(mime, "application/vnd.google-apps.") || mime == drive.FolderMime {
		return ""
	}
	if _, _, ok := drive.ExportFormat(mime); !ok {
		return fmt.Sprintf("%s (%s): no export format", what, mime)
	}
	if !m.cfg.ExportDocs {
		return what + ": skipped (use --export-docs)"
	}
	return ""
}

// targets finds the targets of the file shortcuts among files (folder
// shortcuts need none: their tree is listed), from known where listed,
// else from Drive. A target Drive no longer has, or has in its trash, is
// left out: the shortcut is then skipped.
func (m *Mount) targets(ctx context.Context, files []drive.File, known map[string]drive.File) (map[string]drive.File, error) {
	out := map[string]drive.File{}
	for _, f := range files {
		if !f.IsShortcut() || f.ShortcutTarget == "" || f.ShortcutTargetMime == drive.FolderMime {
			continue
		}
		if _, ok := out[f.ShortcutTarget]; ok {
			continue
		}
		t, ok := known[f.ShortcutTarget]
		if !ok {
			var err error
			t, err = m.cfg.Remote.Get(ctx, f.ShortcutTarget)
			if errors.Is(err, drive.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("mount: shortcut %q (%s): target %s: %w", f.Name, f.ID, f.ShortcutTarget, err)
			}
		}
		if !t.Trashed {
			out[t.ID] = t
		}
	}
	return out, nil
}

// withTarget is a file shortcut's entry carrying its target's content
// metadata (md5, size, time, version), so a change of the target reads as
// an edit of the shortcut's local file.
func withTarget(n cache.Entry, t drive.File) cache.Entry {
	n.MD5, n.Size, n.ModTime, n.Version = t.MD5, t.Size, t.ModTime, t.Version
	return n
}
