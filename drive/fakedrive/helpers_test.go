package fakedrive_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/oauth2"
	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// env is an emulator on loopback and an official client pointed at it.
type env struct {
	sv  *fakedrive.Server
	ts  *httptest.Server
	srv *drive.Service
	hc  *http.Client
}

func newEnv(t *testing.T, opt fakedrive.Options) *env {
	t.Helper()
	sv, err := fakedrive.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return envFor(t, sv)
}

func envFor(t *testing.T, sv *fakedrive.Server) *env {
	t.Helper()
	ts := httptest.NewServer(sv)
	t.Cleanup(func() { ts.Close(); sv.Close() })
	ctx := context.Background()
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token(), TokenType: "Bearer"}))
	srv, err := drive.NewService(ctx, option.WithEndpoint(ts.URL+"/drive/v3/"), option.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	return &env{sv: sv, ts: ts, srv: srv, hc: hc}
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// apiErr asserts err is a *googleapi.Error with code and reason.
func apiErr(t *testing.T, err error, code int, reason string) {
	t.Helper()
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v (%T), want *googleapi.Error %d %s", err, err, code, reason)
	}
	if ge.Code != code {
		t.Fatalf("code = %d, want %d (%v)", ge.Code, code, err)
	}
	if reason != "" && (len(ge.Errors) == 0 || ge.Errors[0].Reason != reason) {
		t.Fatalf("reason = %+v, want %s", ge.Errors, reason)
	}
}

func (e *env) mkdir(t *testing.T, name string, parents ...string) *drive.File {
	t.Helper()
	f, err := e.srv.Files.Create(&drive.File{Name: name, MimeType: fakedrive.FolderMime, Parents: parents}).Do()
	if err != nil {
		t.Fatalf("mkdir %s: %v", name, err)
	}
	return f
}

var zeroTime time.Time

// seedTree writes folders×perFolder small files under dir (d000/f0000.txt…).
func seedTree(tb testing.TB, dir string, folders, perFolder int) {
	tb.Helper()
	for d := 0; d < folders; d++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", d))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			tb.Fatal(err)
		}
		for i := 0; i < perFolder; i++ {
			if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%04d.txt", i)), []byte(fmt.Sprint(d, i)), 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
}
