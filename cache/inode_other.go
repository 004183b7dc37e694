//go:build !unix

package cache

import "io/fs"

// Inode returns 0: this platform's FileInfo carries no inode number.
func Inode(fs.FileInfo) uint64 { return 0 }
