package fakedrive

import (
	"net/http"
	"strings"
)

// The mutations behind files.create, files.update, files.copy and the
// uploads: each runs with the store's write lock held.

// createFile makes a new file from client metadata and optional content.
// Caller holds the write lock.
func (sv *Server) createFile(c *call, meta *fileMeta, body *content) (*file, *apiError) {
	st := sv.st
	now := st.now()
	f := &file{Name: "Untitled", CreatedTime: now, ModifiedTime: now, Owner: c.user}
	if meta.ID != nil {
		if !validID(*meta.ID) || st.files[*meta.ID] != nil {
			return nil, errInvalid("id", "The provided file ID is not usable.")
		}
		f.ID = *meta.ID
	} else {
		f.ID = newID()
	}
	switch {
	case meta.MimeType != nil && *meta.MimeType != "":
		f.MimeType = *meta.MimeType
	case body != nil && body.mime != "":
		f.MimeType = body.mime
	default:
		f.MimeType = "application/octet-stream"
	}
	if i := strings.IndexByte(f.MimeType, ';'); i >= 0 && !strings.HasPrefix(f.MimeType, googleAppsPrefix) {
		f.MimeType = strings.TrimSpace(f.MimeType[:i])
	}
	parents := meta.Parents
	if len(parents) == 0 {
		parents = []string{st.rootID}
	}
	if len(parents) > 1 && !sv.opt.LegacyMultiParent {
		return nil, errForbidden("cannotAddParent", "Increasing the number of parents is not allowed.")
	}
	for i, p := range parents {
		pf, e := sv.visible(c, p)
		if e != nil {
			return nil, e
		}
		if !pf.isFolder() {
			return nil, errBadRequest("The specified parent is not a folder.")
		}
		if i > 0 && pf.DriveID != f.DriveID {
			return nil, errForbidden("cannotAddParent", "A shared drive item must have exactly one parent.")
		}
		f.DriveID = pf.DriveID
		parents[i] = pf.ID
	}
	f.Parents = append([]string(nil), parents...)
	if e := applyCommon(f, meta); e != nil {
		return nil, e
	}
	if meta.CreatedTime != nil {
		t, e := parseTime("createdTime", *meta.CreatedTime)
		if e != nil {
			return nil, e
		}
		f.CreatedTime = t
	}
	if f.isShortcut() {
		if meta.ShortcutDetails == nil || meta.ShortcutDetails.TargetID == "" {
			return nil, errBadRequest("A shortcut must have a target: shortcutDetails.targetId is required.")
		}
		t, e := sv.visible(c, meta.ShortcutDetails.TargetID)
		if e != nil {
			return nil, e
		}
		f.ShortcutTarget = t.ID
		if body != nil && len(body.data) > 0 {
			return nil, errBadRequest("A shortcut cannot have content.")
		}
	}
	if f.isFolder() && body != nil && len(body.data) > 0 {
		return nil, errBadRequest("A folder cannot have content.")
	}
	if body != nil && !f.isFolder() && !f.isShortcut() {
		if e := sv.setContent(f, body, meta.ModifiedTime == nil); e != nil {
			return nil, e
		}
	}
	f.Trashed = meta.Trashed != nil && *meta.Trashed
	f.ExplicitlyTrashed = f.Trashed
	st.insert(f)
	st.touched(f)
	return f, nil
}

// setContent makes body f's new head revision and accounts for it in the
// quota. Caller holds the write lock, and f (or the clone that replaces
// it) is committed without a further error.
func (sv *Server) setContent(f *file, body *content, stampModified bool) *apiError {
	if int64(len(body.data)) > sv.opt.MaxUploadSize {
		return &apiError{Code: 403, Reason: "maxUploadSizeExceeded", Message: "The file exceeds the maximum upload size."}
	}
	if sv.st.used-size(f)+int64(len(body.data)) > sv.opt.StorageLimit {
		return errForbidden("storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
	}
	b, d, err := sv.st.blobs.put(body.data, body.sums)
	if err != nil {
		sv.log.Error("fakedrive: store content", "file", f.ID, "err", err)
		return errBackend(http.StatusInternalServerError)
	}
	now := sv.st.now()
	sv.st.used -= size(f)
	f.Head = &revision{ID: "0B" + newID()[:30], Size: int64(len(body.data)), MD5: d.md5, SHA1: d.sha1, SHA256: d.sha256, ModifiedTime: now, MimeType: body.mime, blob: b}
	sv.st.used += size(f)
	if stampModified {
		f.ModifiedTime = now
	}
	return nil
}

// updateFile applies a metadata patch, parent changes and optional new
// content to one file. Caller holds the write lock.
func (sv *Server) updateFile(c *call, id string, meta *fileMeta, body *content) (*file, *apiError) {
	st := sv.st
	f, e := sv.visible(c, id)
	if e != nil {
		return nil, e
	}
	if meta.hasParents {
		return nil, &apiError{Code: 403, Reason: "fieldNotWritable", Message: "The parents field is not directly writable in update requests. Use the addParents and removeParents parameters instead.", Location: "parents", LocationType: "other"}
	}
	if f.ID == st.rootID || st.drives[f.ID] != nil {
		return nil, errForbidden("cannotModifyRoot", "The root folder cannot be modified.")
	}
	next := f.clone()
	if e := applyCommon(next, meta); e != nil {
		return nil, e
	}
	if meta.MimeType != nil && *meta.MimeType != f.MimeType {
		if f.isFolder() || f.isShortcut() || strings.HasPrefix(*meta.MimeType, googleAppsPrefix) {
			return nil, errForbidden("cannotChangeMimeType", "The MIME type of this file cannot be changed.")
		}
		next.MimeType = *meta.MimeType
	}
	if e := sv.moveParents(c, next, c.q("addParents"), c.q("removeParents")); e != nil {
		return nil, e
	}
	if body != nil {
		if f.isFolder() || f.isShortcut() {
			return nil, errBadRequest("A folder or shortcut cannot have content.")
		}
		if e := sv.setContent(next, body, meta.ModifiedTime == nil); e != nil {
			return nil, e
		}
	}
	for _, p := range f.Parents {
		st.unlink(p, f.ID)
	}
	*f = *next
	for _, p := range f.Parents {
		st.link(p, f.ID)
	}
	if meta.Trashed != nil {
		st.setTrashed(f, *meta.Trashed)
	}
	st.touched(f)
	return f, nil
}

// moveParents applies addParents and removeParents (comma-separated IDs).
func (sv *Server) moveParents(c *call, f *file, add, remove string) *apiError {
	if add == "" && remove == "" {
		return nil
	}
	st := sv.st
	for _, p := range splitIDs(remove) {
		p = st.resolve(p)
		kept := f.Parents[:0:0]
		for _, q := range f.Parents {
			if q != p {
				kept = append(kept, q)
			}
		}
		f.Parents = kept
	}
	for _, p := range splitIDs(add) {
		pf, e := sv.visible(c, p)
		if e != nil {
			return e
		}
		if !pf.isFolder() {
			return errBadRequest("The specified parent is not a folder.")
		}
		if pf.DriveID != f.DriveID {
			return errForbidden("cannotMoveItemOutsideOfDrive", "Moving items between My Drive and shared drives, or between shared drives, is not supported by the emulator.")
		}
		if f.isFolder() && st.isAncestor(f.ID, pf.ID) {
			return errForbidden("cannotMoveFolderIntoDescendant", "A folder cannot be moved into itself or one of its descendants.")
		}
		if !f.hasParent(pf.ID) {
			f.Parents = append(f.Parents, pf.ID)
		}
	}
	if len(f.Parents) == 0 {
		return errBadRequest("A file must have at least one parent: removeParents would remove the last one.")
	}
	if len(f.Parents) > 1 && !sv.opt.LegacyMultiParent {
		return errForbidden("cannotAddParent", "Increasing the number of parents is not allowed.")
	}
	return nil
}

func splitIDs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
