package fakedrive

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// blob is immutable file content: in memory, or in a file under the state
// directory (named by its SHA-256) when the drive is persistent.
type blob struct {
	data []byte
	path string
	size int64
}

// open returns a reader over the content.
func (b *blob) open() (io.ReadSeekCloser, error) {
	if b.path == "" {
		return nopSeekCloser{bytes.NewReader(b.data)}, nil
	}
	return os.Open(b.path)
}

type nopSeekCloser struct{ *bytes.Reader }

func (nopSeekCloser) Close() error { return nil }

// digests of some content, as Drive reports them (lowercase hex).
type digests struct{ md5, sha1, sha256 string }

func digest(data []byte) digests {
	m := md5.Sum(data)
	s1 := sha1.Sum(data)
	s2 := sha256.Sum256(data)
	return digests{hex.EncodeToString(m[:]), hex.EncodeToString(s1[:]), hex.EncodeToString(s2[:])}
}

// blobStore keeps content; dir == "" means memory only.
type blobStore struct{ dir string }

func (bs blobStore) put(data []byte) (*blob, digests, error) {
	d := digest(data)
	if bs.dir == "" {
		return &blob{data: data, size: int64(len(data))}, d, nil
	}
	path := filepath.Join(bs.dir, "blobs", d.sha256)
	if _, err := os.Stat(path); err == nil {
		return &blob{path: path, size: int64(len(data))}, d, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, d, fmt.Errorf("fakedrive: blob dir: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return nil, d, fmt.Errorf("fakedrive: blob: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, d, fmt.Errorf("fakedrive: blob %s: %w", d.sha256, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, d, fmt.Errorf("fakedrive: blob %s: %w", d.sha256, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, d, fmt.Errorf("fakedrive: blob %s: %w", d.sha256, err)
	}
	return &blob{path: path, size: int64(len(data))}, d, nil
}

// attach re-links a persisted revision to its blob file after a restart.
func (bs blobStore) attach(r *revision) error {
	if r == nil {
		return nil
	}
	path := filepath.Join(bs.dir, "blobs", r.SHA256)
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("fakedrive: state: content of revision %s: %w", r.ID, err)
	}
	r.blob = &blob{path: path, size: st.Size()}
	return nil
}
