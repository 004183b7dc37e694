package cache

import (
	"encoding/json"
	"fmt"
	"time"
)

// Pending is a local file waiting to be uploaded: new, or changed since
// the last sync. The queue survives restarts; the upload's resumable
// session, if one was opened, is in Sessions.
type Pending struct {
	Path      string    `json:"path"`                // local path, as Entry.Path
	Reason    string    `json:"reason"`              // why it is queued ("new", "modified", ...), for people
	FirstSeen time.Time `json:"firstSeen"`           // when it was first queued
	Attempts  int       `json:"attempts"`            // uploads tried and failed so far
	LastError string    `json:"lastError,omitempty"` // the last failure, for people
}

func decodePending(data []byte) (Pending, error) {
	var p Pending
	if err := json.Unmarshal(data, &p); err != nil {
		return Pending{}, err
	}
	if !ValidPath(p.Path) || p.Attempts < 0 {
		return Pending{}, fmt.Errorf("path %q, %d attempts: not a queued upload", p.Path, p.Attempts)
	}
	return p, nil
}

// Enqueue queues path for upload for reason, at time now. A path already
// queued keeps its FirstSeen and Attempts and takes the new reason.
func (t *Tx) Enqueue(path, reason string, now time.Time) error {
	p, err := t.PendingAt(path)
	switch {
	case err == nil:
		p.Reason = reason
	case isNotFound(err):
		p = Pending{Path: path, Reason: reason, FirstSeen: now}
	default:
		return err
	}
	return t.PutPending(p)
}

// PutPending stores p, replacing what was queued under p.Path.
func (t *Tx) PutPending(p Pending) error {
	if !ValidPath(p.Path) || p.Path == "." {
		return fmt.Errorf("cache: queue upload of %q: not a clean slash-separated relative path", p.Path)
	}
	if p.Attempts < 0 {
		return fmt.Errorf("cache: queue upload of %q: %d attempts", p.Path, p.Attempts)
	}
	data, err := json.Marshal(p)
	if err == nil {
		err = t.tx.Bucket(bucketPending).Put(pathKey(p.Path), data)
	}
	if err != nil {
		return fmt.Errorf("cache: queue upload of %q: %w", p.Path, err)
	}
	return nil
}

// PendingAt returns the queued upload of path, or ErrNotFound.
func (t *Tx) PendingAt(path string) (Pending, error) {
	raw := t.tx.Bucket(bucketPending).Get(pathKey(path))
	if raw == nil {
		return Pending{}, fmt.Errorf("cache: queued upload of %q: %w", path, ErrNotFound)
	}
	p, err := decodePending(raw)
	if err != nil {
		return Pending{}, fmt.Errorf("cache: queued upload of %q: %w", path, err)
	}
	return p, nil
}

// Dequeue removes path from the queue; a path not queued is not an error.
func (t *Tx) Dequeue(path string) error {
	if err := t.tx.Bucket(bucketPending).Delete(pathKey(path)); err != nil {
		return fmt.Errorf("cache: dequeue upload of %q: %w", path, err)
	}
	return nil
}

// WalkPending calls fn for every queued upload in path order (as Walk).
// An error from fn stops the walk and is returned.
func (t *Tx) WalkPending(fn func(Pending) error) error {
	c := t.tx.Bucket(bucketPending).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		p, err := decodePending(v)
		if err != nil {
			return fmt.Errorf("cache: queued upload of %q: %w", keyPath(k), err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

// Enqueue queues path for upload (see Tx.Enqueue).
func (s *Store) Enqueue(path, reason string, now time.Time) error {
	return s.Update(func(tx *Tx) error { return tx.Enqueue(path, reason, now) })
}

// Dequeue removes path from the upload queue.
func (s *Store) Dequeue(path string) error {
	return s.Update(func(tx *Tx) error { return tx.Dequeue(path) })
}

// Pending returns every queued upload in path order.
func (s *Store) Pending() (ps []Pending, err error) {
	err = s.View(func(tx *Tx) error {
		return tx.WalkPending(func(p Pending) error { ps = append(ps, p); return nil })
	})
	return ps, err
}
