package drive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

const chunk = 256 << 10

// chunkLog records the Content-Range of every resumable chunk and, when
// onChunk is set, calls it after each chunk request has been served.
type chunkLog struct {
	mu      sync.Mutex
	ranges  []string
	onChunk func(n int)
}

func (l *chunkLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut || r.URL.Query().Get("upload_id") == "" {
			h.ServeHTTP(w, r)
			return
		}
		l.mu.Lock()
		l.ranges = append(l.ranges, r.Header.Get("Content-Range"))
		n := len(l.ranges)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
		if l.onChunk != nil {
			l.onChunk(n)
		}
	})
}

var chunkRange = regexp.MustCompile(`^bytes (\d+)-(\d+)/(\d+)$`)

func TestUploadSizes(t *testing.T) {
	log := &chunkLog{}
	const multipartMax = 300 << 10
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), ChunkSize: 2*chunk - 1000, MultipartMax: multipartMax}, log.wrap)
	ctx := context.Background()
	for _, size := range []int{0, 1, multipartMax, multipartMax + 1, 2 * chunk, 5*chunk + 3} {
		log.ranges = nil
		before := e.sv.Stats().Methods
		data := randomBytes(uint64(size), size)
		f, err := e.c.Create(ctx, "root", "f.bin", writeFile(t, t.TempDir(), "f.bin", data))
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if f.MD5 != md5hex(data) || f.Size != int64(size) || f.Name != "f.bin" {
			t.Fatalf("size %d: %+v", size, f)
		}
		after := e.sv.Stats().Methods
		resumable := after["files.create.upload"]-before["files.create.upload"] == 1 && len(log.ranges) > 0
		if resumable != (size > multipartMax) {
			t.Fatalf("size %d: resumable=%v", size, resumable)
		}
		// Chunks are 2 × 256 KiB (ChunkSize rounded up), the last one the rest.
		for i, cr := range log.ranges {
			m := chunkRange.FindStringSubmatch(cr)
			if m == nil {
				t.Fatalf("chunk %d: Content-Range %q", i, cr)
			}
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			if n := b - a + 1; a%chunk != 0 || (n != 2*chunk && b != size-1) {
				t.Fatalf("chunk %d: %s is not a whole multiple of 256 KiB", i, cr)
			}
		}
	}
}

func TestUpdateKeepsTheFileID(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), ChunkSize: chunk, MultipartMax: chunk})
	ctx := context.Background()
	dir := t.TempDir()
	f, err := e.c.Create(ctx, "root", "model.ckpt", writeFile(t, dir, "v1", []byte("v1")))
	if err != nil {
		t.Fatal(err)
	}
	prev := f
	for i, data := range [][]byte{randomBytes(1, 3*chunk+5), []byte("v3"), {}} {
		src := writeFile(t, dir, "v", data)
		mtime := time.Date(2024, 5, 6, 7, 8, 9, int(i)*1e6, time.UTC)
		os.Chtimes(src, mtime, mtime)
		g, err := e.c.Update(ctx, f.ID, src)
		if err != nil {
			t.Fatal(err)
		}
		if g.ID != f.ID || g.MD5 != md5hex(data) || g.Version <= prev.Version || !g.ModTime.Equal(mtime) || g.Name != "model.ckpt" {
			t.Fatalf("update %d: %+v (before %+v)", i, g, prev)
		}
		prev = g
		out := filepath.Join(dir, "out")
		if _, err := e.c.Download(ctx, g, out, drive.DownloadOptions{}); err != nil {
			t.Fatal(err)
		}
		sameBytes(t, "content after update", mustRead(t, out), data)
	}
	m := e.sv.Stats().Methods
	if m["files.delete"] != 0 || m["files.create"]+m["files.create.upload"] != 1 {
		t.Fatalf("updates created or deleted files: %v", m)
	}
	if _, err := e.c.Update(ctx, "1nosuchfilexxxxxxxxxxxxxxxxxxxxxx", filepath.Join(dir, "v")); !errors.Is(err, drive.ErrNotFound) {
		t.Fatalf("update of a missing file: %v", err)
	}
}

// cutChunk breaks chunk request number n after half its body arrived.
func cutChunk(n int) func(http.Handler) http.Handler {
	var mu sync.Mutex
	seen := 0
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && r.URL.Query().Get("upload_id") != "" && r.ContentLength > 0 {
				mu.Lock()
				seen++
				cut := seen == n
				mu.Unlock()
				if cut {
					r.Body = io.NopCloser(io.MultiReader(io.LimitReader(r.Body, r.ContentLength/2), errReader{}))
				}
			}
			h.ServeHTTP(w, r)
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestUploadResumesAfterBrokenChunk(t *testing.T) {
	log := &chunkLog{}
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), ChunkSize: 4 * chunk, MultipartMax: chunk},
		cutChunk(2), log.wrap)
	data := randomBytes(5, 10*chunk+77)
	f, err := e.c.Create(context.Background(), "root", "big.bin", writeFile(t, t.TempDir(), "big.bin", data))
	if err != nil {
		t.Fatal(err)
	}
	if f.MD5 != md5hex(data) {
		t.Fatal("md5 mismatch")
	}
	// Chunk 2 (bytes 1 MiB-2 MiB) broke after 512 KiB, which Drive
	// committed; the client asked and went on from 1.5 MiB.
	want := []string{"bytes 0-1048575/2621517", "bytes 1048576-2097151/2621517", "bytes */2621517", "bytes 1572864-2621439/2621517", "bytes 2621440-2621516/2621517"}
	if strings.Join(log.ranges, ",") != strings.Join(want, ",") {
		t.Fatalf("chunks %q, want %q", log.ranges, want)
	}
}

// interrupted starts an upload of data through a client with the
// FileSessionStore in dir and cancels it after two chunks. It returns the
// source path.
func interrupted(t *testing.T, e *env, sessions string, data []byte, log *chunkLog) string {
	t.Helper()
	st, err := drive.NewFileSessionStore(sessions)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(drive.Options{Pacer: fastPacer(), ChunkSize: chunk, MultipartMax: chunk, Sessions: st})
	ctx, cancel := context.WithCancel(context.Background())
	log.onChunk = func(n int) {
		if n == 2 {
			cancel()
		}
	}
	src := writeFile(t, t.TempDir(), "big.bin", data)
	if _, err := c.Create(ctx, "root", "big.bin", src); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted upload: err = %v, want context.Canceled", err)
	}
	log.onChunk = nil
	if ents, _ := os.ReadDir(sessions); len(ents) != 1 {
		t.Fatalf("%d files in the session store after an interrupted upload, want 1", len(ents))
	}
	return src
}

// resume finishes the upload of src with a new client on the same store.
func resume(t *testing.T, e *env, sessions, src string) drive.File {
	t.Helper()
	st, err := drive.NewFileSessionStore(sessions)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(drive.Options{Pacer: fastPacer(), ChunkSize: chunk, MultipartMax: chunk, Sessions: st})
	f, err := c.Create(context.Background(), "root", "big.bin", src)
	if err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(sessions); len(ents) != 0 {
		t.Fatalf("session store not emptied after the upload: %d files", len(ents))
	}
	return f
}

func TestUploadResumesInANewClient(t *testing.T) {
	log := &chunkLog{}
	e := newEnv(t, fakedrive.Options{}, drive.Options{}, log.wrap)
	sessions := t.TempDir()
	data := randomBytes(6, 8*chunk+1)
	src := interrupted(t, e, sessions, data, log)
	f := resume(t, e, sessions, src)
	if f.MD5 != md5hex(data) {
		t.Fatal("md5 mismatch")
	}
	s := e.sv.Stats()
	if s.Methods["files.create.upload"] != 1 {
		t.Fatalf("%d sessions opened, want the one resumed", s.Methods["files.create.upload"])
	}
	if s.MediaBytesIn > int64(len(data))+chunk {
		t.Fatalf("%d bytes sent for %d", s.MediaBytesIn, len(data))
	}
}

// editSession rewrites the only session in the store.
func editSession(t *testing.T, dir string, edit func(*drive.UploadSession)) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	p := filepath.Join(dir, ents[0].Name())
	var s drive.UploadSession
	if err := json.Unmarshal(mustRead(t, p), &s); err != nil {
		t.Fatal(err)
	}
	edit(&s)
	b, _ := json.Marshal(s)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestUploadStartsOverWhenTheSessionIsGone(t *testing.T) {
	log := &chunkLog{}
	e := newEnv(t, fakedrive.Options{}, drive.Options{}, log.wrap)
	sessions := t.TempDir()
	data := randomBytes(7, 6*chunk)
	src := interrupted(t, e, sessions, data, log)
	editSession(t, sessions, func(s *drive.UploadSession) {
		s.URI = regexp.MustCompile(`upload_id=[^&]+`).ReplaceAllString(s.URI, "upload_id=expired")
	})
	f := resume(t, e, sessions, src)
	if f.MD5 != md5hex(data) || e.sv.Stats().Methods["files.create.upload"] != 2 {
		t.Fatalf("md5 %s, sessions %d", f.MD5, e.sv.Stats().Methods["files.create.upload"])
	}
}

func TestUploadStartsOverWhenTheSourceChanged(t *testing.T) {
	log := &chunkLog{}
	e := newEnv(t, fakedrive.Options{}, drive.Options{}, log.wrap)
	sessions := t.TempDir()
	src := interrupted(t, e, sessions, randomBytes(8, 6*chunk), log)
	changed := randomBytes(9, 6*chunk)
	if err := os.WriteFile(src, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	os.Chtimes(src, later, later)
	f := resume(t, e, sessions, src)
	if f.MD5 != md5hex(changed) || e.sv.Stats().Methods["files.create.upload"] != 2 {
		t.Fatalf("md5 %s, sessions %d", f.MD5, e.sv.Stats().Methods["files.create.upload"])
	}
}

// flipUpload flips one byte in the middle of every upload body.
func flipUpload(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/upload/") {
			b, _ := io.ReadAll(r.Body)
			if len(b) > 1000 {
				b[len(b)/2] ^= 1
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
		}
		h.ServeHTTP(w, r)
	})
}

func TestUploadChecksumMismatch(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), ChunkSize: chunk, MultipartMax: chunk}, flipUpload)
	for _, size := range []int{5000, 3 * chunk} {
		f, err := e.c.Create(context.Background(), "root", "x.bin", writeFile(t, t.TempDir(), "x.bin", randomBytes(1, size)))
		if !errors.Is(err, drive.ErrChecksum) || drive.IsRetryable(err) {
			t.Fatalf("size %d: err = %v, want ErrChecksum", size, err)
		}
		if f.ID == "" {
			t.Fatalf("size %d: the file Drive holds is not returned, so it cannot be fixed with Update", size)
		}
	}
}

func TestUploadStorageQuota(t *testing.T) {
	e := newEnv(t, fakedrive.Options{StorageLimit: 4000}, drive.Options{Pacer: fastPacer(), ChunkSize: chunk, MultipartMax: chunk})
	for _, size := range []int{5000, 2 * chunk} {
		before := e.sv.Stats().Requests
		_, err := e.c.Create(context.Background(), "root", "x.bin", writeFile(t, t.TempDir(), "x.bin", randomBytes(1, size)))
		var de *drive.Error
		if !errors.Is(err, drive.ErrStorageQuota) || !errors.As(err, &de) || de.Hint == "" || drive.IsRetryable(err) {
			t.Fatalf("size %d: err = %v, want ErrStorageQuota with a hint", size, err)
		}
		if n := e.sv.Stats().Requests - before; n > 4 {
			t.Fatalf("size %d: %d requests: a full drive was retried", size, n)
		}
	}
}

func TestUploadErrors(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := e.c.Create(ctx, "root", "x", filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) || drive.IsRetryable(err) {
		t.Fatalf("missing source: %v", err)
	}
	if _, err := e.c.Create(ctx, "root", "x", dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("directory as source: %v", err)
	}
	src := writeFile(t, dir, "x", []byte("x"))
	if _, err := e.c.Create(ctx, "1nosuchfolderxxxxxxxxxxxxxxxxxxxx", "x", src); !errors.Is(err, drive.ErrNotFound) {
		t.Fatalf("missing parent: %v", err)
	}
}
