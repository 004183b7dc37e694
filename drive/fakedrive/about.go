package fakedrive

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
	"github.com/drivesync/drivesync/drive/fakedrive/query"
)

// aboutGet answers about.get. As in Drive v3, `fields` is required.
func (sv *Server) aboutGet(c *call) *apiError {
	spec := c.q("fields")
	if spec == "" {
		return &apiError{Code: 400, Reason: "required", Message: "The 'fields' parameter is required for this method.", Location: "fields", LocationType: "parameter"}
	}
	m, err := fields.Parse(spec)
	if err != nil {
		return errInvalid("fields", "Invalid field selection: "+err.Error())
	}
	sv.st.mu.RLock()
	used := sv.st.used
	var trash int64
	for _, f := range sv.st.files {
		if f.Trashed {
			trash += size(f)
		}
	}
	sv.st.mu.RUnlock()
	user := c.user
	obj := map[string]any{
		"kind":          "drive#about",
		"user":          json.RawMessage(appendUser(nil, user, mustMask("*"), true)),
		"storageQuota":  map[string]string{"limit": strconv.FormatInt(sv.opt.StorageLimit, 10), "usage": strconv.FormatInt(used, 10), "usageInDrive": strconv.FormatInt(used, 10), "usageInDriveTrash": strconv.FormatInt(trash, 10)},
		"maxUploadSize": strconv.FormatInt(sv.opt.MaxUploadSize, 10),
		"appInstalled":  false,
		"exportFormats": exportFormatsByType(),
		"importFormats": map[string][]string{"text/plain": {DocumentMime}, "text/csv": {SheetMime}},
		"maxImportSizes": map[string]string{
			DocumentMime: "10485760", SheetMime: "104857600", SlidesMime: "104857600",
		},
		"folderColorPalette":  []string{"#ac725e", "#4986e7", "#16a765"},
		"canCreateDrives":     true,
		"driveThemes":         []any{},
		"teamDriveThemes":     []any{},
		"canCreateTeamDrives": true,
	}
	out, e := selectJSON(obj, m)
	if e != nil {
		return e
	}
	data, _ := json.Marshal(out)
	c.writeJSON(http.StatusOK, data)
	return nil
}

func exportFormatsByType() map[string][]string {
	return map[string][]string{DocumentMime: exportFormats[DocumentMime], SheetMime: exportFormats[SheetMime], SlidesMime: exportFormats[SlidesMime]}
}

// selectJSON applies a mask to a generic object (one level deep for
// objects given as maps; nested raw JSON is kept whole).
func selectJSON(obj map[string]any, m fields.Mask) (map[string]any, *apiError) {
	if m.All() {
		return obj, nil
	}
	out := map[string]any{}
	for _, n := range m.Names() {
		v, ok := obj[n]
		if !ok {
			return nil, errInvalid("fields", "Invalid field selection "+n)
		}
		sub := m.Sub(n)
		if mv, isMap := v.(map[string]string); isMap && !sub.All() {
			picked := map[string]string{}
			for _, k := range sub.Names() {
				if s, ok := mv[k]; ok {
					picked[k] = s
				}
			}
			v = picked
		}
		out[n] = v
	}
	return out, nil
}

// drives.* — shared drives, enough for clients that pick one by name.

func (sv *Server) drivesCreate(c *call) *apiError {
	if e := c.canWrite(); e != nil {
		return e
	}
	req := c.q("requestId")
	if req == "" {
		return errRequired("requestId")
	}
	var body struct {
		Name string `json:"name"`
	}
	if e := readJSON(c.r.Body, &body); e != nil {
		return e
	}
	if body.Name == "" {
		return errRequired("name")
	}
	st := sv.st
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, d := range st.drives {
		if d.RequestID == req {
			return &apiError{Code: 409, Reason: "duplicate", Message: "A shared drive with this requestId already exists."}
		}
	}
	now := st.now()
	d := &sharedDrive{ID: "0A" + newID()[:17], Name: body.Name, CreatedTime: now, RequestID: req}
	st.drives[d.ID] = d
	root := &file{ID: d.ID, Name: d.Name, MimeType: FolderMime, DriveID: d.ID, CreatedTime: now, ModifiedTime: now, Version: 1, Owner: c.user}
	st.files[root.ID] = root
	st.dirty()
	c.writeJSON(http.StatusOK, appendDrive(nil, d))
	return nil
}

func appendDrive(b []byte, d *sharedDrive) []byte {
	w := jw{b: b}
	w.open()
	w.str("kind", "drive#drive")
	w.str("id", d.ID)
	w.str("name", d.Name)
	w.str("createdTime", formatTime(d.CreatedTime))
	w.close()
	return w.b
}

func (sv *Server) drivesGet(c *call) *apiError {
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	d := sv.st.drives[c.r.PathValue("driveId")]
	if d == nil {
		id := c.r.PathValue("driveId")
		return &apiError{Code: 404, Reason: "notFound", Message: "Shared drive not found: " + id, Location: "driveId", LocationType: "parameter"}
	}
	c.writeJSON(http.StatusOK, appendDrive(nil, d))
	return nil
}

// drivesList pages through shared drives: pageSize 1..100 (default 10),
// pageToken, and a q in the drives dialect (name, createdTime, ...).
func (sv *Server) drivesList(c *call) *apiError {
	size := 10
	if v := c.q("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return errInvalid("pageSize", "Invalid value '"+v+"'. Values must be within the range: [1, 100]")
		}
		size = n
	}
	var q query.Expr
	if qs := c.q("q"); qs != "" {
		e, err := query.ParseDrives(qs)
		if err != nil {
			return errInvalid("q", "Invalid Value")
		}
		q = e
	}
	h := fnv.New64a()
	h.Write([]byte("drives\x00" + c.q("q")))
	offset := 0
	if tok := c.q("pageToken"); tok != "" {
		off, ok := decodePageToken(tok, h.Sum64())
		if !ok {
			return errInvalid("pageToken", "Invalid Value")
		}
		offset = off
	}
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	ds := make([]*sharedDrive, 0, len(sv.st.drives))
	for _, d := range sv.st.drives {
		if q == nil || q.Eval(&query.Subject{ID: d.ID, Name: d.Name, CreatedTime: d.CreatedTime}, nil) {
			ds = append(ds, d)
		}
	}
	sortDrives(ds)
	start := min(offset, len(ds))
	end := min(start+size, len(ds))
	page := ds[start:end]
	w := jw{}
	w.open()
	w.str("kind", "drive#driveList")
	if end < len(ds) {
		w.str("nextPageToken", encodePageToken(end, h.Sum64()))
	}
	w.array("drives", len(page), func(b []byte, i int) []byte { return appendDrive(b, page[i]) })
	w.close()
	c.writeJSON(http.StatusOK, w.b)
	return nil
}

func sortDrives(ds []*sharedDrive) {
	slices.SortFunc(ds, func(a, b *sharedDrive) int {
		if c := a.CreatedTime.Compare(b.CreatedTime); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
