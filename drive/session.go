package drive

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// UploadSession is the state of one resumable upload: enough for another
// process to ask Drive what it has and send the rest.
type UploadSession struct {
	URI     string    `json:"uri"`     // the session URI Drive issued
	FileID  string    `json:"fileId"`  // the file updated, or the ID chosen for a new one
	Size    int64     `json:"size"`    // bytes in all
	Offset  int64     `json:"offset"`  // bytes Drive had committed when last heard from
	ModTime time.Time `json:"modTime"` // the source's mtime when the upload began
	Started time.Time `json:"started"` // Drive forgets a session after a week

	// HashState is the md5 of the source's bytes [0, HashOffset), as
	// md5's MarshalBinary wrote it, so a resumed upload need not read the
	// committed part again to check the final md5.
	HashOffset int64  `json:"hashOffset"`
	HashState  []byte `json:"hashState,omitempty"`
}

// Validate rejects a session no upload could have written. SessionStore
// implementations call it before saving and after loading.
func (s UploadSession) Validate() error {
	u, err := url.Parse(s.URI)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("session URI %q is not an http(s) URL", s.URI)
	case s.Size < 0 || s.Offset < 0 || s.Offset > s.Size:
		return fmt.Errorf("offset %d of size %d is out of range", s.Offset, s.Size)
	case s.HashOffset < 0 || s.HashOffset > s.Size:
		return fmt.Errorf("hash offset %d of size %d is out of range", s.HashOffset, s.Size)
	}
	return nil
}

// SessionStore keeps resumable upload sessions across restarts. The
// client saves a session when Drive opens it and after every chunk, and
// deletes it when the upload ends. Keys are short strings of letters,
// digits, '-' and '_'. Implementations must be safe for concurrent use.
type SessionStore interface {
	// Load returns the session saved under key; ok is false if none is.
	Load(key string) (s UploadSession, ok bool, err error)
	// Save stores s under key, replacing what was there, durably before it
	// returns.
	Save(key string, s UploadSession) error
	// Delete forgets key. Deleting a missing key is not an error.
	Delete(key string) error
}

// FileSessionStore keeps each session as a JSON file in a directory,
// written to a temp file, synced and renamed, so a crash leaves either
// the old or the new state.
type FileSessionStore struct{ dir string }

// NewFileSessionStore returns a store in dir, creating it if needed.
func NewFileSessionStore(dir string) (*FileSessionStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("drive: upload sessions in %s: %w", dir, err)
	}
	return &FileSessionStore{dir: dir}, nil
}

// ValidSessionKey checks a SessionStore key: 1 to 128 letters, digits,
// '-' and '_'. SessionStore implementations call it on every key.
func ValidSessionKey(key string) error {
	if key == "" || len(key) > 128 {
		return fmt.Errorf("session key %q: want 1 to 128 characters", key)
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("session key %q: only letters, digits, '-' and '_' are allowed", key)
		}
	}
	return nil
}

func (s *FileSessionStore) path(key string) string { return filepath.Join(s.dir, key+".json") }

// Load implements SessionStore.
func (s *FileSessionStore) Load(key string) (UploadSession, bool, error) {
	if err := ValidSessionKey(key); err != nil {
		return UploadSession{}, false, fmt.Errorf("drive: load upload session: %w", err)
	}
	data, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return UploadSession{}, false, nil
	}
	if err != nil {
		return UploadSession{}, false, fmt.Errorf("drive: load upload session: %w", err)
	}
	us, err := decodeSession(data)
	if err != nil {
		return UploadSession{}, false, fmt.Errorf("drive: load upload session %s: %w", s.path(key), err)
	}
	return us, true, nil
}

func decodeSession(data []byte) (UploadSession, error) {
	var us UploadSession
	if err := json.Unmarshal(data, &us); err != nil {
		return UploadSession{}, err
	}
	if err := us.Validate(); err != nil {
		return UploadSession{}, err
	}
	return us, nil
}

// Save implements SessionStore.
func (s *FileSessionStore) Save(key string, us UploadSession) error {
	if err := ValidSessionKey(key); err != nil {
		return fmt.Errorf("drive: save upload session: %w", err)
	}
	data, err := json.Marshal(us)
	if err != nil {
		return fmt.Errorf("drive: save upload session %s: %w", key, err)
	}
	if err := writeFileAtomic(s.path(key), data); err != nil {
		return fmt.Errorf("drive: save upload session: %w", err)
	}
	return nil
}

// Delete implements SessionStore.
func (s *FileSessionStore) Delete(key string) error {
	if err := ValidSessionKey(key); err != nil {
		return fmt.Errorf("drive: delete upload session: %w", err)
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("drive: delete upload session: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to path through a synced temp file and a
// rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// memSessions is the store used when Options.Sessions is nil: uploads
// resume after a broken connection but not after a restart.
type memSessions struct {
	mu sync.Mutex
	m  map[string]UploadSession
}

func newMemSessions() *memSessions { return &memSessions{m: map[string]UploadSession{}} }

func (m *memSessions) Load(key string) (UploadSession, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.m[key]
	return s, ok, nil
}

func (m *memSessions) Save(key string, s UploadSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[key] = s
	return nil
}

func (m *memSessions) Delete(key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.m, key)
	return nil
}
