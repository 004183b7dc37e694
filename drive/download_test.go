package drive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	gdrive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// upload puts data in My Drive through the client under test.
func (e *env) upload(name string, data []byte) drive.File {
	e.t.Helper()
	src := writeFile(e.t, e.t.TempDir(), name, data)
	f, err := e.c.Create(context.Background(), "root", name, src)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func TestDownload(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), RangedMin: 1 << 20, RangedStreams: 3})
	ctx := context.Background()
	dir := t.TempDir()
	// Three streams of parts rounded up to 1 MiB.
	for _, tc := range []struct{ size, streams int }{{0, 1}, {1, 1}, {1000, 1}, {1<<20 - 1, 1}, {1 << 20, 1}, {3 << 20, 3}, {6<<20 + 1, 3}} {
		size := tc.size
		data := randomBytes(uint64(size), size)
		f := e.upload("f.bin", data)
		before := e.sv.Stats().Methods["files.get.media"]
		dst := filepath.Join(dir, "out.bin")
		got, err := e.c.Download(ctx, f, dst, drive.DownloadOptions{})
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		sameBytes(t, "download", mustRead(t, dst), data)
		if got.ID != f.ID || got.MD5 != md5hex(data) {
			t.Fatalf("returned %+v", got)
		}
		st, _ := os.Stat(dst)
		if !st.ModTime().Equal(f.ModTime) {
			t.Errorf("size %d: mtime %v, want Drive's %v", size, st.ModTime(), f.ModTime)
		}
		streams := e.sv.Stats().Methods["files.get.media"] - before
		if streams != int64(tc.streams) {
			t.Errorf("size %d: %d media requests, want %d", size, streams, tc.streams)
		}
	}
	assertNoTemp(t, dir)
}

// assertNoTemp fails if a download left a temp file in dir.
func assertNoTemp(t testing.TB, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Fatalf("temp file left behind: %s", e.Name())
		}
	}
}

// breakMedia cuts the first n media responses after cut bytes, and
// records the Range header of every media request.
type breakMedia struct {
	n, cut int
	mu     sync.Mutex
	ranges []string
}

func (b *breakMedia) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("alt") != "media" {
			h.ServeHTTP(w, r)
			return
		}
		b.mu.Lock()
		b.ranges = append(b.ranges, r.Header.Get("Range"))
		doBreak := b.n > 0
		b.n--
		b.mu.Unlock()
		if doBreak {
			w = &cutWriter{ResponseWriter: w, left: b.cut}
		}
		h.ServeHTTP(w, r)
	})
}

// cutWriter drops the connection after left bytes of body.
type cutWriter struct {
	http.ResponseWriter
	left int
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if len(p) > c.left {
		c.ResponseWriter.Write(p[:c.left])
		c.ResponseWriter.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	c.left -= len(p)
	return c.ResponseWriter.Write(p)
}

func TestDownloadResumesWithRange(t *testing.T) {
	tests := []struct {
		name       string
		size       int
		ranged     int64
		wantRanges []string
	}{
		{"one stream", 2 << 20, 0, []string{"", "bytes=1048576-"}},
		{"ranged streams", 4 << 20, 1 << 20, nil}, // checked below: a part resumes inside itself
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bm := &breakMedia{n: 1, cut: 1 << 20}
			e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), RangedMin: tt.ranged, RangedStreams: 2}, bm.wrap)
			data := randomBytes(9, tt.size)
			f := e.upload("big.bin", data)
			dst := filepath.Join(t.TempDir(), "big.bin")
			if _, err := e.c.Download(context.Background(), f, dst, drive.DownloadOptions{}); err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "download", mustRead(t, dst), data)
			if tt.wantRanges != nil && strings.Join(bm.ranges, ",") != strings.Join(tt.wantRanges, ",") {
				t.Fatalf("Range headers %q, want %q", bm.ranges, tt.wantRanges)
			}
			if tt.wantRanges == nil {
				// Parts 0-2MiB and 2-4MiB; the first one cut at 1 MiB resumes
				// from its own offset, not from its start.
				joined := strings.Join(bm.ranges, ",")
				if len(bm.ranges) != 3 || !(strings.Contains(joined, "bytes=1048576-2097151") || strings.Contains(joined, "bytes=3145728-4194303")) {
					t.Fatalf("Range headers %q: want two parts and one resumed mid-part", bm.ranges)
				}
			}
			if out := e.sv.Stats().MediaBytesOut; out > int64(tt.size)+1<<20 {
				t.Fatalf("%d bytes sent for %d: the transfer restarted instead of resuming", out, tt.size)
			}
		})
	}
}

// corrupt flips a byte of every media response.
func corrupt(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("alt") == "media" {
			w = &flipWriter{ResponseWriter: w}
		}
		h.ServeHTTP(w, r)
	})
}

type flipWriter struct {
	http.ResponseWriter
	done bool
}

func (f *flipWriter) Write(p []byte) (int, error) {
	if !f.done && len(p) > 0 {
		q := append([]byte(nil), p...)
		q[len(q)/2] ^= 0x20
		f.done = true
		return f.ResponseWriter.Write(q)
	}
	return f.ResponseWriter.Write(p)
}

func TestDownloadChecksumMismatch(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()}, corrupt)
	f := e.upload("x.bin", randomBytes(3, 5000))
	dir := t.TempDir()
	dst := writeFile(t, dir, "x.bin", []byte("old content"))
	_, err := e.c.Download(context.Background(), f, dst, drive.DownloadOptions{})
	if !errors.Is(err, drive.ErrChecksum) {
		t.Fatalf("err = %v, want ErrChecksum", err)
	}
	if got := string(mustRead(t, dst)); got != "old content" {
		t.Fatalf("a failed download replaced the destination: %q", got)
	}
	assertNoTemp(t, dir)
	// Once with the listed metadata, once more after refreshing it.
	if n := e.sv.Stats().Methods["files.get.media"]; n != 2 {
		t.Fatalf("%d downloads, want 2", n)
	}
}

func TestDownloadStaleMetadata(t *testing.T) {
	tests := []struct {
		name          string
		before, after int
	}{
		{"small grew", 11, 19},
		{"ranged shrank", 3 << 20, 3<<19 + 5},
		{"ranged grew", 2 << 20, 3 << 20},
		{"stream shrank to nothing", 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), RangedMin: 1 << 20, RangedStreams: 3})
			ctx := context.Background()
			old := e.upload("x.bin", randomBytes(1, tt.before))
			newer := randomBytes(2, tt.after)
			if _, err := e.c.Update(ctx, old.ID, writeFile(t, t.TempDir(), "x.bin", newer)); err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			dst := filepath.Join(dir, "x.bin")
			got, err := e.c.Download(ctx, old, dst, drive.DownloadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sameBytes(t, "download", mustRead(t, dst), newer)
			if got.MD5 != md5hex(newer) || got.Version <= old.Version {
				t.Fatalf("returned metadata %+v is not the current one", got)
			}
			assertNoTemp(t, dir)
		})
	}
}

func TestDownloadExportAndShortcuts(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	api := e.api()
	doc, err := api.Files.Create(&gdrive.File{Name: "notes", MimeType: drive.DocumentMime}).
		Media(strings.NewReader("hello from a doc"), googleapi.ContentType("text/plain")).Fields("id").Do()
	if err != nil {
		t.Fatal(err)
	}
	target := e.upload("target.bin", []byte("target content"))
	shortcut := func(name, to string) drive.File {
		s, err := api.Files.Create(&gdrive.File{Name: name, MimeType: drive.ShortcutMime,
			ShortcutDetails: &gdrive.FileShortcutDetails{TargetId: to}}).Fields("id").Do()
		if err != nil {
			t.Fatal(err)
		}
		f, err := e.c.Get(ctx, s.Id)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	s1 := shortcut("s1", target.ID)
	s2 := shortcut("s2", s1.ID) // a shortcut to a shortcut
	docFile, err := e.c.Get(ctx, doc.Id)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "out")

	if _, err := e.c.Download(ctx, docFile, dst, drive.DownloadOptions{}); !errors.Is(err, drive.ErrNotDownloadable) {
		t.Fatalf("downloading a Doc without Export: err = %v, want ErrNotDownloadable", err)
	}
	if _, err := e.c.Download(ctx, docFile, dst, drive.DownloadOptions{Export: true}); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(mustRead(t, dst)), int64(len(mustRead(t, dst))))
	if err != nil {
		t.Fatalf("export is not an Office file: %v", err)
	}
	found := false
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		found = found || bytes.Contains(b, []byte("hello from a doc"))
	}
	if !found {
		t.Fatal("the exported .docx does not hold the document's text")
	}
	if _, ext, ok := drive.ExportFormat(docFile.MimeType); !ok || ext != ".docx" {
		t.Fatalf("ExportFormat(Doc) = %q, %v", ext, ok)
	}

	for _, s := range []drive.File{s1, s2} {
		got, err := e.c.Download(ctx, s, dst, drive.DownloadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if got.ID != target.ID || string(mustRead(t, dst)) != "target content" {
			t.Fatalf("%s: downloaded %q (%s), want the target", s.Name, mustRead(t, dst), got.ID)
		}
	}
	folder, err := e.c.Mkdir(ctx, "root", "dir")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Download(ctx, folder, dst, drive.DownloadOptions{}); !errors.Is(err, drive.ErrNotDownloadable) {
		t.Fatalf("downloading a folder: err = %v, want ErrNotDownloadable", err)
	}
	// Only an ID: the metadata is fetched first.
	if got, err := e.c.Download(ctx, drive.File{ID: target.ID}, dst, drive.DownloadOptions{}); err != nil || got.MD5 != target.MD5 {
		t.Fatalf("download by ID: %+v, %v", got, err)
	}
	assertNoTemp(t, dir)
}

func TestDownloadLocalErrorsAreNotRetried(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	f := e.upload("x.bin", []byte("x"))
	dst := filepath.Join(t.TempDir(), "no", "such", "dir", "x.bin")
	_, err := e.c.Download(context.Background(), f, dst, drive.DownloadOptions{})
	if err == nil || drive.IsRetryable(err) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v (retryable %v), want a permanent not-exist error", err, drive.IsRetryable(err))
	}
	if n := e.sv.Stats().Methods["files.get.media"]; n != 0 {
		t.Fatalf("%d media requests for a destination that cannot be written", n)
	}
}

// stall holds the first media response silent for hold.
func stall(hold time.Duration, stalled *atomic.Int32) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("alt") == "media" && stalled.Add(1) == 1 {
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				select {
				case <-time.After(hold):
				case <-r.Context().Done():
				}
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestDownloadStallIsRetried(t *testing.T) {
	var stalled atomic.Int32
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), StallTimeout: 200 * time.Millisecond}, stall(time.Minute, &stalled))
	f := e.upload("x.bin", []byte("eventually"))
	dst := filepath.Join(t.TempDir(), "x.bin")
	if _, err := e.c.Download(context.Background(), f, dst, drive.DownloadOptions{}); err != nil {
		t.Fatal(err)
	}
	if string(mustRead(t, dst)) != "eventually" || stalled.Load() != 2 {
		t.Fatalf("content %q after %d attempts", mustRead(t, dst), stalled.Load())
	}
}

// TestManyDownloadsUnderRateLimit is the download bar in small: many
// small files from a rate-limited server, each verified, with the
// client's default pacer pushed down by Drive's 403s.
func TestManyDownloadsUnderRateLimit(t *testing.T) {
	e := newEnv(t, fakedrive.Options{Latency: 5 * time.Millisecond, QPS: 60}, drive.Options{})
	fsys := fstest.MapFS{}
	want := map[string]string{}
	for i := range 120 {
		p := fmt.Sprintf("d/f%03d.bin", i)
		data := randomBytes(uint64(i), 50_000)
		fsys[p] = &fstest.MapFile{Data: data, ModTime: time.Unix(1.7e9, 0)}
		want[fmt.Sprintf("f%03d.bin", i)] = md5hex(data)
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	work := make(chan drive.File)
	for range 16 {
		wg.Go(func() {
			for f := range work {
				if _, err := e.c.Download(ctx, f, filepath.Join(dir, f.Name), drive.DownloadOptions{}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, f := range tree.Files {
		if !f.IsFolder() {
			work <- f
		}
	}
	close(work)
	wg.Wait()
	for name, sum := range want {
		if got := md5hex(mustRead(t, filepath.Join(dir, name))); got != sum {
			t.Fatalf("%s: md5 %s, want %s", name, got, sum)
		}
	}
	if e.sv.Stats().RateLimited == 0 || e.c.Stats().Pushbacks == 0 {
		t.Fatalf("the server never refused a request (%+v); the test does not exercise the pacer", e.c.Stats())
	}
}

// TestDownloadLongName: a 255-byte destination name still gets a temp file
// (its name must stay within the file system's limit too).
func TestDownloadLongName(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{})
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.WriteFile(src, []byte("long"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := e.c.Create(ctx, "root", "x", src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, strings.Repeat("é", 127)+"x") // 255 bytes
	if _, err := e.c.Download(ctx, f, dst, drive.DownloadOptions{}); err != nil {
		t.Fatalf("download to a 255-byte name: %v", err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "long" {
		t.Fatalf("content %q, %v", b, err)
	}
}
