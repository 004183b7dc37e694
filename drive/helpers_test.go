package drive_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/oauth2"

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
