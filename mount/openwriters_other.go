//go:build !linux

package mount

import (
	"errors"
	"io/fs"
)

// writersOn: which files other processes have open is only read on Linux
// (/proc); elsewhere every file counts as closed.
func writersOn(dev uint64, self int) (map[uint64]bool, error) {
	return nil, errors.ErrUnsupported
}

// devIno: not needed where writersOn reads nothing.
func devIno(fi fs.FileInfo) (dev, ino uint64, ok bool) { return 0, 0, false }
