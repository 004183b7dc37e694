package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Errors callers match with errors.Is.
var (
	// ErrLocked: another process (or another Open in this one) holds the store.
	ErrLocked = errors.New("store is in use by another drivesync")
	// ErrOtherRemote: the store belongs to another mount (remote root, drive or account).
	ErrOtherRemote = errors.New("store belongs to another mount")
	// ErrPathInUse: Put of an entry whose path another ID holds.
	ErrPathInUse = errors.New("path held by another entry")
	// ErrNotFound: no entry, pending upload or value under that key.
	ErrNotFound = errors.New("not found")
)

// schemaVersion is written at creation; a store from a newer drivesync is
// refused rather than misread.
const schemaVersion = 1

// Bucket names.
var (
	bucketMeta     = []byte("meta")     // identity, schema, page tokens
	bucketByID     = []byte("byID")     // Drive ID -> encoded Entry
	bucketByPath   = []byte("byPath")   // pathKey(Path) -> Drive ID
	bucketListing  = []byte("listing")  // pathKey(Path) -> listing record (listing.go)
	bucketPending  = []byte("pending")  // pathKey(local path) -> encoded Pending
	bucketSessions = []byte("sessions") // session key -> JSON drive.UploadSession
)

// Identity names the mount a store belongs to. A store remembers the
// identity it was first opened with and refuses any other.
type Identity struct {
	Account string `json:"account,omitempty"` // email of the Drive account
	DriveID string `json:"driveId,omitempty"` // shared drive ID; "" for My Drive
	RootID  string `json:"rootId"`            // Drive ID of the mirrored folder
}

// Options tune Open.
type Options struct {
	// Identity, if not zero, is the mount the caller means: Open records
	// it in a new store and returns ErrOtherRemote if the store already
	// holds a different one. A zero Identity opens any store unchecked.
	Identity Identity
	// LockTimeout is how long Open waits for another holder to let go
	// before failing with ErrLocked; 0 means 100ms.
	LockTimeout time.Duration
	// ReadOnly opens an existing store for reading only (a listing from
	// the saved state of a stopped mount): a shared lock, so readers do
	// not exclude each other (a writer still excludes them all), and no
	// write or fsync on open, where a read-write open commits a
	// transaction. Update and the write methods fail. A store without the
	// listing index (written by an older drivesync) is opened read-write
	// once to build it, then read-only.
	ReadOnly bool
}

// Store is the state of one mount in one bbolt file. Its methods are safe
// for concurrent use; each is one transaction, committed (and fsynced)
// before it returns. Use Update to make several changes atomically.
type Store struct {
	db      *bolt.DB
	path    string
	pidPath string
	id      Identity
	// readOnly: opened with Options.ReadOnly.
	readOnly bool
}

// Open opens (creating if needed) the store in the file path. Only one
// Store may have a file open at a time, across processes: a second Open
// fails with ErrLocked after opt.LockTimeout. Read-only Stores
// (opt.ReadOnly) may share a file with each other, not with a writer.
func Open(path string, opt Options) (*Store, error) {
	timeout := opt.LockTimeout
	if timeout <= 0 {
		timeout = 100 * time.Millisecond
	}
	pidPath := path + ".pid"
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: opt.ReadOnly})
	if errors.Is(err, bolt.ErrTimeout) {
		holder := "another process"
		if b, rerr := os.ReadFile(pidPath); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = "pid " + strconv.Itoa(pid)
			}
		}
		return nil, fmt.Errorf("cache: %s is held by %s: %w", path, holder, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, pidPath: pidPath}
	if opt.ReadOnly {
		return s.initReadOnly(opt)
	}
	if err := s.init(opt.Identity); err != nil {
		db.Close()
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	// Only a hint for the ErrLocked message of a later Open; the lock is bbolt's flock.
	_ = os.WriteFile(pidPath, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600)
	return s, nil
}

// init creates the buckets, checks the schema version and the identity.
// A store written before the listing index existed gets it built here, in
// the same transaction (additive, so no new schema version). A store that
// already has all of it is only read: an open commits (and fsyncs) nothing,
// so the store's Version stays what it was (listing snapshots rely on it).
func (s *Store) init(want Identity) error {
	ready := false
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketByID, bucketByPath, bucketListing, bucketPending, bucketSessions} {
			if tx.Bucket(name) == nil {
				return nil
			}
		}
		meta := tx.Bucket(bucketMeta)
		if string(meta.Get([]byte("schema"))) != strconv.Itoa(schemaVersion) {
			return nil // the Update below says what is wrong
		}
		var have Identity
		if raw := meta.Get([]byte("identity")); raw != nil && json.Unmarshal(raw, &have) != nil {
			return nil
		}
		if want != (Identity{}) && have != want {
			return nil
		}
		s.id, ready = have, true
		return nil
	})
	if err != nil || ready {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		buildListing := tx.Bucket(bucketListing) == nil
		for _, name := range [][]byte{bucketMeta, bucketByID, bucketByPath, bucketListing, bucketPending, bucketSessions} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get([]byte("schema")); {
		case v == nil:
			if err := meta.Put([]byte("schema"), []byte(strconv.Itoa(schemaVersion))); err != nil {
				return err
			}
		case string(v) != strconv.Itoa(schemaVersion):
			return fmt.Errorf("schema version %q, this drivesync reads %d", v, schemaVersion)
		}
		if buildListing {
			if err := rebuildListing(tx); err != nil {
				return err
			}
		}
		var have Identity
		if raw := meta.Get([]byte("identity")); raw != nil {
			if err := json.Unmarshal(raw, &have); err != nil {
				return fmt.Errorf("identity record: %w", err)
			}
		}
		switch {
		case want == (Identity{}):
			s.id = have
		case have == (Identity{}):
			raw, err := json.Marshal(want)
			if err != nil {
				return err
			}
			if err := meta.Put([]byte("identity"), raw); err != nil {
				return err
			}
			s.id = want
		case have != want:
			return fmt.Errorf("it mirrors root %s of drive %q for %q, not root %s of drive %q for %q: %w",
				have.RootID, have.DriveID, have.Account, want.RootID, want.DriveID, want.Account, ErrOtherRemote)
		default:
			s.id = have
		}
		return nil
	})
}

// initReadOnly checks a store opened read-only as init checks a new one,
// without writing: the buckets must exist, the schema must be known and
// the identity must match. Without the listing index it reopens the store
// read-write (init builds the index) and then read-only again.
func (s *Store) initReadOnly(opt Options) (*Store, error) {
	noListing := false
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketByID, bucketByPath, bucketPending, bucketSessions} {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("no %s bucket: not a drivesync store", name)
			}
		}
		noListing = tx.Bucket(bucketListing) == nil
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("schema")); string(v) != strconv.Itoa(schemaVersion) {
			return fmt.Errorf("schema version %q, this drivesync reads %d", v, schemaVersion)
		}
		var have Identity
		if raw := meta.Get([]byte("identity")); raw != nil {
			if err := json.Unmarshal(raw, &have); err != nil {
				return fmt.Errorf("identity record: %w", err)
			}
		}
		if opt.Identity != (Identity{}) && have != opt.Identity {
			return fmt.Errorf("it mirrors root %s of drive %q for %q, not root %s of drive %q for %q: %w",
				have.RootID, have.DriveID, have.Account, opt.Identity.RootID, opt.Identity.DriveID, opt.Identity.Account, ErrOtherRemote)
		}
		s.id = have
		return nil
	})
	if err != nil {
		s.db.Close()
		return nil, fmt.Errorf("cache: open %s: %w", s.path, err)
	}
	s.readOnly = true
	if !noListing {
		return s, nil
	}
	s.db.Close()
	rw := opt
	rw.ReadOnly = false
	w, err := Open(s.path, rw)
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return Open(s.path, opt)
}

// Close releases the file. The Store must not be used afterwards.
func (s *Store) Close() error {
	if !s.readOnly { // the pid file names the read-write holder
		os.Remove(s.pidPath)
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("cache: close %s: %w", s.path, err)
	}
	return nil
}

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// Identity is the mount the store belongs to (zero if never recorded).
func (s *Store) Identity() Identity { return s.id }

// Update runs fn in one read-write transaction: everything fn does is
// committed and fsynced together if it returns nil, and none of it if it
// returns an error (which Update returns). fn must not keep tx.
func (s *Store) Update(fn func(tx *Tx) error) error {
	return s.db.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// View runs fn in a read-only transaction: a consistent snapshot that
// concurrent Updates do not disturb.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// batch runs an idempotent fn in a read-write transaction shared with
// concurrent callers (bolt.DB.Batch), so that many goroutines each saving
// one entry share an fsync. fn may run more than once.
func (s *Store) batch(fn func(tx *Tx) error) error {
	return s.db.Batch(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx}) })
}

// Put stores e (see Tx.Put), committed before it returns. Concurrent Puts
// are committed together.
func (s *Store) Put(e Entry) error { return s.batch(func(tx *Tx) error { return tx.Put(e) }) }

// Delete forgets the entry of id (see Tx.Delete).
func (s *Store) Delete(id string) error { return s.batch(func(tx *Tx) error { return tx.Delete(id) }) }

// ByID returns the entry of a Drive ID, or ErrNotFound.
func (s *Store) ByID(id string) (e Entry, err error) {
	err = s.View(func(tx *Tx) error { e, err = tx.ByID(id); return err })
	return e, err
}

// ByPath returns the entry at a local path, or ErrNotFound.
func (s *Store) ByPath(path string) (e Entry, err error) {
	err = s.View(func(tx *Tx) error { e, err = tx.ByPath(path); return err })
	return e, err
}

// Walk calls fn for the entries at and below prefix in path order (see
// Tx.Walk), in one read transaction.
func (s *Store) Walk(prefix string, fn func(Entry) error) error {
	return s.View(func(tx *Tx) error { return tx.Walk(prefix, fn) })
}

// WalkPaths calls fn with the path and ID of the entries at and below
// prefix in path order, without decoding them (see Tx.WalkPaths).
func (s *Store) WalkPaths(prefix string, fn func(path, id string) error) error {
	return s.View(func(tx *Tx) error { return tx.WalkPaths(prefix, fn) })
}

// Len is the number of entries.
func (s *Store) Len() (n int, err error) {
	err = s.View(func(tx *Tx) error { n = tx.Len(); return nil })
	return n, err
}

// PageToken returns the saved changes page token of driveID ("" for My
// Drive), or "" if none is saved.
func (s *Store) PageToken(driveID string) (tok string, err error) {
	err = s.View(func(tx *Tx) error { tok = tx.PageToken(driveID); return nil })
	return tok, err
}

// SetPageToken saves the changes page token of driveID. Save it in the same
// Update as the entries the changes produced, so a crash loses both or
// neither.
func (s *Store) SetPageToken(driveID, token string) error {
	return s.Update(func(tx *Tx) error { return tx.SetPageToken(driveID, token) })
}
