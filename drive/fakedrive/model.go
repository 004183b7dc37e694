package fakedrive

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// MIME types Drive gives meaning to.
const (
	FolderMime       = "application/vnd.google-apps.folder"
	ShortcutMime     = "application/vnd.google-apps.shortcut"
	DocumentMime     = "application/vnd.google-apps.document"
	SheetMime        = "application/vnd.google-apps.spreadsheet"
	SlidesMime       = "application/vnd.google-apps.presentation"
	googleAppsPrefix = "application/vnd.google-apps."
)

// file is one Drive item: a folder, a blob file, a native Google file or a
// shortcut. Fields mirror the Drive v3 File resource.
type file struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	MimeType          string            `json:"mimeType"`
	Description       string            `json:"description,omitempty"`
	Parents           []string          `json:"parents,omitempty"`
	DriveID           string            `json:"driveId,omitempty"`
	Starred           bool              `json:"starred,omitempty"`
	Trashed           bool              `json:"trashed,omitempty"`
	ExplicitlyTrashed bool              `json:"explicitlyTrashed,omitempty"`
	TrashedTime       time.Time         `json:"trashedTime,omitzero"`
	CreatedTime       time.Time         `json:"createdTime"`
	ModifiedTime      time.Time         `json:"modifiedTime"`
	ViewedByMeTime    time.Time         `json:"viewedByMeTime,omitzero"`
	Properties        map[string]string `json:"properties,omitempty"`
	AppProperties     map[string]string `json:"appProperties,omitempty"`
	Version           int64             `json:"version"`
	OriginalFilename  string            `json:"originalFilename,omitempty"`
	ShortcutTarget    string            `json:"shortcutTarget,omitempty"`
	Head              *revision         `json:"head,omitempty"` // nil for folders, shortcuts and empty native files
	Owner             string            `json:"owner"`
}

// revision is one version of a file's content.
type revision struct {
	ID           string    `json:"id"`
	Size         int64     `json:"size"`
	MD5          string    `json:"md5"`
	SHA1         string    `json:"sha1"`
	SHA256       string    `json:"sha256"`
	ModifiedTime time.Time `json:"modifiedTime"`
	MimeType     string    `json:"mimeType"`
	blob         *blob
}

func (f *file) isFolder() bool   { return f.MimeType == FolderMime }
func (f *file) isShortcut() bool { return f.MimeType == ShortcutMime }
func (f *file) isNative() bool   { return strings.HasPrefix(f.MimeType, googleAppsPrefix) }

// clone copies f deeply enough that the copy can be changed without
// touching f (revisions are immutable and shared).
func (f *file) clone() *file {
	c := *f
	c.Parents = append([]string(nil), f.Parents...)
	c.Properties = cloneMap(f.Properties)
	c.AppProperties = cloneMap(f.AppProperties)
	return &c
}

func cloneMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func (f *file) hasParent(id string) bool {
	for _, p := range f.Parents {
		if p == id {
			return true
		}
	}
	return false
}

// newID returns an ID shaped like Drive's: 33 URL-safe base64 characters.
func newID() string {
	var b [25]byte
	rand.Read(b[:])
	return "1" + base64.RawURLEncoding.EncodeToString(b[:])[:32]
}

// validID reports whether a client-chosen ID (files.create with an id from
// generateIds) has Drive's shape.
func validID(id string) bool {
	if len(id) < 20 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// rfc3339Milli is how Drive writes times: always UTC with milliseconds.
const rfc3339Milli = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(rfc3339Milli) }
