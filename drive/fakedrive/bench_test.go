package fakedrive_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// The emulator's overhead is measured against a baseline in the same
// process: the same official client calling a bare handler on loopback
// that returns a fixed reply. Run:
//
//	go test -run XXX -bench . -benchtime 2s ./drive/fakedrive/
//
// emulator overhead per metadata request = FilesGet - BaselineGet.

func baselineService(b *testing.B, h http.Handler) (*drive.Service, *httptest.Server) {
	ts := httptest.NewServer(h)
	b.Cleanup(ts.Close)
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"}))
	srv, err := drive.NewService(context.Background(), option.WithEndpoint(ts.URL+"/drive/v3/"), option.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	return srv, ts
}

func benchEnv(b *testing.B) *env {
	sv, err := fakedrive.New(fakedrive.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(sv)
	b.Cleanup(ts.Close)
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token()}))
	srv, _ := drive.NewService(context.Background(), option.WithEndpoint(ts.URL+"/drive/v3/"), option.WithHTTPClient(hc))
	return &env{sv: sv, ts: ts, srv: srv, hc: hc}
}

func BenchmarkBaselineGet(b *testing.B) {
	reply := []byte(`{"kind":"drive#file","id":"1abc","name":"a.bin","mimeType":"application/octet-stream","md5Checksum":"0123456789abcdef0123456789abcdef","size":"100"}`)
	srv, _ := baselineService(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(reply)
	}))
	for b.Loop() {
		if _, err := srv.Files.Get("1abc").Fields("id,name,mimeType,md5Checksum,size").Do(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilesGet(b *testing.B) {
	e := benchEnv(b)
	f, err := e.srv.Files.Create(&drive.File{Name: "a.bin"}).Media(strings.NewReader("0123456789")).Do()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.srv.Files.Get(f.Id).Fields("id,name,mimeType,md5Checksum,size").Do(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFilesListFolder lists one folder of 100 files among 20,000.
func BenchmarkFilesListFolder(b *testing.B) {
	e := benchEnv(b)
	dir := b.TempDir()
	seedTree(b, dir, 200, 100)
	if _, err := e.sv.Import(dir, ""); err != nil {
		b.Fatal(err)
	}
	l, err := e.srv.Files.List().Q("name = 'd007'").Do()
	if err != nil || len(l.Files) != 1 {
		b.Fatal(err, l)
	}
	q := fmt.Sprintf("'%s' in parents and trashed = false", l.Files[0].Id)
	for b.Loop() {
		r, err := e.srv.Files.List().Q(q).PageSize(1000).Fields("nextPageToken,files(id,name,mimeType,md5Checksum,size,modifiedTime,parents)").Do()
		if err != nil || len(r.Files) != 100 {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineDownload64MiB(b *testing.B) {
	body := randBytes(64<<20, 5)
	srv, _ := baselineService(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", zeroTime, bytes.NewReader(body))
	}))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		download(b, srv, "x")
	}
}

func BenchmarkDownload64MiB(b *testing.B) {
	e := benchEnv(b)
	body := randBytes(64<<20, 5)
	f, err := e.srv.Files.Create(&drive.File{Name: "big"}).Media(bytes.NewReader(body)).Do()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		download(b, e.srv, f.Id)
	}
}

func BenchmarkUpload64MiB(b *testing.B) {
	e := benchEnv(b)
	body := randBytes(64<<20, 6)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := e.srv.Files.Create(&drive.File{Name: "up"}).Media(bytes.NewReader(body)).Do(); err != nil {
			b.Fatal(err)
		}
	}
}

func download(b *testing.B, srv *drive.Service, id string) {
	resp, err := srv.Files.Get(id).Download()
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// BenchmarkBaselineUpload64MiB is the same client upload against a bare
// handler that speaks just enough of the resumable protocol.
func BenchmarkBaselineUpload64MiB(b *testing.B) {
	body := randBytes(64<<20, 6)
	var srvURL string
	srv, ts := baselineService(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Query().Get("upload_id") == "" {
			w.Header().Set("Location", srvURL+"/upload/drive/v3/files?uploadType=resumable&upload_id=x")
			return
		}
		if strings.HasSuffix(r.Header.Get("Content-Range"), "/*") {
			w.Header().Set("X-Http-Status-Code-Override", "308")
			return
		}
		w.Write([]byte(`{"id":"x"}`))
	}))
	srvURL = ts.URL
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := srv.Files.Create(&drive.File{Name: "up"}).Media(bytes.NewReader(body)).Do(); err != nil {
			b.Fatal(err)
		}
	}
}
