package fakedrive_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCreateGetDownload(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	dir := e.mkdir(t, "data")
	body := randBytes(100_000, 1)
	mt := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	f, err := e.srv.Files.Create(&drive.File{Name: "a.bin", Parents: []string{dir.Id}, ModifiedTime: mt.Format(time.RFC3339Nano)}).
		Media(bytes.NewReader(body)).Fields("id,name,md5Checksum,size,parents,modifiedTime,version,headRevisionId,mimeType").Do()
	if err != nil {
		t.Fatal(err)
	}
	if f.Md5Checksum != md5hex(body) || f.Size != int64(len(body)) || f.Parents[0] != dir.Id {
		t.Fatalf("created %+v", f)
	}
	if f.ModifiedTime != "2024-05-06T07:08:09.123Z" {
		t.Fatalf("modifiedTime = %q", f.ModifiedTime)
	}
	g, err := e.srv.Files.Get(f.Id).Fields("*").Do()
	if err != nil {
		t.Fatal(err)
	}
	if g.Name != "a.bin" || g.Md5Checksum != f.Md5Checksum || g.Sha256Checksum == "" || g.Version < 1 {
		t.Fatalf("get %+v", g)
	}
	// Default fields: kind, id, name, mimeType only.
	d, err := e.srv.Files.Get(f.Id).Do()
	if err != nil {
		t.Fatal(err)
	}
	if d.Md5Checksum != "" || d.Id != f.Id || d.MimeType != "application/octet-stream" || d.Kind != "drive#file" {
		t.Fatalf("default fields %+v", d)
	}
	resp, err := e.srv.Files.Get(f.Id).Download()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatal("download differs")
	}
	// Range: 206 with Content-Range.
	call := e.srv.Files.Get(f.Id)
	call.Header().Set("Range", "bytes=1000-1999")
	resp, err = call.Download()
	if err != nil {
		t.Fatal(err)
	}
	part, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != "bytes 1000-1999/100000" || !bytes.Equal(part, body[1000:2000]) {
		t.Fatalf("range: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(part))
	}
}

func TestNotFoundAndAuth(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	_, err := e.srv.Files.Get("nope").Do()
	apiErr(t, err, 404, "notFound")
	resp, err := http.Get(e.ts.URL + "/drive/v3/files")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	// A method Drive does not have on a path: 405 in Drive's JSON shape.
	req, _ := http.NewRequest("PUT", e.ts.URL+"/drive/v3/files/x", nil)
	r405, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r405.Body.Close()
	if err := googleapi.CheckResponse(r405); err == nil {
		t.Fatal("405 not parsed as an error")
	} else {
		apiErr(t, err, 405, "httpMethodNotAllowed")
	}
	if err := googleapi.CheckResponse(resp); err == nil {
		t.Fatal("401 not parsed as an error")
	} else {
		apiErr(t, err, 401, "authError")
	}
}

func TestNativeFiles(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	doc, err := e.srv.Files.Create(&drive.File{Name: "notes", MimeType: fakedrive.DocumentMime}).Media(strings.NewReader("hello\nworld")).Fields("id,exportLinks,size,md5Checksum").Do()
	if err != nil {
		t.Fatal(err)
	}
	if doc.Md5Checksum != "" || len(doc.ExportLinks) == 0 {
		t.Fatalf("native file %+v", doc)
	}
	_, err = e.srv.Files.Get(doc.Id).Download()
	apiErr(t, err, 403, "fileNotDownloadable")
	resp, err := e.srv.Files.Export(doc.Id, "text/plain").Download()
	if err != nil {
		t.Fatal(err)
	}
	txt, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(txt) != "hello\nworld" {
		t.Fatalf("export = %q", txt)
	}
	resp, err = e.srv.Files.Export(doc.Id, "application/vnd.openxmlformats-officedocument.wordprocessingml.document").Download()
	if err != nil {
		t.Fatal(err)
	}
	docx, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.HasPrefix(docx, []byte("PK")) {
		t.Fatal("docx export is not a zip")
	}
	_, err = e.srv.Files.Export(doc.Id, "image/png").Download()
	apiErr(t, err, 400, "badRequest")

	sc, err := e.srv.Files.Create(&drive.File{Name: "link", MimeType: fakedrive.ShortcutMime, ShortcutDetails: &drive.FileShortcutDetails{TargetId: doc.Id}}).Fields("id,shortcutDetails").Do()
	if err != nil {
		t.Fatal(err)
	}
	if sc.ShortcutDetails == nil || sc.ShortcutDetails.TargetId != doc.Id || sc.ShortcutDetails.TargetMimeType != fakedrive.DocumentMime {
		t.Fatalf("shortcut %+v", sc.ShortcutDetails)
	}
}

func TestUpdateTrashDelete(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	a := e.mkdir(t, "a")
	b := e.mkdir(t, "b")
	sub := e.mkdir(t, "sub", a.Id)
	f, err := e.srv.Files.Create(&drive.File{Name: "x.txt", Parents: []string{sub.Id}}).Media(strings.NewReader("v1")).Fields("id,headRevisionId,version").Do()
	if err != nil {
		t.Fatal(err)
	}
	// New content: same ID, new revision.
	g, err := e.srv.Files.Update(f.Id, &drive.File{}).Media(strings.NewReader("v2!")).Fields("id,headRevisionId,version,md5Checksum,size").Do()
	if err != nil {
		t.Fatal(err)
	}
	if g.Id != f.Id || g.HeadRevisionId == f.HeadRevisionId || g.Version <= f.Version || g.Size != 3 || g.Md5Checksum != md5hex([]byte("v2!")) {
		t.Fatalf("update %+v after %+v", g, f)
	}
	// Rename + move.
	m, err := e.srv.Files.Update(f.Id, &drive.File{Name: "y.txt"}).AddParents(b.Id).RemoveParents(sub.Id).Fields("name,parents").Do()
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "y.txt" || len(m.Parents) != 1 || m.Parents[0] != b.Id {
		t.Fatalf("move %+v", m)
	}
	// parents is not writable in update.
	_, err = e.srv.Files.Update(f.Id, &drive.File{Parents: []string{a.Id}}).Do()
	apiErr(t, err, 403, "fieldNotWritable")
	// A second parent is refused (single-parent rule).
	_, err = e.srv.Files.Update(f.Id, &drive.File{}).AddParents(a.Id).Do()
	apiErr(t, err, 403, "cannotAddParent")
	// A folder cannot move into its own subtree.
	_, err = e.srv.Files.Update(a.Id, &drive.File{}).AddParents(sub.Id).RemoveParents("root").Do()
	apiErr(t, err, 403, "cannotMoveFolderIntoDescendant")

	// Trash a folder: its content is trashed implicitly, untrash restores it.
	kid, err := e.srv.Files.Create(&drive.File{Name: "k", Parents: []string{a.Id}}).Media(strings.NewReader("k")).Do()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.srv.Files.Update(a.Id, &drive.File{Trashed: true}).Do(); err != nil {
		t.Fatal(err)
	}
	k, _ := e.srv.Files.Get(kid.Id).Fields("trashed,explicitlyTrashed").Do()
	if !k.Trashed || k.ExplicitlyTrashed {
		t.Fatalf("child after folder trash: %+v", k)
	}
	l, err := e.srv.Files.List().Q("trashed = false and '" + a.Id + "' in parents").Do()
	if err != nil || len(l.Files) != 0 {
		t.Fatalf("list of trashed folder: %v %+v", err, l)
	}
	if _, err := e.srv.Files.Update(a.Id, &drive.File{Trashed: false, ForceSendFields: []string{"Trashed"}}).Do(); err != nil {
		t.Fatal(err)
	}
	k, _ = e.srv.Files.Get(kid.Id).Fields("trashed").Do()
	if k.Trashed {
		t.Fatal("child still trashed after untrash")
	}
	// Delete is permanent and takes the subtree.
	if err := e.srv.Files.Delete(a.Id).Do(); err != nil {
		t.Fatal(err)
	}
	_, err = e.srv.Files.Get(kid.Id).Do()
	apiErr(t, err, 404, "notFound")
}

func TestDuplicateNamesAndLegacyParents(t *testing.T) {
	e := newEnv(t, fakedrive.Options{LegacyMultiParent: true})
	a := e.mkdir(t, "a")
	b := e.mkdir(t, "b")
	for i := 0; i < 3; i++ {
		if _, err := e.srv.Files.Create(&drive.File{Name: "same.txt", Parents: []string{a.Id}}).Media(strings.NewReader(fmt.Sprint(i))).Do(); err != nil {
			t.Fatal(err)
		}
	}
	l, err := e.srv.Files.List().Q("name = 'same.txt' and '" + a.Id + "' in parents").Do()
	if err != nil || len(l.Files) != 3 {
		t.Fatalf("duplicates: %v %d", err, len(l.Files))
	}
	both, err := e.srv.Files.Update(l.Files[0].Id, &drive.File{}).AddParents(b.Id).Fields("parents").Do()
	if err != nil || len(both.Parents) != 2 {
		t.Fatalf("second parent: %v %+v", err, both)
	}
	// Deleting one parent folder keeps the file in the other.
	if err := e.srv.Files.Delete(a.Id).Do(); err != nil {
		t.Fatal(err)
	}
	kept, err := e.srv.Files.Get(l.Files[0].Id).Fields("parents").Do()
	if err != nil || len(kept.Parents) != 1 || kept.Parents[0] != b.Id {
		t.Fatalf("after deleting one parent: %v %+v", err, kept)
	}
}
