//go:build linux

package mount

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// walkTree calls add for every regular file and folder below the folder
// rel of root (not rel itself), skipping drivesync's own names (and
// removing stale download temp files). It reads directories with
// getdents and stats with fstatat relative to an open directory, so a
// scan of a million files makes almost no garbage: filepath.WalkDir
// would allocate a DirEntry, a path and a FileInfo for each, about 300
// bytes, which at that scale doubles the heap before the collector runs
// (issue 8). At most one descriptor per level of the tree is open.
func walkTree(root, rel string, add func(rel string, isDir bool, size int64, mtime time.Time, inode uint64)) error {
	top := filepath.Join(root, filepath.FromSlash(rel))
	fd, err := unix.Open(top, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
		return nil // gone, or replaced by a file or a link since the caller looked
	}
	if err != nil {
		return fmt.Errorf("mount: scan %s: %w", top, err)
	}
	w := &treeWalker{root: root, add: add}
	if rel != "." {
		w.rel = append(w.rel, rel...)
	}
	return w.dir(fd, 0)
}

type treeWalker struct {
	root string
	add  func(rel string, isDir bool, size int64, mtime time.Time, inode uint64)
	rel  []byte   // the current path, relative to root ("" for root itself)
	bufs [][]byte // a getdents buffer per level
}

func (w *treeWalker) fail(err error) error {
	return fmt.Errorf("mount: scan %s: %w", filepath.Join(w.root, filepath.FromSlash(string(w.rel))), err)
}

// dir reads the open folder fd (closing it) at w.rel, depth levels down.
func (w *treeWalker) dir(fd, depth int) error {
	defer unix.Close(fd)
	if depth == len(w.bufs) {
		w.bufs = append(w.bufs, make([]byte, 32<<10))
	}
	buf := w.bufs[depth]
	base := len(w.rel)
	defer func() { w.rel = w.rel[:base] }()
	for {
		n, err := unix.Getdents(fd, buf)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.ENOENT) {
			return nil // removed while read
		}
		if err != nil {
			w.rel = w.rel[:base]
			return w.fail(err)
		}
		if n <= 0 {
			return nil
		}
		// linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
		for off := 0; off < n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			name := buf[off+19 : off+reclen]
			off += reclen
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if len(name) == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			if err := w.entry(fd, depth, base, name); err != nil {
				return err
			}
		}
	}
}

// entry handles the name in the open folder fd.
func (w *treeWalker) entry(fd, depth, base int, name []byte) error {
	w.rel = w.rel[:base]
	if base > 0 {
		w.rel = append(w.rel, '/')
	}
	w.rel = append(w.rel, name...)
	rel := unsafe.String(&w.rel[0], len(w.rel)) // valid until w.rel changes
	nm := unsafe.String(&name[0], len(name))
	var st unix.Stat_t
	if err := unix.Fstatat(fd, nm, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return w.fail(err)
	}
	kind := st.Mode & unix.S_IFMT
	if ignored(rel) {
		if kind == unix.S_IFREG && stale(rel, nm) {
			unix.Unlinkat(fd, nm, 0) // an interrupted download; Download starts over
		}
		return nil
	}
	mtime := time.Unix(int64(st.Mtim.Sec), int64(st.Mtim.Nsec))
	switch kind {
	case unix.S_IFREG:
		w.add(rel, false, st.Size, mtime, st.Ino)
	case unix.S_IFDIR:
		w.add(rel, true, st.Size, mtime, st.Ino)
		sub, err := unix.Openat(fd, nm, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
		if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) || errors.Is(err, unix.ELOOP) {
			return nil
		}
		if err != nil {
			return w.fail(err)
		}
		return w.dir(sub, depth+1)
	}
	return nil
}
