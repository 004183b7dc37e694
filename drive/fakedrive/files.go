package fakedrive

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
)

// content is new media for a file.
type content struct {
	data []byte
	mime string
	sums *digests // known digests of data, or nil
}

// writeRequest checks a metadata-changing call (create, update, copy):
// the token may write, the `fields` mask, and the File in the body.
func writeRequest(c *call) (fields.Mask, *fileMeta, *apiError) {
	if e := c.canWrite(); e != nil {
		return fields.Mask{}, nil, e
	}
	m, e := fileMask(c)
	if e != nil {
		return m, nil, e
	}
	data, err := io.ReadAll(io.LimitReader(c.r.Body, 8<<20))
	if err != nil {
		return m, nil, errBadRequest("reading request body: " + err.Error())
	}
	meta, e := parseMeta(data)
	return m, meta, e
}

// fileMask parses the `fields` of a method that returns one File.
func fileMask(c *call) (fields.Mask, *apiError) {
	spec := c.q("fields")
	if spec == "" {
		return defaultFileFields, nil
	}
	m, err := fields.Parse(spec)
	if err != nil {
		return m, errInvalid("fields", "Invalid field selection: "+err.Error())
	}
	return m, checkFileMask(m, "fields")
}

// replyFile writes f as selected by the request's `fields`. Caller holds
// at least the read lock.
func (sv *Server) replyFile(c *call, code int, f *file, m fields.Mask) {
	c.writeJSON(code, sv.appendFile(nil, f, m, c))
}

// visible looks a file up as the request may see it: items of shared
// drives only for clients that declare supportsAllDrives.
func (sv *Server) visible(c *call, id string) (*file, *apiError) {
	f, e := sv.st.lookup(id)
	if e != nil {
		return nil, e
	}
	if f.DriveID != "" {
		if all, _ := c.boolParam("supportsAllDrives"); !all {
			if tda, _ := c.boolParam("supportsTeamDrives"); !tda {
				return nil, errNotFound(id)
			}
		}
	}
	return f, nil
}

func (sv *Server) filesGet(c *call) *apiError {
	if _, e := c.boolParam("supportsAllDrives"); e != nil {
		return e
	}
	if c.q("alt") == "media" {
		return sv.download(c)
	}
	if alt := c.q("alt"); alt != "" && alt != "json" {
		return errInvalid("alt", "Invalid value for alt: "+alt)
	}
	m, e := fileMask(c)
	if e != nil {
		return e
	}
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	f, e := sv.visible(c, c.r.PathValue("fileId"))
	if e != nil {
		return e
	}
	sv.replyFile(c, http.StatusOK, f, m)
	return nil
}

func (sv *Server) filesCreate(c *call) *apiError {
	m, meta, e := writeRequest(c)
	if e != nil {
		return e
	}
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	f, e := sv.createFile(c, meta, nil)
	if e != nil {
		return e
	}
	sv.replyFile(c, http.StatusOK, f, m)
	return nil
}

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

// setContent makes body f's new head revision. Caller holds the write lock.
func (sv *Server) setContent(f *file, body *content, stampModified bool) *apiError {
	if int64(len(body.data)) > sv.opt.MaxUploadSize {
		return &apiError{Code: 403, Reason: "maxUploadSizeExceeded", Message: "The file exceeds the maximum upload size."}
	}
	if sv.usedBytes()+int64(len(body.data)) > sv.opt.StorageLimit {
		return errForbidden("storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
	}
	b, d, err := sv.st.blobs.put(body.data, body.sums)
	if err != nil {
		sv.log.Error("fakedrive: store content", "file", f.ID, "err", err)
		return errBackend(http.StatusInternalServerError)
	}
	now := sv.st.now()
	f.Head = &revision{ID: "0B" + newID()[:30], Size: int64(len(body.data)), MD5: d.md5, SHA1: d.sha1, SHA256: d.sha256, ModifiedTime: now, MimeType: body.mime, blob: b}
	if stampModified {
		f.ModifiedTime = now
	}
	return nil
}

// usedBytes is the quota in use. Caller holds the lock.
func (sv *Server) usedBytes() int64 {
	var n int64
	for _, f := range sv.st.files {
		if f.Head != nil && !f.isNative() {
			n += f.Head.Size
		}
	}
	return n
}

func (sv *Server) filesUpdate(c *call) *apiError {
	m, meta, e := writeRequest(c)
	if e != nil {
		return e
	}
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	f, e := sv.updateFile(c, c.r.PathValue("fileId"), meta, nil)
	if e != nil {
		return e
	}
	sv.replyFile(c, http.StatusOK, f, m)
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

func (sv *Server) filesDelete(c *call) *apiError {
	if e := c.canWrite(); e != nil {
		return e
	}
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	f, e := sv.visible(c, c.r.PathValue("fileId"))
	if e != nil {
		return e
	}
	if f.ID == sv.st.rootID || sv.st.drives[f.ID] != nil {
		return errForbidden("cannotDeleteRoot", "The root folder cannot be deleted.")
	}
	sv.st.remove(f)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (sv *Server) filesEmptyTrash(c *call) *apiError {
	if e := c.canWrite(); e != nil {
		return e
	}
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	driveID := c.q("driveId")
	var doomed []*file
	for _, f := range sv.st.files {
		if f.ExplicitlyTrashed && f.DriveID == driveID {
			doomed = append(doomed, f)
		}
	}
	for _, f := range doomed {
		if sv.st.files[f.ID] != nil {
			sv.st.remove(f)
		}
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (sv *Server) filesCopy(c *call) *apiError {
	m, meta, e := writeRequest(c)
	if e != nil {
		return e
	}
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	src, e := sv.visible(c, c.r.PathValue("fileId"))
	if e != nil {
		return e
	}
	if src.isFolder() {
		return errForbidden("cannotCopyFile", "This file cannot be copied by the user.")
	}
	if meta.Name == nil {
		name := "Copy of " + src.Name
		meta.Name = &name
	}
	if meta.MimeType == nil {
		meta.MimeType = &src.MimeType
	}
	if len(meta.Parents) == 0 {
		meta.Parents = append([]string(nil), src.Parents...)
		if len(meta.Parents) > 1 {
			meta.Parents = meta.Parents[:1]
		}
	}
	if src.isShortcut() {
		meta.ShortcutDetails = &struct {
			TargetID string `json:"targetId"`
		}{src.ShortcutTarget}
	}
	var body *content
	if src.Head != nil {
		data, err := readBlob(src.Head.blob)
		if err != nil {
			return errBackend(http.StatusInternalServerError)
		}
		body = &content{data: data, mime: src.Head.MimeType}
	}
	f, e := sv.createFile(c, meta, body)
	if e != nil {
		return e
	}
	if meta.ModifiedTime == nil {
		f.ModifiedTime = src.ModifiedTime
	}
	sv.replyFile(c, http.StatusOK, f, m)
	return nil
}

func readBlob(b *blob) ([]byte, error) {
	r, err := b.open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (sv *Server) filesGenerateIDs(c *call) *apiError {
	n := 10
	if v := c.q("count"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1000 {
			return errInvalid("count", "Invalid value for count: "+v+". Values must be within the range: [1, 1000]")
		}
	}
	space := c.q("space")
	if space == "" {
		space = "drive"
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = newID()
	}
	w := jw{}
	w.open()
	w.str("kind", "drive#generatedIds")
	w.str("space", space)
	w.raw("ids", ids)
	w.close()
	c.writeJSON(http.StatusOK, w.b)
	return nil
}
