package cache

import (
	"fmt"
	"io/fs"
)

// Verified reports whether the local file at path, described by fi (from
// os.Lstat of it), is still the content verified against Drive when it
// was written (see Entry.Verified): a restarted mirror need not download
// it again. A path the store does not know is not verified, and neither is
// a missing file (fi == nil).
func (s *Store) Verified(path string, fi fs.FileInfo) (bool, error) {
	if fi == nil {
		return false, nil
	}
	e, err := s.ByPath(path)
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cache: verify %q: %w", path, err)
	}
	return e.Verified(fi), nil
}

// LocalBaseOf is the LocalBase of a file just written or uploaded: fi is
// its stat afterwards and md5 the verified md5 of its content.
func LocalBaseOf(fi fs.FileInfo, md5 string) LocalBase {
	return LocalBase{Size: fi.Size(), ModTime: fi.ModTime(), Inode: Inode(fi), MD5: md5}
}
