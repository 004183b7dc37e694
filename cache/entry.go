package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"
)

// Entry is what the store knows of one mirrored item: where it is on
// Drive and on disk, what Drive last said about it, and the state of each
// side when the two were last in sync.
type Entry struct {
	ID       string // Drive file ID; the primary key
	Path     string // local path, slash-separated, relative to the mount root ("." is the root)
	ParentID string // Drive ID of the folder holding it
	Name     string // the name on Drive (Path's last element may differ: it is the name as mapped on disk)
	IsDir    bool

	// Drive's metadata as last seen (listing or changes feed).
	MD5     string // lowercase hex; "" for folders and files Drive keeps no md5 for
	Size    int64
	ModTime time.Time
	Version int64

	// What the item is on Drive, so a restart knows without asking:
	// MimeType is Drive's MIME type ("" in entries written before it was
	// kept: a plain file or, with IsDir, a folder). For a shortcut,
	// TargetID and TargetMime name the item it points to.
	MimeType   string
	TargetID   string
	TargetMime string

	Remote RemoteBase // Drive's side at the last sync
	Local  LocalBase  // the local side at the last sync
}

// RemoteBase is the Drive side of an item when it was last in sync: if
// Drive's current version or md5 differs, Drive changed it since.
type RemoteBase struct {
	MD5     string
	Size    int64
	ModTime time.Time
	Version int64
}

// LocalBase is the local side of an item when it was last in sync: the
// stat of the file after it was written (or uploaded) and the md5 of its
// content then. If a fresh stat differs, the file changed locally since.
type LocalBase struct {
	Size    int64
	ModTime time.Time
	Inode   uint64 // 0 where the platform has none; then not compared
	MD5     string // md5 of the content that was verified; "" if never verified
}

// Synced reports whether the item has ever been in sync (either base set).
func (e Entry) Synced() bool { return e.Remote != (RemoteBase{}) || e.Local != (LocalBase{}) }

// RemoteChanged reports whether Drive's metadata moved on since the last
// sync: another version, or other content.
func (e Entry) RemoteChanged() bool {
	return e.Version != e.Remote.Version || e.MD5 != e.Remote.MD5 || e.Size != e.Remote.Size
}

// LocalChanged reports whether the local file described by fi differs
// from the local base: size, mtime or (where both are known) inode.
func (e Entry) LocalChanged(fi fs.FileInfo) bool {
	return e.LocalDiffers(fi.IsDir(), fi.Size(), fi.ModTime(), Inode(fi))
}

// LocalDiffers is LocalChanged for a stat given as its parts (inode 0:
// unknown), for callers that keep no fs.FileInfo.
func (e Entry) LocalDiffers(isDir bool, size int64, mtime time.Time, inode uint64) bool {
	if e.IsDir != isDir {
		return true
	}
	if e.IsDir {
		return false
	}
	if size != e.Local.Size || !mtime.Equal(e.Local.ModTime) {
		return true
	}
	return inode != 0 && e.Local.Inode != 0 && inode != e.Local.Inode
}

// Verified reports whether the file described by fi is the content Drive
// holds now, as verified when it was written: the local base has an md5
// equal to Drive's current md5 and fi still matches the local base in
// size, mtime and inode. A restarted mirror skips such files. Folders,
// and files Drive keeps no md5 for, are never Verified.
func (e Entry) Verified(fi fs.FileInfo) bool {
	return !e.IsDir && !fi.IsDir() && fi.Mode().IsRegular() &&
		e.MD5 != "" && e.Local.MD5 == e.MD5 && e.Local.Size == e.Size &&
		!e.LocalChanged(fi)
}

// ValidPath reports whether p can be an Entry's Path: "." for the mount
// root, otherwise a clean slash-separated relative path (fs.ValidPath)
// without NUL bytes.
func ValidPath(p string) bool { return fs.ValidPath(p) && !strings.Contains(p, "\x00") }

// isMD5 reports whether s is 32 lowercase hex digits.
func isMD5(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validate rejects an entry the store must not hold.
func (e Entry) validate() error {
	switch {
	case e.ID == "":
		return errors.New("empty ID")
	case !ValidPath(e.Path):
		return fmt.Errorf("path %q is not a clean slash-separated relative path", e.Path)
	case e.Size < 0 || e.Remote.Size < 0 || e.Local.Size < 0:
		return fmt.Errorf("negative size")
	case e.MD5 != "" && !isMD5(e.MD5),
		e.Remote.MD5 != "" && !isMD5(e.Remote.MD5),
		e.Local.MD5 != "" && !isMD5(e.Local.MD5):
		return fmt.Errorf("md5 is not 32 lowercase hex digits")
	}
	return nil
}

// record is Entry on disk: JSON with short names, zero fields left out.
// See doc.go for why JSON.
type record struct {
	ID       string    `json:"id"`
	Path     string    `json:"p"`
	ParentID string    `json:"pa,omitempty"`
	Name     string    `json:"n,omitempty"`
	IsDir    bool      `json:"d,omitempty"`
	MD5      string    `json:"m,omitempty"`
	Size     int64     `json:"s,omitempty"`
	ModTime  time.Time `json:"t,omitzero"`
	Version  int64     `json:"v,omitempty"`
	// Added later: optional, so entries written before them decode.
	MimeType   string      `json:"mt,omitempty"`
	TargetID   string      `json:"tg,omitempty"`
	TargetMime string      `json:"tm,omitempty"`
	Remote     remoteBaseR `json:"r,omitzero"`
	Local      localBaseR  `json:"l,omitzero"`
}

type remoteBaseR struct {
	MD5     string    `json:"m,omitempty"`
	Size    int64     `json:"s,omitempty"`
	ModTime time.Time `json:"t,omitzero"`
	Version int64     `json:"v,omitempty"`
}

type localBaseR struct {
	Size    int64     `json:"s,omitempty"`
	ModTime time.Time `json:"t,omitzero"`
	Inode   uint64    `json:"i,omitempty"`
	MD5     string    `json:"m,omitempty"`
}

func encodeEntry(e Entry) ([]byte, error) {
	return json.Marshal(record{
		ID: e.ID, Path: e.Path, ParentID: e.ParentID, Name: e.Name, IsDir: e.IsDir,
		MD5: e.MD5, Size: e.Size, ModTime: e.ModTime, Version: e.Version,
		MimeType: e.MimeType, TargetID: e.TargetID, TargetMime: e.TargetMime,
		Remote: remoteBaseR(e.Remote), Local: localBaseR(e.Local),
	})
}

// decodeEntry parses a stored entry and checks it is one Put could have
// written.
func decodeEntry(data []byte) (Entry, error) {
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return Entry{}, err
	}
	e := Entry{
		ID: r.ID, Path: r.Path, ParentID: r.ParentID, Name: r.Name, IsDir: r.IsDir,
		MD5: r.MD5, Size: r.Size, ModTime: r.ModTime, Version: r.Version,
		MimeType: r.MimeType, TargetID: r.TargetID, TargetMime: r.TargetMime,
		Remote: RemoteBase(r.Remote), Local: LocalBase(r.Local),
	}
	if err := e.validate(); err != nil {
		return Entry{}, err
	}
	return e, nil
}
