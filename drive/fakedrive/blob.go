package fakedrive

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
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
	h := newHasher()
	h.write(data)
	return h.sum()
}

// hasher computes the three digests incrementally, so a resumable upload
// hashes each chunk as it commits instead of the whole file at the end.
type hasher struct{ md5, sha1, sha256 hash.Hash }

func newHasher() hasher { return hasher{md5.New(), sha1.New(), sha256.New()} }

func (h hasher) write(p []byte) {
	if len(p) < 1<<20 {
		h.md5.Write(p)
		h.sha1.Write(p)
		h.sha256.Write(p)
		return
	}
	var wg sync.WaitGroup // large writes: the three digests in parallel
	wg.Go(func() { h.sha1.Write(p) })
	wg.Go(func() { h.sha256.Write(p) })
	h.md5.Write(p)
	wg.Wait()
}

func (h hasher) sum() digests {
	return digests{hex.EncodeToString(h.md5.Sum(nil)), hex.EncodeToString(h.sha1.Sum(nil)), hex.EncodeToString(h.sha256.Sum(nil))}
}

// blobStore keeps content; dir == "" means memory only.
type blobStore struct{ dir string }

// put stores data; d are its digests when the caller already has them.
func (bs blobStore) put(data []byte, known *digests) (*blob, digests, error) {
	var d digests
	if known != nil {
		d = *known
	} else {
		d = digest(data)
	}
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
