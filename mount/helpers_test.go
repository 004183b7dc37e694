package mount

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// harness is an emulator over real HTTP, the engine's client, a second
// client playing "another machine" editing Drive, a store and a mount.
type harness struct {
	t      testing.TB
	sv     *fakedrive.Server
	ts     *httptest.Server
	c      *drive.Client
	other  *drive.Client
	store  *cache.Store
	root   string
	state  string
	cfg    Config
	m      *Mount
	rootID string
}

var mtimeSeq atomic.Int64

func fastPacer() drive.PacerConfig {
	return drive.PacerConfig{QPS: 5000, Burst: 500, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 30, Seed: 1}
}

func newClient(t testing.TB, sv *fakedrive.Server, url string, o drive.Options) *drive.Client {
	t.Helper()
	o.Endpoint = url
	o.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token(), Expiry: time.Now().Add(24 * time.Hour)})
	if o.Pacer == (drive.PacerConfig{}) {
		o.Pacer = fastPacer()
	}
	c, err := drive.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// newHarness starts an emulator and a mount of a fresh folder "mirror" in
// My Drive; tweak adjusts the Config before New.
func newHarness(t testing.TB, fo fakedrive.Options, tweak func(*Config)) *harness {
	t.Helper()
	return newHarnessWrap(t, fo, tweak, nil)
}

// newHarnessWrap is newHarness with wrap, if not nil, between the network
// and the emulator.
func newHarnessWrap(t testing.TB, fo fakedrive.Options, tweak func(*Config), wrap func(http.Handler) http.Handler) *harness {
	t.Helper()
	sv, err := fakedrive.New(fo)
	if err != nil {
		t.Fatal(err)
	}
	var hd http.Handler = sv
	if wrap != nil {
		hd = wrap(sv)
	}
	ts := httptest.NewServer(hd)
	t.Cleanup(ts.Close)
	h := &harness{t: t, sv: sv, ts: ts}
	h.c = newClient(t, sv, ts.URL, drive.Options{})
	h.other = newClient(t, sv, ts.URL, drive.Options{})
	dir := t.TempDir()
	h.root, h.state = filepath.Join(dir, "root"), filepath.Join(dir, "state")
	if err := os.MkdirAll(h.state, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := h.other.Mkdir(context.Background(), "root", "mirror")
	if err != nil {
		t.Fatal(err)
	}
	h.rootID = f.ID
	h.cfg = Config{Remote: h.c, Root: h.root, RemoteRoot: h.rootID, StateDir: h.state,
		Settle: 50 * time.Millisecond, Poll: time.Hour, Rescan: time.Hour, Debounce: 20 * time.Millisecond,
		Host: "testhost", Parallel: 4}
	if tweak != nil {
		tweak(&h.cfg)
	}
	h.reopen()
	return h
}

// reopen opens the store and makes a new Mount, as a restarted process.
func (h *harness) reopen() {
	h.t.Helper()
	if h.store != nil {
		h.store.Close()
	}
	s, err := cache.Open(filepath.Join(h.state, "state.db"), cache.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { s.Close() })
	h.store = s
	h.cfg.Store = s
	m, err := New(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.m = m
}

// once runs one pass and fails the test if it failed.
func (h *harness) once() Summary {
	h.t.Helper()
	sum, err := h.m.Once(context.Background())
	if err != nil {
		h.t.Fatalf("Once: %v (%s)", err, sum)
	}
	return sum
}

// put writes a local file, its mtime in the past so it counts as settled.
func (h *harness) put(rel, content string) {
	h.t.Helper()
	p := filepath.Join(h.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	mt := time.Now().Add(-time.Hour).Add(time.Duration(mtimeSeq.Add(1)) * time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		h.t.Fatal(err)
	}
}

// get reads a local file; "" with ok false if it is missing.
func (h *harness) get(rel string) (string, bool) {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.root, filepath.FromSlash(rel)))
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b), true
}

func (h *harness) wantLocal(rel, content string) {
	h.t.Helper()
	got, ok := h.get(rel)
	if !ok {
		h.t.Fatalf("local %s missing", rel)
	}
	if got != content {
		h.t.Fatalf("local %s = %q, want %q", rel, got, content)
	}
}

func (h *harness) wantNoLocal(rel string) {
	h.t.Helper()
	if _, ok := h.get(rel); ok {
		h.t.Fatalf("local %s exists, want it gone", rel)
	}
}

// remote resolves a path below the mirror folder on Drive.
func (h *harness) remote(rel string) (drive.File, error) {
	return h.other.ResolvePath(context.Background(), h.rootID, rel)
}

// remoteContent downloads the Drive file at rel.
func (h *harness) remoteContent(rel string) string {
	h.t.Helper()
	f, err := h.remote(rel)
	if err != nil {
		h.t.Fatalf("remote %s: %v", rel, err)
	}
	dst := filepath.Join(h.t.TempDir(), "dl")
	if _, err := h.other.Download(context.Background(), f, dst, drive.DownloadOptions{}); err != nil {
		h.t.Fatal(err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) wantRemote(rel, content string) {
	h.t.Helper()
	if got := h.remoteContent(rel); got != content {
		h.t.Fatalf("remote %s = %q, want %q", rel, got, content)
	}
}

func (h *harness) wantNoRemote(rel string) {
	h.t.Helper()
	if f, err := h.remote(rel); err == nil {
		h.t.Fatalf("remote %s exists (%s), want it gone", rel, f.ID)
	} else if !errors.Is(err, drive.ErrNotFound) {
		h.t.Fatal(err)
	}
}

// rput creates or updates a Drive file at rel from "another machine".
func (h *harness) rput(rel, content string) drive.File {
	h.t.Helper()
	ctx := context.Background()
	src := filepath.Join(h.t.TempDir(), "up")
	if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
	if f, err := h.remote(rel); err == nil {
		f, err = h.other.Update(ctx, f.ID, src)
		if err != nil {
			h.t.Fatal(err)
		}
		return f
	}
	parent := h.rmkdirs(path.Dir(rel))
	f, err := h.other.Create(ctx, parent, path.Base(rel), src)
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// rmkdirs makes the Drive folders of dir and returns the last one's ID.
func (h *harness) rmkdirs(dir string) string {
	h.t.Helper()
	id := h.rootID
	if dir == "." || dir == "" {
		return id
	}
	cur := ""
	for _, part := range strings.Split(dir, "/") {
		cur = path.Join(cur, part)
		if f, err := h.remote(cur); err == nil {
			id = f.ID
			continue
		}
		f, err := h.other.Mkdir(context.Background(), id, part)
		if err != nil {
			h.t.Fatal(err)
		}
		id = f.ID
	}
	return id
}

func (h *harness) rtrash(rel string) {
	h.t.Helper()
	f, err := h.remote(rel)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.other.Trash(context.Background(), f.ID); err != nil {
		h.t.Fatal(err)
	}
}

// rmove renames/moves the Drive item at rel to to.
func (h *harness) rmove(rel, to string) {
	h.t.Helper()
	f, err := h.remote(rel)
	if err != nil {
		h.t.Fatal(err)
	}
	parent := h.rmkdirs(path.Dir(to))
	if _, err := h.other.Move(context.Background(), f.ID, f.Parents[0], parent, path.Base(to)); err != nil {
		h.t.Fatal(err)
	}
}

// trashed lists the files in the local trash, relative to their day.
func (h *harness) trashed() []string {
	var out []string
	filepath.WalkDir(filepath.Join(h.state, "trash"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join(h.state, "trash"), p)
			parts := strings.SplitN(filepath.ToSlash(rel), "/", 2)
			out = append(out, parts[len(parts)-1])
		}
		return nil
	})
	return out
}

// conflicts lists local conflict copies of rel.
func (h *harness) conflicts(rel string) []string {
	h.t.Helper()
	ext := path.Ext(rel)
	stem := strings.TrimSuffix(path.Base(rel), ext)
	ms, _ := filepath.Glob(filepath.Join(h.root, filepath.FromSlash(path.Dir(rel)), stem+".conflict-*-testhost"+ext))
	var out []string
	for _, m := range ms {
		r, _ := filepath.Rel(h.root, m)
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
