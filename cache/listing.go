package cache

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unsafe"

	bolt "go.etcd.io/bbolt"
)

// Listing is what a listing needs of an entry (`drivesync glob`, status):
// read from the listing index, a third bucket keyed like the path index
// (so in the same depth-first order), without the by-ID lookup and JSON
// decoding of Walk. Path, MD5 and ID may alias bbolt's memory or a buffer
// reused for the next entry: they are valid only during the call of fn
// that got them; copy (strings.Clone) what you keep.
type Listing struct {
	Path    string // as Entry.Path
	Dir     bool   // Entry.IsDir
	Local   bool   // the entry has a local base (Entry.Local is not zero)
	Size    int64
	ModTime time.Time // UTC; zero if the entry has none
	MD5, ID string    // as in Entry
}

// Flags of a listing record.
const (
	listDir   = 1 << iota // IsDir
	listLocal             // Local != LocalBase{}
	listMD5               // 16 raw md5 bytes follow the mtime
	listMTime             // an mtime is recorded
	listKnown = listDir | listLocal | listMD5 | listMTime
)

// encodeListing is the listing record of a valid entry: flags byte,
// size (uvarint), mtime if set (unix seconds as varint, then nanoseconds
// as uvarint: any time.Time instant fits, unlike unix nanos), md5 (16 raw
// bytes) if set, then the ID (the rest).
func encodeListing(e Entry) []byte {
	var flags byte
	if e.IsDir {
		flags |= listDir
	}
	if e.Local != (LocalBase{}) {
		flags |= listLocal
	}
	if e.MD5 != "" {
		flags |= listMD5
	}
	if !e.ModTime.IsZero() {
		flags |= listMTime
	}
	b := make([]byte, 0, 1+binary.MaxVarintLen64*2+binary.MaxVarintLen32+16+len(e.ID))
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(e.Size))
	if flags&listMTime != 0 {
		b = binary.AppendVarint(b, e.ModTime.Unix())
		b = binary.AppendUvarint(b, uint64(e.ModTime.Nanosecond()))
	}
	if flags&listMD5 != 0 {
		b, _ = hex.AppendDecode(b, []byte(e.MD5)) // validate checked it is 32 hex digits
	}
	return append(b, e.ID...)
}

var errBadListing = errors.New("malformed listing record")

// listingDecoder decodes records into a Listing whose MD5 is hex in md5
// (reused for each record) and whose ID aliases the record.
type listingDecoder struct{ md5 [32]byte }

func (d *listingDecoder) decode(v []byte, l *Listing) error {
	if len(v) == 0 || v[0]&^listKnown != 0 {
		return errBadListing
	}
	flags := v[0]
	v = v[1:]
	size, n := binary.Uvarint(v)
	if n <= 0 || size > 1<<63-1 {
		return errBadListing
	}
	v = v[n:]
	l.Dir, l.Local, l.Size = flags&listDir != 0, flags&listLocal != 0, int64(size)
	l.ModTime = time.Time{}
	if flags&listMTime != 0 {
		sec, n := binary.Varint(v)
		if n <= 0 {
			return errBadListing
		}
		v = v[n:]
		nsec, n := binary.Uvarint(v)
		if n <= 0 || nsec >= 1e9 {
			return errBadListing
		}
		v = v[n:]
		l.ModTime = time.Unix(sec, int64(nsec)).UTC()
	}
	l.MD5 = ""
	if flags&listMD5 != 0 {
		if len(v) < 16 {
			return errBadListing
		}
		hex.Encode(d.md5[:], v[:16])
		l.MD5 = unsafe.String(&d.md5[0], len(d.md5))
		v = v[16:]
	}
	if len(v) == 0 {
		return errBadListing
	}
	l.ID = unsafe.String(&v[0], len(v))
	return nil
}

// index records e under the key pk (pathKey(e.Path)) in the path index
// and the listing index; every write of the path index goes through it
// or unindex, so the two never differ.
func (t *Tx) index(pk []byte, e Entry) error {
	if err := t.tx.Bucket(bucketByPath).Put(pk, []byte(e.ID)); err != nil {
		return err
	}
	return t.tx.Bucket(bucketListing).Put(pk, encodeListing(e))
}

// unindex removes the key pk from the path index and the listing index.
func (t *Tx) unindex(pk []byte) error {
	if err := t.tx.Bucket(bucketByPath).Delete(pk); err != nil {
		return err
	}
	return t.tx.Bucket(bucketListing).Delete(pk)
}

// rebuildListing fills the (empty) listing index from the path index and the
// entries, for a store written before the listing index existed.
func rebuildListing(tx *bolt.Tx) error {
	list := tx.Bucket(bucketListing)
	byID := tx.Bucket(bucketByID)
	return tx.Bucket(bucketByPath).ForEach(func(k, id []byte) error {
		raw := byID.Get(id)
		if raw == nil {
			return fmt.Errorf("build listing index: path %q names missing entry %s", keyPath(k), id)
		}
		e, err := decodeEntry(raw)
		if err != nil {
			return fmt.Errorf("build listing index: entry %s: %w", id, err)
		}
		return list.Put(k, encodeListing(e))
	})
}

// WalkListing calls fn with the Listing of the entry at prefix (if any)
// and of every entry below it, in Walk's order. Prefix "" or "." walks
// everything. The strings of l are valid only during the call (see
// Listing). An error from fn stops the walk and is returned.
func (t *Tx) WalkListing(prefix string, fn func(l Listing) error) error {
	if prefix != "" && prefix != "." && !ValidPath(prefix) {
		return fmt.Errorf("cache: walk %q: not a clean slash-separated relative path", prefix)
	}
	var start, sub []byte
	if prefix != "" && prefix != "." {
		start = pathKey(prefix)
		sub = append(pathKey(prefix), 0)
	}
	var (
		d    listingDecoder
		l    Listing
		path []byte
	)
	c := t.tx.Bucket(bucketListing).Cursor()
	for k, v := c.Seek(start); k != nil; k, v = c.Next() {
		if start != nil && !bytes.Equal(k, start) && !bytes.HasPrefix(k, sub) {
			break
		}
		if err := d.decode(v, &l); err != nil {
			return fmt.Errorf("cache: walk: listing of %q: %w", keyPath(k), err)
		}
		if len(k) == 1 && k[0] == 0 {
			l.Path = "."
		} else {
			path = append(path[:0], k...)
			for i, c := range path {
				if c == 0 {
					path[i] = '/'
				}
			}
			l.Path = unsafe.String(&path[0], len(path))
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// WalkListing calls fn with the Listing of the entries at and below
// prefix in path order (see Tx.WalkListing), in one read transaction.
func (s *Store) WalkListing(prefix string, fn func(l Listing) error) error {
	return s.View(func(tx *Tx) error { return tx.WalkListing(prefix, fn) })
}
