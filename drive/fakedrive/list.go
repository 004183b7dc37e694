package fakedrive

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
	"github.com/drivesync/drivesync/drive/fakedrive/query"
)

// listParams are files.list's parameters, validated.
type listParams struct {
	q         query.Expr
	pageSize  int
	offset    int
	orderBy   []orderKey
	corpora   string
	driveID   string
	allDrives bool
	mask      fields.Mask
	queryHash uint64
}

type orderKey struct {
	key  string
	desc bool
}

var orderKeys = map[string]bool{
	"createdTime": true, "folder": true, "modifiedByMeTime": true, "modifiedTime": true, "name": true,
	"name_natural": true, "quotaBytesUsed": true, "recency": true, "sharedWithMeTime": true, "starred": true,
	"viewedByMeTime": true,
}

func parseList(c *call) (*listParams, *apiError) {
	p := &listParams{pageSize: 100, mask: defaultListFields}
	qs := c.q("q")
	if qs != "" {
		e, err := query.Parse(qs)
		if err != nil {
			c.log.Debug("fakedrive: invalid q", "q", qs, "err", err) // Drive says only "Invalid Value"
			return nil, errInvalid("q", "Invalid Value")
		}
		p.q = e
	}
	if v := c.q("pageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, errInvalid("pageSize", "Invalid value '"+v+"'. Values must be within the range: [1, 1000]")
		}
		p.pageSize = n
	}
	if v := c.q("orderBy"); v != "" {
		for _, part := range strings.Split(v, ",") {
			fs := strings.Fields(part)
			if len(fs) == 0 || len(fs) > 2 || !orderKeys[fs[0]] || (len(fs) == 2 && !strings.EqualFold(fs[1], "desc") && !strings.EqualFold(fs[1], "asc")) {
				return nil, errInvalid("orderBy", "Invalid Value")
			}
			p.orderBy = append(p.orderBy, orderKey{fs[0], len(fs) == 2 && strings.EqualFold(fs[1], "desc")})
		}
	}
	for _, sp := range strings.Split(c.q("spaces"), ",") {
		switch strings.TrimSpace(sp) {
		case "", "drive", "appDataFolder", "photos":
		default:
			return nil, errInvalid("spaces", "Invalid Value")
		}
	}
	var e *apiError
	if p.allDrives, e = c.boolParam("includeItemsFromAllDrives"); e != nil {
		return nil, e
	}
	if old, _ := c.boolParam("includeTeamDriveItems"); old {
		p.allDrives = true
	}
	supports, e := c.boolParam("supportsAllDrives")
	if e != nil {
		return nil, e
	}
	if old, _ := c.boolParam("supportsTeamDrives"); old {
		supports = true
	}
	p.driveID = c.q("driveId")
	if p.driveID == "" {
		p.driveID = c.q("teamDriveId")
	}
	p.corpora = c.q("corpora")
	if p.corpora == "" && c.q("corpus") == "domain" {
		p.corpora = "domain"
	}
	switch p.corpora {
	case "", "user", "domain":
		p.corpora = "user"
	case "drive", "allDrives":
	default:
		return nil, errInvalid("corpora", "Invalid Value")
	}
	if (p.corpora == "drive") != (p.driveID != "") {
		return nil, errInvalid("corpora", "The driveId parameter must be specified if and only if corpora is set to drive.")
	}
	if p.corpora != "user" && (!p.allDrives || !supports) {
		return nil, errInvalid("includeItemsFromAllDrives", "The includeItemsFromAllDrives parameter must be set to true (and supportsAllDrives too) when corpora is drive or allDrives.")
	}
	if spec := c.q("fields"); spec != "" {
		m, err := fields.Parse(spec)
		if err != nil {
			return nil, errInvalid("fields", "Invalid field selection: "+err.Error())
		}
		if e := checkTop(m, []string{"kind", "nextPageToken", "incompleteSearch", "files"}, "files"); e != nil {
			return nil, e
		}
		p.mask = m
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%v", qs, c.q("orderBy"), p.corpora, p.driveID, p.allDrives)
	p.queryHash = h.Sum64()
	if tok := c.q("pageToken"); tok != "" {
		off, ok := decodePageToken(tok, p.queryHash)
		if !ok {
			return nil, errInvalid("pageToken", "Invalid Value")
		}
		p.offset = off
	}
	return p, nil
}

func encodePageToken(offset int, h uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%x", offset, h)))
}

func decodePageToken(tok string, h uint64) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	off, hash, ok := strings.Cut(string(raw), ":")
	if !ok || hash != strconv.FormatUint(h, 16) {
		return 0, false
	}
	n, err := strconv.Atoi(off)
	return n, err == nil && n >= 0
}

func (sv *Server) filesList(c *call) *apiError {
	p, e := parseList(c)
	if e != nil {
		return e
	}
	st := sv.st
	st.mu.RLock()
	defer st.mu.RUnlock()
	var matches []*file
	env := &query.Env{Me: c.user, RootID: st.rootID} // RootID: 'root' in parents
	var subj query.Subject
	var owner [1]string
	consider := func(f *file) {
		if f.ID == st.rootID || st.drives[f.ID] != nil {
			return
		}
		switch p.corpora {
		case "user":
			if f.DriveID != "" {
				return
			}
		case "drive":
			if f.DriveID != p.driveID {
				return
			}
		}
		if p.q != nil {
			owner[0] = f.Owner
			fillSubject(&subj, f, owner[:])
			if !p.q.Eval(&subj, env) {
				return
			}
		}
		matches = append(matches, f)
	}
	if ids, ok := candidateParents(p.q); ok {
		seen := map[string]bool{}
		for _, pid := range ids {
			for cid := range st.children[st.resolve(pid)] {
				if !seen[cid] {
					seen[cid] = true
					consider(st.files[cid])
				}
			}
		}
	} else {
		for _, f := range st.files {
			consider(f)
		}
	}
	sortFiles(matches, p.orderBy)
	start := min(p.offset, len(matches))
	end := min(start+p.pageSize, len(matches))
	page := matches[start:end]

	m := p.mask
	w := jw{b: make([]byte, 0, 64+len(page)*128)}
	w.open()
	if m.All() || m.Has("kind") {
		w.str("kind", "drive#fileList")
	}
	if end < len(matches) && (m.All() || m.Has("nextPageToken")) {
		w.str("nextPageToken", encodePageToken(end, p.queryHash))
	}
	if m.All() || m.Has("incompleteSearch") {
		w.boolean("incompleteSearch", false)
	}
	if m.All() || m.Has("files") {
		fm := m.Sub("files")
		w.array("files", len(page), func(b []byte, i int) []byte { return sv.appendFile(b, page[i], fm, c) })
	}
	w.close()
	c.writeJSON(http.StatusOK, w.b)
	return nil
}

func candidateParents(q query.Expr) ([]string, bool) {
	if q == nil {
		return nil, false
	}
	return query.CandidateParents(q)
}

func fillSubject(s *query.Subject, f *file, owners []string) {
	*s = query.Subject{
		ID: f.ID, Name: f.Name, MimeType: f.MimeType, Description: f.Description, Parents: f.Parents,
		Trashed: f.Trashed, Starred: f.Starred, ModifiedTime: f.ModifiedTime, CreatedTime: f.CreatedTime,
		ViewedByMeTime: f.ViewedByMeTime, Properties: f.Properties, AppProperties: f.AppProperties,
		Owners: owners, ShortcutTargetID: f.ShortcutTarget,
	}
}

// sortFiles orders a result by orderBy keys; ties (and no keys) fall back
// to the ID, so pages are stable.
func sortFiles(fs []*file, keys []orderKey) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		for _, k := range keys {
			c := compareBy(a, b, k.key)
			if c != 0 {
				return (c < 0) != k.desc
			}
		}
		return a.ID < b.ID
	})
}

func compareBy(a, b *file, key string) int {
	switch key {
	case "folder":
		return boolCmp(b.isFolder(), a.isFolder()) // folders first
	case "name", "name_natural":
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	case "createdTime":
		return a.CreatedTime.Compare(b.CreatedTime)
	case "modifiedTime", "modifiedByMeTime", "recency":
		return a.ModifiedTime.Compare(b.ModifiedTime)
	case "viewedByMeTime", "sharedWithMeTime":
		return a.ViewedByMeTime.Compare(b.ViewedByMeTime)
	case "starred":
		return boolCmp(b.Starred, a.Starred)
	case "quotaBytesUsed":
		return cmp.Compare(size(a), size(b))
	}
	return 0
}

func size(f *file) int64 {
	if f.Head == nil || f.isNative() {
		return 0
	}
	return f.Head.Size
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
