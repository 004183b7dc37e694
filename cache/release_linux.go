//go:build linux

package cache

import (
	"fmt"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMemory drops the store file's pages from this process's
// resident memory: bbolt reads the file through a shared read-only
// mapping, so a walk of every entry (loading a mount's state) leaves the
// whole file resident, ~1 KB an entry, counted in the process's RSS
// though it is the kernel's page cache. The pages stay cached and come
// back on the next read. Linux only (MADV_DONTNEED); elsewhere it does
// nothing.
func (s *Store) ReleaseMemory() error {
	// In a read transaction bbolt cannot remap the file, so the mapping
	// stays where Info says for the length of the call.
	err := s.db.View(func(tx *bolt.Tx) error {
		info := s.db.Info()
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, info.Data, uintptr(tx.Size()), syscall.MADV_DONTNEED); errno != 0 {
			return errno
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cache: release %s: %w", s.path, err)
	}
	return nil
}
