package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
	"unsafe"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/glob"
)

// The listing snapshot (listing.snap beside state.db) is a flat copy of the
// store's listing index that a daemon writes when it stops, for `drivesync
// glob` without a daemon. Reading it is one sequential read through a small
// buffer, where walking bbolt's listing touches every one of its mapped
// pages (5,275 of 4 KiB for 100,000 entries), and on first touch a page
// costs more than decoding the entries on it: measured on the benchmark
// mirror, a walk over a fresh mapping took 17–25 ms, a second walk over the
// same mapping 6 ms.
//
// It is only a cache: it names the store version it copies (cache.Tx.Version),
// a daemon removes it when it opens the store, and a reader uses it only when
// the version it names is the one the store has, and its size is what its
// header says; otherwise glob walks the store.
//
// Layout: snapMagic, then uvarint version, entry count and size of the
// records in bytes, then per entry in byte-wise path order (so glob can
// hand out names as it reads them: glob.PathOrdered) a uvarint length and
// that many bytes: flags, uvarint size, [varint unix seconds, uvarint
// nanoseconds], uvarint path length, path, uvarint ID length, ID, MD5 (hex,
// the rest).

const snapMagic = "drivesync listing snapshot 2\n"

// Flags of a snapshot record.
const (
	snapDir = 1 << iota
	snapLocal
	snapTime
)

// listingSnapPath is the snapshot file of a mount.
func listingSnapPath(md mountDirs) string { return filepath.Join(md.State, "listing.snap") }

// writeListingSnap writes the snapshot of the store's listing as committed
// now to path (a temp file renamed into place). It holds the records in
// memory once (≈ 100 bytes an entry) to put them in path order.
func writeListingSnap(st *cache.Store, path string) error {
	type span struct{ start, end, pathStart, pathEnd int } // a record and its path, in recs
	var (
		recs    []byte
		spans   []span
		version int
	)
	err := st.View(func(tx *cache.Tx) error {
		version = tx.Version()
		var head []byte
		return tx.WalkListing("", func(l cache.Listing) error {
			if l.Path == "." || l.Path == "" {
				return nil
			}
			var flags byte
			if l.Dir {
				flags |= snapDir
			}
			if l.Local {
				flags |= snapLocal
			}
			if !l.ModTime.IsZero() {
				flags |= snapTime
			}
			head = append(head[:0], flags)
			head = binary.AppendUvarint(head, uint64(l.Size))
			if flags&snapTime != 0 {
				head = binary.AppendVarint(head, l.ModTime.Unix())
				head = binary.AppendUvarint(head, uint64(l.ModTime.Nanosecond()))
			}
			head = binary.AppendUvarint(head, uint64(len(l.Path)))
			n := len(head) + len(l.Path) + uvarintLen(uint64(len(l.ID))) + len(l.ID) + len(l.MD5)
			sp := span{start: len(recs)}
			recs = binary.AppendUvarint(recs, uint64(n))
			recs = append(recs, head...)
			sp.pathStart = len(recs)
			recs = append(recs, l.Path...)
			sp.pathEnd = len(recs)
			recs = binary.AppendUvarint(recs, uint64(len(l.ID)))
			recs = append(recs, l.ID...)
			recs = append(recs, l.MD5...)
			sp.end = len(recs)
			spans = append(spans, sp)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("listing snapshot: %w", err)
	}
	// The store's order is depth-first ("a/b" before "a.txt").
	slices.SortFunc(spans, func(a, b span) int {
		return bytes.Compare(recs[a.pathStart:a.pathEnd], recs[b.pathStart:b.pathEnd])
	})
	head := []byte(snapMagic)
	head = binary.AppendUvarint(head, uint64(version))
	head = binary.AppendUvarint(head, uint64(len(spans)))
	head = binary.AppendUvarint(head, uint64(len(recs)))
	err = writeAtomic(path, func(w *bufio.Writer) error {
		w.Write(head)
		for _, sp := range spans {
			w.Write(recs[sp.start:sp.end])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing snapshot: %w", err)
	}
	return nil
}

// uvarintLen is the length of x as a uvarint.
func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// writeAtomic writes a file through fill into a temp file beside path,
// syncs it and renames it into place, so a crash never leaves a half
// written file at path.
func writeAtomic(path string, fill func(w *bufio.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	w := bufio.NewWriterSize(f, 64<<10)
	err = fill(w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// snapIndex is a glob.Index over a listing snapshot file.
type snapIndex struct {
	path  string
	start int64 // offset of the first record
	size  int64 // bytes of records
}

// openListingSnap returns the snapshot at path if it copies the store at
// version and is whole; ok is false when there is none or it does not fit.
func openListingSnap(path string, version int) (x *snapIndex, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false
	}
	head := make([]byte, len(snapMagic)+3*binary.MaxVarintLen64)
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	if len(head) < len(snapMagic) || string(head[:len(snapMagic)]) != snapMagic {
		return nil, false
	}
	v := head[len(snapMagic):]
	var nums [3]uint64 // version, entries, bytes of records
	for i := range nums {
		k := 0
		if nums[i], k = binary.Uvarint(v); k <= 0 {
			return nil, false
		}
		v = v[k:]
	}
	start := int64(len(head) - len(v))
	if nums[0] != uint64(version) || nums[2] != uint64(fi.Size()-start) {
		return nil, false
	}
	return &snapIndex{path: path, start: start, size: int64(nums[2])}, true
}

var errBadSnap = errors.New("malformed listing snapshot")

// PathOrdered implements glob.PathOrdered: the records are in path order.
func (x *snapIndex) PathOrdered() bool { return true }

// Walk implements glob.Index in path order, reading the file from the start
// each time, up to the end of dir's subtree. The strings of e alias a buffer
// reused for the next entry.
func (x *snapIndex) Walk(dir string, fn func(e *glob.Entry) bool) error {
	f, err := os.Open(x.path)
	if err != nil {
		return fmt.Errorf("listing snapshot: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, x.start, x.size), 64<<10)
	var (
		rec []byte
		ge  glob.Entry
		end = dir + "0" // '0' follows '/': every path below dir sorts before it
	)
	for {
		n, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return nil
		}
		if err != nil || n > 1<<20 {
			return fmt.Errorf("listing snapshot %s: %w", x.path, errBadSnap)
		}
		if cap(rec) < int(n) {
			rec = make([]byte, n, max(int(n), 4096))
		}
		rec = rec[:n]
		if _, err := io.ReadFull(r, rec); err != nil {
			return fmt.Errorf("listing snapshot %s: %w", x.path, errBadSnap)
		}
		if err := decodeSnapRecord(rec, &ge); err != nil {
			return fmt.Errorf("listing snapshot %s: %w", x.path, err)
		}
		if dir != "" {
			if ge.Path >= end {
				return nil
			}
			if !within(ge.Path, dir) {
				continue
			}
		}
		if !fn(&ge) {
			return nil
		}
	}
}

// decodeSnapRecord reads one record into e, whose strings alias rec.
func decodeSnapRecord(rec []byte, e *glob.Entry) error {
	if len(rec) == 0 || rec[0]&^(snapDir|snapLocal|snapTime) != 0 {
		return errBadSnap
	}
	flags, v := rec[0], rec[1:]
	size, k := binary.Uvarint(v)
	if k <= 0 || size > 1<<63-1 {
		return errBadSnap
	}
	v = v[k:]
	*e = glob.Entry{Dir: flags&snapDir != 0, Size: int64(size), State: stateRemote}
	if e.Dir || flags&snapLocal != 0 {
		e.State = stateLocal
	}
	if flags&snapTime != 0 {
		sec, k := binary.Varint(v)
		if k <= 0 {
			return errBadSnap
		}
		v = v[k:]
		nsec, k := binary.Uvarint(v)
		if k <= 0 || nsec >= 1e9 {
			return errBadSnap
		}
		v = v[k:]
		e.ModTime = time.Unix(sec, int64(nsec)).UTC()
	}
	var ok bool
	if e.Path, v, ok = snapString(v); !ok || e.Path == "" {
		return errBadSnap
	}
	if e.ID, v, ok = snapString(v); !ok {
		return errBadSnap
	}
	if len(v) > 0 {
		e.MD5 = unsafe.String(&v[0], len(v))
	}
	return nil
}

// snapString reads a uvarint length and that many bytes, as a string
// aliasing v.
func snapString(v []byte) (s string, rest []byte, ok bool) {
	n, k := binary.Uvarint(v)
	if k <= 0 || n > uint64(len(v)-k) {
		return "", nil, false
	}
	v = v[k:]
	if n > 0 {
		s = unsafe.String(&v[0], int(n))
	}
	return s, v[n:], true
}

// offlineIndex is the index an offline glob reads: the listing snapshot if
// it copies the store as it is, else the store itself.
func offlineIndex(st *cache.Store, md mountDirs) (glob.Index, error) {
	var version int
	if err := st.View(func(tx *cache.Tx) error { version = tx.Version(); return nil }); err != nil {
		return nil, fmt.Errorf("glob: state of %s: %w", md.Root, err)
	}
	if x, ok := openListingSnap(listingSnapPath(md), version); ok {
		return x, nil
	}
	return storeIndex{st}, nil
}
