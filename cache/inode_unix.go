//go:build unix

package cache

import (
	"io/fs"
	"syscall"
)

// Inode returns the inode number of the file fi describes, or 0 if fi
// does not come from os.Stat/Lstat.
func Inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
