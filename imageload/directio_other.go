//go:build !linux

package imageload

import (
	"errors"
	"os"
)

// setDirectIO: direct I/O is only used on Linux.
func setDirectIO(f *os.File, on bool) error {
	if !on {
		return nil
	}
	return errors.ErrUnsupported
}

// preallocate: only used on Linux.
func preallocate(f *os.File, size int64) error { return errors.ErrUnsupported }
