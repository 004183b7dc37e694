package fakedrive

import (
	"net/http"
	"strconv"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
)

func (sv *Server) changesStartPageToken(c *call) *apiError {
	sv.st.mu.RLock()
	tok := sv.st.startPageToken()
	sv.st.mu.RUnlock()
	w := jw{}
	w.open()
	w.str("kind", "drive#startPageToken")
	w.str("startPageToken", tok)
	w.close()
	c.writeJSON(http.StatusOK, w.b)
	return nil
}

// changesList pages through the changes feed. Each file appears once, with
// its current state (Drive coalesces); a page carries nextPageToken while
// more remain and newStartPageToken on the last page, never both.
func (sv *Server) changesList(c *call) *apiError {
	tok := c.q("pageToken")
	if tok == "" {
		return errRequired("pageToken")
	}
	from, err := strconv.ParseInt(tok, 10, 64)
	if err != nil || from < 1 {
		return errInvalid("pageToken", "Invalid Value")
	}
	size := 100
	if v := c.q("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return errInvalid("pageSize", "Invalid value '"+v+"'. Values must be within the range: [1, 1000]")
		}
		size = n
	}
	includeRemoved := true
	if v := c.q("includeRemoved"); v != "" {
		b, e := c.boolParam("includeRemoved")
		if e != nil {
			return e
		}
		includeRemoved = b
	}
	restrict, e := c.boolParam("restrictToMyDrive")
	if e != nil {
		return e
	}
	driveID := c.q("driveId")
	if driveID == "" {
		driveID = c.q("teamDriveId")
	}
	if driveID != "" {
		supports, _ := c.boolParam("supportsAllDrives")
		old, _ := c.boolParam("supportsTeamDrives")
		if !supports && !old {
			return errInvalid("supportsAllDrives", "The supportsAllDrives parameter must be true when driveId is set.")
		}
	}
	m := defaultChangeFields
	if spec := c.q("fields"); spec != "" {
		mm, err := fields.Parse(spec)
		if err != nil {
			return errInvalid("fields", "Invalid field selection: "+err.Error())
		}
		if e := checkTop(mm, []string{"kind", "nextPageToken", "newStartPageToken", "changes"}, ""); e != nil {
			return e
		}
		if e := checkChangeMask(mm.Sub("changes")); e != nil && mm.Has("changes") {
			return e
		}
		m = mm
	}

	st := sv.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	if from > st.nextSeq {
		return errInvalid("pageToken", "Invalid Value")
	}
	var page []change
	next := from
	more := false
	for len(page) < size {
		batch, n, mo := st.changesSince(next, size-len(page), driveID)
		next, more = n, mo
		for _, ch := range batch {
			f := st.files[ch.FileID]
			if (ch.Removed || f == nil) && !includeRemoved {
				continue
			}
			if restrict && f != nil && f.DriveID != "" {
				continue
			}
			page = append(page, ch)
		}
		if !more {
			break
		}
	}
	w := jw{b: make([]byte, 0, 64+len(page)*160)}
	w.open()
	if m.All() || m.Has("kind") {
		w.str("kind", "drive#changeList")
	}
	if more && (m.All() || m.Has("nextPageToken")) {
		w.str("nextPageToken", strconv.FormatInt(next, 10))
	}
	if !more && (m.All() || m.Has("newStartPageToken")) {
		w.str("newStartPageToken", strconv.FormatInt(next, 10))
	}
	if m.All() || m.Has("changes") {
		cm := m.Sub("changes")
		w.array("changes", len(page), func(b []byte, i int) []byte { return sv.appendChange(b, page[i], cm, c) })
	}
	w.close()
	c.writeJSON(http.StatusOK, w.b)
	return nil
}

var changeFieldNames = map[string]bool{
	"kind": true, "changeType": true, "time": true, "removed": true, "fileId": true, "file": true,
	"driveId": true, "drive": true, "teamDriveId": true, "teamDrive": true, "type": true,
}

func checkChangeMask(m fields.Mask) *apiError {
	if m.All() {
		return nil
	}
	for _, n := range m.Names() {
		if !changeFieldNames[n] {
			return errInvalid("fields", "Invalid field selection "+n)
		}
	}
	if m.Has("file") {
		return checkFileMask(m.Sub("file"), "fields")
	}
	return nil
}

func (sv *Server) appendChange(b []byte, ch change, m fields.Mask, c *call) []byte {
	f := sv.st.files[ch.FileID]
	removed := ch.Removed || f == nil
	all := m.All()
	has := func(n string) bool { return all || m.Has(n) }
	w := jw{b: b}
	w.open()
	if has("kind") {
		w.str("kind", "drive#change")
	}
	if has("changeType") {
		w.str("changeType", "file")
	}
	if has("type") {
		w.str("type", "file")
	}
	if has("time") {
		w.str("time", formatTime(ch.Time))
	}
	if has("removed") {
		w.boolean("removed", removed)
	}
	if has("fileId") {
		w.str("fileId", ch.FileID)
	}
	if ch.DriveID != "" && has("driveId") {
		w.str("driveId", ch.DriveID)
	}
	if !removed && has("file") {
		w.key("file")
		w.b = sv.appendFile(w.b, f, m.Sub("file"), c)
	}
	w.close()
	return w.b
}
