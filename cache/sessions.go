package cache

import (
	"encoding/json"
	"errors"
	"fmt"

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

// sessionKey checks key as drive.SessionStore defines keys.
func sessionKey(key string) ([]byte, error) {
	if err := drive.ValidSessionKey(key); err != nil {
		return nil, err
	}
	return []byte(key), nil
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
	if err := us.Validate(); err != nil {
		return drive.UploadSession{}, false, fmt.Errorf("cache: load upload session %s: %w", key, err)
	}
	return us, true, nil
}

// Save implements drive.SessionStore.
func (ss Sessions) Save(key string, us drive.UploadSession) error {
	k, err := sessionKey(key)
	if err == nil {
		err = us.Validate()
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
