package fakedrive

import (
	"encoding/json"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
)

// Default selections, as Drive returns them when `fields` is not given.
var (
	defaultFileFields   = mustMask("kind,id,name,mimeType")
	defaultListFields   = mustMask("kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)")
	defaultChangeFields = mustMask("kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,driveId,file(kind,id,name,mimeType))")
)

func mustMask(spec string) fields.Mask {
	m, err := fields.Parse(spec)
	if err != nil {
		panic(err)
	}
	return m
}

// fileFieldNames is the Drive v3 File resource's schema: a selection naming
// anything else is answered 400, as Drive does. The emulator fills the ones
// it models and leaves the rest absent, as Drive does for unset fields.
var fileFieldNames = map[string]bool{
	"kind": true, "id": true, "name": true, "mimeType": true, "description": true, "starred": true,
	"trashed": true, "explicitlyTrashed": true, "trashingUser": true, "trashedTime": true, "parents": true,
	"properties": true, "appProperties": true, "spaces": true, "version": true, "webContentLink": true,
	"webViewLink": true, "iconLink": true, "hasThumbnail": true, "thumbnailLink": true, "thumbnailVersion": true,
	"viewedByMe": true, "viewedByMeTime": true, "createdTime": true, "modifiedTime": true,
	"modifiedByMeTime": true, "modifiedByMe": true, "sharedWithMeTime": true, "sharingUser": true,
	"owners": true, "teamDriveId": true, "driveId": true, "lastModifyingUser": true, "shared": true,
	"ownedByMe": true, "capabilities": true, "viewersCanCopyContent": true, "copyRequiresWriterPermission": true,
	"writersCanShare": true, "permissions": true, "permissionIds": true, "hasAugmentedPermissions": true,
	"folderColorRgb": true, "originalFilename": true, "fullFileExtension": true, "fileExtension": true,
	"md5Checksum": true, "sha1Checksum": true, "sha256Checksum": true, "size": true, "quotaBytesUsed": true,
	"headRevisionId": true, "contentHints": true, "imageMediaMetadata": true, "videoMediaMetadata": true,
	"isAppAuthorized": true, "exportLinks": true, "shortcutDetails": true, "contentRestrictions": true,
	"resourceKey": true, "linkShareMetadata": true, "labelInfo": true, "inheritedPermissionsDisabled": true,
	"downloadRestrictions": true,
}

// checkFileMask rejects a selection of an unknown File field.
func checkFileMask(m fields.Mask, param string) *apiError {
	if m.All() {
		return nil
	}
	for _, n := range m.Names() {
		if !fileFieldNames[n] {
			return errInvalid(param, "Invalid field selection "+n)
		}
	}
	return nil
}

// checkTop rejects a selection naming a field the response does not have,
// and checks the nested file selection under fileKey.
func checkTop(m fields.Mask, known []string, fileKey string) *apiError {
	if m.All() {
		return nil
	}
	for _, n := range m.Names() {
		ok := false
		for _, k := range known {
			ok = ok || k == n
		}
		if !ok {
			return errInvalid("fields", "Invalid field selection "+n)
		}
	}
	if fileKey != "" && m.Has(fileKey) {
		return checkFileMask(m.Sub(fileKey), "fields")
	}
	return nil
}

// jw appends one JSON object's members.
type jw struct {
	b     []byte
	first bool
}

func (w *jw) open()  { w.b = append(w.b, '{'); w.first = true }
func (w *jw) close() { w.b = append(w.b, '}'); w.first = false }
func (w *jw) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = appendString(w.b, k)
	w.b = append(w.b, ':')
}
func (w *jw) str(k, v string) { w.key(k); w.b = appendString(w.b, v) }
func (w *jw) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}
func (w *jw) raw(k string, v any) {
	w.key(k)
	data, _ := json.Marshal(v)
	w.b = append(w.b, data...)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendFile appends f's JSON as selected by m. Only fields with a value
// appear, as in Drive's replies.
func (sv *Server) appendFile(b []byte, f *file, m fields.Mask, c *call) []byte {
	me := c.user
	w := jw{b: b}
	w.open()
	all := m.All()
	has := func(n string) bool { return all || m.Has(n) }
	if has("kind") {
		w.str("kind", "drive#file")
	}
	if has("id") {
		w.str("id", f.ID)
	}
	if has("name") {
		w.str("name", f.Name)
	}
	if has("mimeType") {
		w.str("mimeType", f.MimeType)
	}
	if has("description") && f.Description != "" {
		w.str("description", f.Description)
	}
	if has("starred") {
		w.boolean("starred", f.Starred)
	}
	if has("trashed") {
		w.boolean("trashed", f.Trashed)
	}
	if has("explicitlyTrashed") {
		w.boolean("explicitlyTrashed", f.ExplicitlyTrashed)
	}
	if has("trashedTime") && f.Trashed && !f.TrashedTime.IsZero() {
		w.str("trashedTime", formatTime(f.TrashedTime))
	}
	if has("parents") && len(f.Parents) > 0 {
		w.key("parents")
		w.b = append(w.b, '[')
		for i, p := range f.Parents {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendString(w.b, p)
		}
		w.b = append(w.b, ']')
	}
	if has("properties") && len(f.Properties) > 0 {
		w.raw("properties", f.Properties)
	}
	if has("appProperties") && len(f.AppProperties) > 0 {
		w.raw("appProperties", f.AppProperties)
	}
	if has("spaces") {
		w.raw("spaces", []string{"drive"})
	}
	if has("version") {
		w.str("version", strconv.FormatInt(f.Version, 10))
	}
	base := c.base
	if has("webContentLink") && f.Head != nil && !f.isNative() {
		w.str("webContentLink", base+"/drive/v3/files/"+f.ID+"?alt=media")
	}
	if has("webViewLink") {
		w.str("webViewLink", base+"/file/d/"+f.ID+"/view")
	}
	if has("iconLink") {
		w.str("iconLink", base+"/icons/"+f.MimeType)
	}
	if has("hasThumbnail") {
		w.boolean("hasThumbnail", false)
	}
	if has("viewedByMe") {
		w.boolean("viewedByMe", !f.ViewedByMeTime.IsZero())
	}
	if has("viewedByMeTime") && !f.ViewedByMeTime.IsZero() {
		w.str("viewedByMeTime", formatTime(f.ViewedByMeTime))
	}
	if has("createdTime") {
		w.str("createdTime", formatTime(f.CreatedTime))
	}
	if has("modifiedTime") {
		w.str("modifiedTime", formatTime(f.ModifiedTime))
	}
	if has("modifiedByMeTime") && f.Owner == me {
		w.str("modifiedByMeTime", formatTime(f.ModifiedTime))
	}
	if has("modifiedByMe") {
		w.boolean("modifiedByMe", f.Owner == me)
	}
	if has("owners") && f.DriveID == "" {
		w.key("owners")
		w.b = append(w.b, '[')
		w.b = appendUser(w.b, f.Owner, m.Sub("owners"), f.Owner == me)
		w.b = append(w.b, ']')
	}
	if has("lastModifyingUser") {
		w.key("lastModifyingUser")
		w.b = appendUser(w.b, f.Owner, m.Sub("lastModifyingUser"), f.Owner == me)
	}
	if has("shared") {
		w.boolean("shared", false)
	}
	if has("ownedByMe") {
		w.boolean("ownedByMe", f.DriveID == "" && f.Owner == me)
	}
	if has("capabilities") {
		w.key("capabilities")
		w.b = appendCapabilities(w.b, f, m.Sub("capabilities"))
	}
	if has("viewersCanCopyContent") {
		w.boolean("viewersCanCopyContent", true)
	}
	if has("copyRequiresWriterPermission") {
		w.boolean("copyRequiresWriterPermission", false)
	}
	if has("writersCanShare") {
		w.boolean("writersCanShare", true)
	}
	if f.Head != nil && !f.isNative() {
		if has("originalFilename") {
			orig := f.OriginalFilename
			if orig == "" {
				orig = f.Name
			}
			w.str("originalFilename", orig)
		}
		if ext := fullExt(f.Name); ext != "" {
			if has("fullFileExtension") {
				w.str("fullFileExtension", ext)
			}
			if has("fileExtension") {
				w.str("fileExtension", strings.TrimPrefix(path.Ext(f.Name), "."))
			}
		}
		if has("md5Checksum") {
			w.str("md5Checksum", f.Head.MD5)
		}
		if has("sha1Checksum") {
			w.str("sha1Checksum", f.Head.SHA1)
		}
		if has("sha256Checksum") {
			w.str("sha256Checksum", f.Head.SHA256)
		}
		if has("size") {
			w.str("size", strconv.FormatInt(f.Head.Size, 10))
		}
		if has("headRevisionId") {
			w.str("headRevisionId", f.Head.ID)
		}
	}
	if has("quotaBytesUsed") {
		var n int64
		if f.Head != nil && !f.isNative() {
			n = f.Head.Size
		}
		w.str("quotaBytesUsed", strconv.FormatInt(n, 10))
	}
	if has("isAppAuthorized") {
		w.boolean("isAppAuthorized", true)
	}
	if has("exportLinks") && f.isNative() {
		if formats := exportFormats[f.MimeType]; len(formats) > 0 {
			links := make(map[string]string, len(formats))
			for _, mt := range formats {
				links[mt] = base + "/drive/v3/files/" + f.ID + "/export?mimeType=" + mt
			}
			w.raw("exportLinks", links)
		}
	}
	if has("shortcutDetails") && f.isShortcut() {
		sub := m.Sub("shortcutDetails")
		sw := jw{b: w.b}
		w.key("shortcutDetails")
		sw.b = w.b
		sw.open()
		if sub.All() || sub.Has("targetId") {
			sw.str("targetId", f.ShortcutTarget)
		}
		if sub.All() || sub.Has("targetMimeType") {
			if t := sv.st.files[f.ShortcutTarget]; t != nil {
				sw.str("targetMimeType", t.MimeType)
			}
		}
		sw.close()
		w.b = sw.b
	}
	if f.DriveID != "" {
		if has("driveId") {
			w.str("driveId", f.DriveID)
		}
		if has("teamDriveId") {
			w.str("teamDriveId", f.DriveID)
		}
	}
	w.close()
	return w.b
}

func appendUser(b []byte, email string, m fields.Mask, me bool) []byte {
	w := jw{b: b}
	w.open()
	all := m.All()
	name := email
	if i := strings.IndexByte(email, '@'); i > 0 {
		name = email[:i]
	}
	if all || m.Has("kind") {
		w.str("kind", "drive#user")
	}
	if all || m.Has("displayName") {
		w.str("displayName", name)
	}
	if all || m.Has("me") {
		w.boolean("me", me)
	}
	if all || m.Has("permissionId") {
		w.str("permissionId", strconv.Itoa(len(email))+"000"+strconv.Itoa(int(email[0])))
	}
	if all || m.Has("emailAddress") {
		w.str("emailAddress", email)
	}
	w.close()
	return w.b
}

func appendCapabilities(b []byte, f *file, m fields.Mask) []byte {
	caps := map[string]bool{
		"canAddChildren": f.isFolder(), "canCopy": !f.isFolder(), "canDelete": true, "canDownload": !f.isFolder(),
		"canEdit": true, "canListChildren": f.isFolder(), "canModifyContent": !f.isFolder(), "canRename": true,
		"canTrash": true, "canUntrash": true, "canReadRevisions": !f.isFolder(), "canShare": true,
		"canMoveItemWithinDrive": true, "canRemoveChildren": f.isFolder(),
	}
	keys := make([]string, 0, len(caps))
	for k := range caps {
		if m.All() || m.Has(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	w := jw{b: b}
	w.open()
	for _, k := range keys {
		w.boolean(k, caps[k])
	}
	w.close()
	return w.b
}

// fullExt is Drive's fullFileExtension: everything after the first dot of
// the final name (e.g. "tar.gz"), empty when there is none.
func fullExt(name string) string {
	i := strings.IndexByte(name, '.')
	if i <= 0 || i == len(name)-1 {
		return ""
	}
	return name[i+1:]
}

// array appends a JSON array of n elements, each written by elem.
func (w *jw) array(k string, n int, elem func(b []byte, i int) []byte) {
	w.key(k)
	w.b = append(w.b, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = elem(w.b, i)
	}
	w.b = append(w.b, ']')
}
