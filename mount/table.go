package mount

import (
	"encoding/binary"
	"iter"
	"path"
	"strings"
	"time"
	"unsafe"

	"github.com/drivesync/drivesync/cache"
)

// table is the engine's in-memory copy of the store's entries, kept
// compact because a mount may hold millions of them (issue 8: at most 300
// bytes resident per file; a map of *cache.Entry took ~900).
//
// Each entry is one variable-length binary record in an arena of 1 MiB
// chunks (no pointers, so the garbage collector never scans them), and
// has a slot number that stays the same while it lives. Two hash indexes
// (index.go) find a slot by Drive ID and by local path. Fields that
// usually repeat another (the bases' md5, size and time, the Drive name
// equal to the path's last element) are flags, and parent IDs and MIME
// types are interned.
//
// Strings of a decoded Entry point into the arena (no copy): records are
// never changed in place, and a chunk is freed only once nothing refers
// to it, so they stay valid. Whatever is kept past a pass should be
// cloned all the same, or it keeps a whole chunk alive.
//
// Times are decoded in UTC: the engine compares them with Equal, or as
// part of whole entries that were all decoded here.
type table struct {
	chunks [][]byte
	offs   []uint64 // slot -> record: chunk<<32 | offset; freeSlot if free
	free   []uint32 // free slots
	ids    index    // Drive ID -> slot
	paths  index    // path -> the slot that last claimed it
	strs   interner // parent IDs and MIME types
	live   int      // bytes of live records
	dead   int      // bytes of replaced records not reclaimed yet
	n      int
}

const (
	chunkSize = 1 << 20
	freeSlot  = ^uint64(0)
)

func newTable() *table {
	t := &table{strs: newInterner()}
	t.ids = newIndex(t.idOf)
	t.paths = newIndex(t.pathOf)
	return t
}

// Record flags.
const (
	fDir        = 1 << iota
	fNameIsBase // Name == path.Base(Path): not stored
	fRMD5Same   // Remote.MD5 == MD5
	fLMD5Same   // Local.MD5 == MD5
	fRSizeSame  // Remote.Size == Size
	fLSizeSame  // Local.Size == Size
	fRTimeSame  // Remote.ModTime equals ModTime
	fLTimeSame  // Local.ModTime equals ModTime
	fRVerSame   // Remote.Version == Version
	fTarget     // TargetID and TargetMime follow
)

// encode appends e's record to b: ID and Path first (read without
// decoding the rest), then flags, interned parent and MIME type, and the
// fields the flags do not make redundant.
func (t *table) encode(b []byte, e *cache.Entry) []byte {
	var fl uint64
	if e.IsDir {
		fl |= fDir
	}
	if e.Name == path.Base(e.Path) {
		fl |= fNameIsBase
	}
	if e.Remote.MD5 == e.MD5 {
		fl |= fRMD5Same
	}
	if e.Local.MD5 == e.MD5 {
		fl |= fLMD5Same
	}
	if e.Remote.Size == e.Size {
		fl |= fRSizeSame
	}
	if e.Local.Size == e.Size {
		fl |= fLSizeSame
	}
	if sameTime(e.Remote.ModTime, e.ModTime) {
		fl |= fRTimeSame
	}
	if sameTime(e.Local.ModTime, e.ModTime) {
		fl |= fLTimeSame
	}
	if e.Remote.Version == e.Version {
		fl |= fRVerSame
	}
	if e.TargetID != "" || e.TargetMime != "" {
		fl |= fTarget
	}
	b = appendStr(b, e.ID)
	b = appendStr(b, e.Path)
	b = binary.AppendUvarint(b, fl)
	b = binary.AppendUvarint(b, uint64(t.strs.intern(e.ParentID)))
	b = binary.AppendUvarint(b, uint64(t.strs.intern(e.MimeType)))
	if fl&fNameIsBase == 0 {
		b = appendStr(b, e.Name)
	}
	b = appendStr(b, e.MD5)
	if fl&fTarget != 0 {
		b = appendStr(b, e.TargetID)
		b = binary.AppendUvarint(b, uint64(t.strs.intern(e.TargetMime)))
	}
	b = binary.AppendVarint(b, e.Size)
	b = binary.AppendVarint(b, e.Version)
	b = appendTime(b, e.ModTime)
	if fl&fRMD5Same == 0 {
		b = appendStr(b, e.Remote.MD5)
	}
	if fl&fRSizeSame == 0 {
		b = binary.AppendVarint(b, e.Remote.Size)
	}
	if fl&fRTimeSame == 0 {
		b = appendTime(b, e.Remote.ModTime)
	}
	if fl&fRVerSame == 0 {
		b = binary.AppendVarint(b, e.Remote.Version)
	}
	if fl&fLMD5Same == 0 {
		b = appendStr(b, e.Local.MD5)
	}
	if fl&fLSizeSame == 0 {
		b = binary.AppendVarint(b, e.Local.Size)
	}
	if fl&fLTimeSame == 0 {
		b = appendTime(b, e.Local.ModTime)
	}
	return binary.AppendUvarint(b, e.Local.Inode)
}

// sameTime: both zero, or the same instant (the zero time is not an
// instant the engine stores otherwise).
func sameTime(a, b time.Time) bool { return a.IsZero() == b.IsZero() && a.Equal(b) }

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendTime: 0 for the zero time, else nanoseconds+1 then seconds.
func appendTime(b []byte, at time.Time) []byte {
	if at.IsZero() {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(at.Nanosecond())+1)
	return binary.AppendVarint(b, at.Unix())
}

// reader decodes a record the table wrote; records are trusted (they
// come from encode), so a short read is a bug, not input to report.
type reader struct{ b []byte }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	r.b = r.b[n:]
	return v
}

// str returns the next string, pointing into the record.
func (r *reader) str() string {
	n := r.uvarint()
	if n == 0 {
		return ""
	}
	s := unsafe.String(&r.b[0], int(n))
	r.b = r.b[n:]
	return s
}

func (r *reader) time() time.Time {
	ns := r.uvarint()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(r.varint(), int64(ns-1)).UTC()
}

// record is the bytes of a slot's record, from its ID on.
func (t *table) record(slot uint32) []byte {
	o := t.offs[slot]
	return t.chunks[o>>32][uint32(o):]
}

// idOf and pathOf read a slot's ID and Path without decoding the rest.
func (t *table) idOf(slot uint32) string {
	r := reader{t.record(slot)}
	return r.str()
}

func (t *table) pathOf(slot uint32) string {
	r := reader{t.record(slot)}
	r.str()
	return r.str()
}

// parentIndex is the interned ParentID of a slot, for grouping siblings.
func (t *table) parentIndex(slot uint32) uint32 {
	r := reader{t.record(slot)}
	r.str()
	r.str()
	r.uvarint()
	return uint32(r.uvarint())
}

// at decodes the entry of a live slot.
func (t *table) at(slot uint32) cache.Entry {
	e, _ := decodeRecord(t.record(slot), t.strs.strs)
	return e
}

// decodeRecord decodes the record at the start of b, whose interned
// strings are strs, and returns its length.
func decodeRecord(b []byte, strs []string) (e cache.Entry, n int) {
	r := reader{b}
	e.ID = r.str()
	e.Path = r.str()
	fl := r.uvarint()
	e.IsDir = fl&fDir != 0
	e.ParentID = strs[r.uvarint()]
	e.MimeType = strs[r.uvarint()]
	if fl&fNameIsBase != 0 {
		e.Name = path.Base(e.Path)
	} else {
		e.Name = r.str()
	}
	e.MD5 = r.str()
	if fl&fTarget != 0 {
		e.TargetID = r.str()
		e.TargetMime = strs[r.uvarint()]
	}
	e.Size = r.varint()
	e.Version = r.varint()
	e.ModTime = r.time()
	e.Remote = cache.RemoteBase{MD5: e.MD5, Size: e.Size, ModTime: e.ModTime, Version: e.Version}
	if fl&fRMD5Same == 0 {
		e.Remote.MD5 = r.str()
	}
	if fl&fRSizeSame == 0 {
		e.Remote.Size = r.varint()
	}
	if fl&fRTimeSame == 0 {
		e.Remote.ModTime = r.time()
	}
	if fl&fRVerSame == 0 {
		e.Remote.Version = r.varint()
	}
	e.Local = cache.LocalBase{MD5: e.MD5, Size: e.Size, ModTime: e.ModTime}
	if fl&fLMD5Same == 0 {
		e.Local.MD5 = r.str()
	}
	if fl&fLSizeSame == 0 {
		e.Local.Size = r.varint()
	}
	if fl&fLTimeSame == 0 {
		e.Local.ModTime = r.time()
	}
	e.Local.Inode = r.uvarint()
	return e, len(b) - len(r.b)
}

// write appends a record for e to the arena and returns where it is and
// its length.
func (t *table) write(e *cache.Entry) (uint64, int) {
	if last := len(t.chunks) - 1; last >= 0 {
		c := t.chunks[last]
		if grown := t.encode(c, e); cap(grown) == cap(c) {
			t.chunks[last] = grown
			return uint64(last)<<32 | uint64(len(c)), len(grown) - len(c)
		}
		// It did not fit (append copied it elsewhere): a new chunk.
	}
	rec := t.encode(nil, e)
	c := append(make([]byte, 0, max(chunkSize, len(rec))), rec...) // a very long name gets a chunk of its own
	t.chunks = append(t.chunks, c)
	return uint64(len(t.chunks)-1) << 32, len(rec)
}

// size is the length of a slot's record.
func (t *table) size(slot uint32) int {
	_, n := decodeRecord(t.record(slot), t.strs.strs)
	return n
}

// get returns the entry of a Drive ID.
func (t *table) get(id string) (cache.Entry, bool) {
	s, ok := t.ids.get(id)
	if !ok {
		return cache.Entry{}, false
	}
	return t.at(s), true
}

// slotAt is the slot of the entry that holds the local path p.
func (t *table) slotAt(p string) (uint32, bool) { return t.paths.get(p) }

func (t *table) len() int { return t.n }

// slots iterates over the live slots, in no particular order. The table
// must not change meanwhile.
func (t *table) slots() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		for s, o := range t.offs {
			if o != freeSlot && !yield(uint32(s)) {
				return
			}
		}
	}
}

// set records e, replacing the entry of its ID; e claims its path.
func (t *table) set(e cache.Entry) {
	slot, known := t.ids.get(e.ID)
	if known {
		old := t.pathOf(slot)
		if old != e.Path {
			t.paths.remove(old, slot)
		}
		n := t.size(slot)
		t.live -= n
		t.dead += n
	} else {
		if k := len(t.free); k > 0 {
			slot = t.free[k-1]
			t.free = t.free[:k-1]
		} else {
			slot = uint32(len(t.offs))
			t.offs = append(t.offs, freeSlot)
		}
		t.n++
	}
	o, n := t.write(&e)
	t.offs[slot] = o
	t.live += n
	if !known {
		t.ids.put(e.ID, slot)
	}
	t.paths.put(e.Path, slot)
	t.maybeCompact()
}

// del forgets the entry of id.
func (t *table) del(id string) {
	slot, ok := t.ids.get(id)
	if !ok {
		return
	}
	t.paths.remove(t.pathOf(slot), slot)
	t.ids.remove(id, slot)
	n := t.size(slot)
	t.live -= n
	t.dead += n
	t.offs[slot] = freeSlot
	t.free = append(t.free, slot)
	t.n--
	t.maybeCompact()
}

// maybeCompact writes the live records into new chunks once replaced
// ones take a third of the arena, interning their strings afresh (parent
// IDs of folders gone are dropped). The old chunks are freed once no
// decoded string points into them.
func (t *table) maybeCompact() {
	if t.dead < chunkSize || t.dead*2 < t.live {
		return
	}
	chunks, strs := t.chunks, t.strs.strs
	t.chunks, t.strs = nil, newInterner()
	t.live, t.dead = 0, 0
	for s, o := range t.offs {
		if o == freeSlot {
			continue
		}
		e, _ := decodeRecord(chunks[o>>32][uint32(o):], strs)
		var n int
		t.offs[s], n = t.write(&e)
		t.live += n
	}
}

// interner gives small numbers to strings that repeat across entries
// (parent IDs, MIME types). Its strings are copies, never aliases.
type interner struct {
	idx  map[string]uint32
	strs []string
}

func newInterner() interner {
	return interner{idx: map[string]uint32{"": 0}, strs: []string{""}}
}

func (in *interner) intern(s string) uint32 {
	if i, ok := in.idx[s]; ok {
		return i
	}
	s = strings.Clone(s)
	i := uint32(len(in.strs))
	in.strs = append(in.strs, s)
	in.idx[s] = i
	return i
}
func (t *table) slotCount() int { return len(t.offs) }
