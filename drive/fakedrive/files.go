package fakedrive

import (
	"io"
	"net/http"
	"strconv"

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
