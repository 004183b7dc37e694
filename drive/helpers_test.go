package drive_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/oauth2"
	gdrive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// env is an emulator served over real HTTP and a Client talking to it.
type env struct {
	t  testing.TB
	sv *fakedrive.Server
	ts *httptest.Server
	c  *drive.Client
}

// newEnv starts an emulator with fo and a client with o (Endpoint and
// TokenSource filled in). wrap, if not nil, sits between the network and
// the emulator.
func newEnv(t testing.TB, fo fakedrive.Options, o drive.Options, wrap ...func(http.Handler) http.Handler) *env {
	t.Helper()
	sv, err := fakedrive.New(fo)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = sv
	for _, w := range wrap {
		h = w(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e := &env{t: t, sv: sv, ts: ts}
	e.c = e.client(o)
	return e
}

// client makes another client of the same emulator.
func (e *env) client(o drive.Options) *drive.Client {
	e.t.Helper()
	o.Endpoint = e.ts.URL
	if o.TokenSource == nil {
		o.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: e.sv.Token(), Expiry: time.Now().Add(time.Hour)})
	}
	c, err := drive.New(context.Background(), o)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return c
}

// fastPacer keeps retries quick in tests.
func fastPacer() drive.PacerConfig {
	return drive.PacerConfig{QPS: 2000, Burst: 200, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 30, Seed: 1}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16)})
	b := make([]byte, n)
	r.Read(b)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustRead reads a file or fails the test.
func mustRead(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameBytes fails the test unless got equals want.
func sameBytes(t testing.TB, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes (md5 %s), want %d bytes (md5 %s)", what, len(got), md5hex(got), len(want), md5hex(want))
	}
}

// api is the official client on the same emulator, for setting up what
// Remote cannot make (shortcuts, shared drives, deletions, native files).
func (e *env) api() *gdrive.Service {
	e.t.Helper()
	svc, err := gdrive.NewService(context.Background(), option.WithEndpoint(e.ts.URL+"/drive/v3/"),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: e.sv.Token()})))
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}

// genTree is a tree of top folders, each with sub subfolders holding per
// files; file content is derived from its path.
func genTree(top, sub, per int) fstest.MapFS {
	m := fstest.MapFS{}
	for i := range top {
		for j := range sub {
			dir := fmt.Sprintf("t%02d/s%03d", i, j)
			m[dir] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
			for k := range per {
				p := fmt.Sprintf("%s/f%04d.txt", dir, k)
				m[p] = &fstest.MapFile{Data: []byte("content of " + p), ModTime: time.Unix(1700000000, 0)}
			}
		}
	}
	return m
}

// walkPaths lists a tree's paths; files map to their md5, folders to "/".
func walkPaths(t testing.TB, tree *drive.Tree) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := tree.Walk(func(p string, f drive.File) error {
		if _, dup := out[p]; dup {
			t.Errorf("path %s walked twice", p)
		}
		if f.IsFolder() {
			out[p] = "/"
		} else {
			out[p] = f.MD5
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fsPaths lists an fs.FS the same way.
func fsPaths(t testing.TB, fsys fs.FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		if d.IsDir() {
			out[p] = "/"
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		out[p] = md5hex(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffPaths fails the test if the two listings differ.
func diffPaths(t testing.TB, got, want map[string]string) {
	t.Helper()
	n := 0
	for p, w := range want {
		if g, ok := got[p]; !ok || g != w {
			if n++; n <= 5 {
				t.Errorf("%s: got %q, want %q", p, g, w)
			}
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			if n++; n <= 5 {
				t.Errorf("%s: listed but not in the drive", p)
			}
		}
	}
	if n > 0 {
		t.Fatalf("%d differences (%d listed, %d expected)", n, len(got), len(want))
	}
}
