package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/drivesync/drivesync/drive"
	bolt "go.etcd.io/bbolt"
)

// Sessions is a drive.SessionStore in the store's file: each Save is its
// own committed, fsynced transaction, so a session survives a crash the
// moment Save returns. Get it from Store.Sessions.
type Sessions struct{ s *Store }

var _ drive.SessionStore = Sessions{}

// Sessions returns the store's drive.SessionStore, for drive.Options.Sessions.
func (s *Store) Sessions() Sessions { return Sessions{s} }

// sessionKey checks key as drive.SessionStore defines keys: 1 to 128
// letters, digits, '-' and '_'.
func sessionKey(key string) ([]byte, error) {
	if key == "" || len(key) > 128 {
		return nil, fmt.Errorf("session key %q: want 1 to 128 characters", key)
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return nil, fmt.Errorf("session key %q: only letters, digits, '-' and '_' are allowed", key)
		}
	}
	return []byte(key), nil
}

// checkSession rejects a session no upload could have saved.
func checkSession(us drive.UploadSession) error {
	u, err := url.Parse(us.URI)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("session URI %q is not an http(s) URL", us.URI)
	case us.Size < 0 || us.Offset < 0 || us.Offset > us.Size:
		return fmt.Errorf("offset %d of size %d is out of range", us.Offset, us.Size)
	case us.HashOffset < 0 || us.HashOffset > us.Size:
		return fmt.Errorf("hash offset %d of size %d is out of range", us.HashOffset, us.Size)
	}
	return nil
}

// Load implements drive.SessionStore.
func (ss Sessions) Load(key string) (drive.UploadSession, bool, error) {
	k, err := sessionKey(key)
	if err != nil {
		return drive.UploadSession{}, false, fmt.Errorf("cache: load upload session: %w", err)
	}
	var raw []byte
	err = ss.s.db.View(func(tx *bolt.Tx) error {
		raw = append(raw, tx.Bucket(bucketSessions).Get(k)...)
		return nil
	})
	if err != nil || raw == nil {
		return drive.UploadSession{}, false, err
	}
	var us drive.UploadSession
	if err := json.Unmarshal(raw, &us); err != nil {
		return drive.UploadSession{}, false, fmt.Errorf("cache: load upload session %s: %w", key, err)
	}
	if err := checkSession(us); err != nil {
		return drive.UploadSession{}, false, fmt.Errorf("cache: load upload session %s: %w", key, err)
	}
	return us, true, nil
}

// Save implements drive.SessionStore.
func (ss Sessions) Save(key string, us drive.UploadSession) error {
	k, err := sessionKey(key)
	if err == nil {
		err = checkSession(us)
	}
	if err != nil {
		return fmt.Errorf("cache: save upload session: %w", err)
	}
	data, err := json.Marshal(us)
	if err != nil {
		return fmt.Errorf("cache: save upload session %s: %w", key, err)
	}
	err = ss.s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Put(k, data) })
	if err != nil {
		return fmt.Errorf("cache: save upload session %s: %w", key, err)
	}
	return nil
}

// Delete implements drive.SessionStore.
func (ss Sessions) Delete(key string) error {
	k, err := sessionKey(key)
	if err == nil {
		err = ss.s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketSessions).Delete(k) })
	}
	if err != nil {
		return fmt.Errorf("cache: delete upload session: %w", err)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
