package drive_test

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// The child process of TestUploadSurvivesSIGKILL: this test binary run
// again with childEnv set uploads one file and prints its ID and md5.
const childEnv = "DRIVESYNC_TEST_UPLOAD_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(uploadChild())
	}
	goleak.VerifyTestMain(m)
}

func uploadChild() int {
	env := func(k string) string { return os.Getenv(childEnv + "_" + k) }
	st, err := drive.NewFileSessionStore(env("SESSIONS"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx := context.Background()
	c, err := drive.New(ctx, drive.Options{
		Endpoint:    env("ENDPOINT"),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: env("TOKEN")}),
		Sessions:    st,
		ChunkSize:   killChunk,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f, err := c.Create(ctx, "root", "big.bin", env("SRC"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(f.ID, f.MD5)
	return 0
}

const (
	killSize  = 200 << 20
	killChunk = 8 << 20
)

// TestUploadSurvivesSIGKILL kills an uploading process in the middle of a
// chunk, starts it again, and checks it finishes the same session without
// sending more than one chunk twice.
func TestUploadSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 200 MiB")
	}
	t.Parallel()
	// The chunk starting at killAt is held after its first MiB until the
	// child is dead, so the kill lands inside a chunk however busy the
	// machine is.
	const killAt = 13 * killChunk
	trap := &midChunk{offset: killAt, after: 1 << 20, mid: make(chan struct{}), killed: make(chan struct{})}
	e := newEnv(t, fakedrive.Options{}, drive.Options{}, trap.wrap)
	dir := t.TempDir()
	src := dir + "/big.bin"
	sum := writeRandom(t, src, killSize)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1",
			childEnv+"_ENDPOINT="+e.ts.URL, childEnv+"_TOKEN="+e.sv.Token(),
			childEnv+"_SRC="+src, childEnv+"_SESSIONS="+dir+"/sessions")
		cmd.Stderr = os.Stderr
		return cmd
	}

	first := child()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	select {
	case <-trap.mid:
	case err := <-exited:
		t.Fatalf("the child ended before the chunk at %d: %v", killAt, err)
	case <-time.After(2 * time.Minute):
		first.Process.Kill()
		t.Fatalf("upload stuck at %d bytes", e.sv.Stats().MediaBytesIn)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	<-exited
	close(trap.killed)
	// Wait until the server has taken what the dead child had sent.
	for e.sv.Stats().Requests == 0 || !trap.done.Load() {
		time.Sleep(time.Millisecond)
	}
	sent := e.sv.Stats().MediaBytesIn
	t.Logf("killed after %.2f MiB sent", float64(sent)/(1<<20))
	if sent <= killAt || sent >= killAt+killChunk {
		t.Fatalf("killed after %d bytes, want inside the chunk at %d", sent, killAt)
	}

	second := child()
	out, err := second.Output()
	if err != nil {
		t.Fatalf("restarted upload: %v", err)
	}
	var id, md5sum string
	fmt.Sscan(string(out), &id, &md5sum)
	if md5sum != sum {
		t.Fatalf("uploaded md5 %s, want %s (output %q)", md5sum, sum, strings.TrimSpace(string(out)))
	}
	got, err := e.c.Get(context.Background(), id)
	if err != nil || got.MD5 != sum || got.Size != killSize {
		t.Fatalf("Drive holds %+v, %v", got, err)
	}
	s := e.sv.Stats()
	t.Logf("media bytes in: %d (%.2f MiB over the file)", s.MediaBytesIn, float64(s.MediaBytesIn-killSize)/(1<<20))
	if n := s.Methods["files.create.upload"]; n != 1 {
		t.Fatalf("%d upload sessions opened, want the first one resumed", n)
	}
	if s.MediaBytesIn > killSize+killChunk {
		t.Fatalf("%d bytes sent for a %d-byte file: more than one chunk sent twice", s.MediaBytesIn, killSize)
	}
}

// midChunk holds the upload chunk starting at offset after its first
// after bytes: it closes mid and reads on only once killed is closed.
type midChunk struct {
	offset, after int64
	mid, killed   chan struct{}
	once          sync.Once
	done          atomic.Bool // the held chunk's handler has returned
}

func (m *midChunk) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hold := false
		if r.Method == http.MethodPut && strings.HasPrefix(r.Header.Get("Content-Range"), fmt.Sprintf("bytes %d-", m.offset)) {
			m.once.Do(func() { hold = true })
		}
		if !hold {
			h.ServeHTTP(w, r)
			return
		}
		defer m.done.Store(true)
		r.Body = &holdReader{r: r.Body, left: m.after, m: m}
		h.ServeHTTP(w, r)
	})
}

type holdReader struct {
	r    io.ReadCloser
	left int64
	m    *midChunk
	held bool
}

func (h *holdReader) Read(p []byte) (int, error) {
	if h.left <= 0 && !h.held {
		h.held = true
		close(h.m.mid)
		<-h.m.killed
	}
	if h.left > 0 && int64(len(p)) > h.left {
		p = p[:h.left]
	}
	n, err := h.r.Read(p)
	h.left -= int64(n)
	return n, err
}

func (h *holdReader) Close() error { return h.r.Close() }

// writeRandom writes n pseudo-random bytes to path and returns their md5.
func writeRandom(t *testing.T, path string, n int) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := md5.New()
	r := randReader{seed: 42}
	if _, err := io.CopyN(io.MultiWriter(f, h), &r, int64(n)); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// randReader repeats 1 MiB of random bytes with every 64 KiB stamped with
// its offset, so no two blocks are alike and a misplaced chunk changes
// the md5; cheaper than fresh randomness under the race detector.
type randReader struct {
	seed uint64
	base []byte
	off  int64
}

func (r *randReader) Read(p []byte) (int, error) {
	if r.base == nil {
		r.base = randomBytes(r.seed, 1<<20)
	}
	const block = 64 << 10
	n := 0
	for n < len(p) {
		i := int(r.off % int64(len(r.base)))
		m := copy(p[n:], r.base[i:min(len(r.base), i+block-i%block)])
		if i%block == 0 && m >= 8 {
			binary.LittleEndian.PutUint64(p[n:], uint64(r.off))
		}
		n += m
		r.off += int64(m)
	}
	return n, nil
}
