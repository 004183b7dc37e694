package fakedrive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestListPagingQueryFields(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	dir := t.TempDir()
	const n = 2500
	for i := 0; i < n; i++ {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%25))
		os.MkdirAll(sub, 0o755)
		os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%04d.txt", i)), []byte(fmt.Sprint(i)), 0o644)
	}
	if _, err := e.sv.Import(dir, ""); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	pages := 0
	err := e.srv.Files.List().Q("mimeType != 'application/vnd.google-apps.folder' and trashed = false").PageSize(1000).
		Fields("nextPageToken,files(id,name,md5Checksum,size)").Pages(context.Background(), func(l *drive.FileList) error {
		pages++
		for _, f := range l.Files {
			if seen[f.Id] || f.Md5Checksum == "" || f.Size == 0 {
				return fmt.Errorf("bad or repeated file %+v", f)
			}
			seen[f.Id] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || pages != 3 {
		t.Fatalf("listed %d files in %d pages, want %d in 3", len(seen), pages, n)
	}
	// Several folders in one query, ordered by name.
	folders, err := e.srv.Files.List().Q("'root' in parents and mimeType = 'application/vnd.google-apps.folder'").OrderBy("name desc").PageSize(5).Do()
	if err != nil {
		t.Fatal(err)
	}
	if len(folders.Files) != 5 || folders.Files[0].Name != "d24" || folders.NextPageToken == "" {
		t.Fatalf("folders page %+v", folders)
	}
	q := fmt.Sprintf("('%s' in parents or '%s' in parents) and name contains 'f00'", folders.Files[0].Id, folders.Files[1].Id)
	l, err := e.srv.Files.List().Q(q).PageSize(1000).Do()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range l.Files {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	// f0000..f0099 spread over d00..d24: d24 holds f0024,f0049,f0074,f0099; d23 f0023,f0048,f0073,f0098.
	if strings.Join(names, ",") != "f0023.txt,f0024.txt,f0048.txt,f0049.txt,f0073.txt,f0074.txt,f0098.txt,f0099.txt" {
		t.Fatalf("or-query names %v", names)
	}
	// Name escapes.
	if _, err := e.srv.Files.Create(&drive.File{Name: `it's a \ test`}).Do(); err != nil {
		t.Fatal(err)
	}
	l, err = e.srv.Files.List().Q(`name = 'it\'s a \\ test'`).Do()
	if err != nil || len(l.Files) != 1 {
		t.Fatalf("escaped name: %v %+v", err, l)
	}
	// appProperties has.
	if _, err := e.srv.Files.Create(&drive.File{Name: "tagged", AppProperties: map[string]string{"k": "v"}}).Do(); err != nil {
		t.Fatal(err)
	}
	l, err = e.srv.Files.List().Q("appProperties has { key='k' and value='v' }").Fields("files(name,appProperties)").Do()
	if err != nil || len(l.Files) != 1 || l.Files[0].AppProperties["k"] != "v" {
		t.Fatalf("appProperties: %v %+v", err, l)
	}
	// Errors: bad q, bad fields, bad pageSize, bad pageToken, bad orderBy.
	_, err = e.srv.Files.List().Q("name = 'unterminated").Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Files.List().Q("size > 3").Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Files.List().Fields("files(nosuchfield)").Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Files.List().PageSize(1001).Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Files.List().PageToken("garbage").Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Files.List().OrderBy("size").Do()
	apiErr(t, err, 400, "invalid")
	// Partial response leaves unselected top-level fields out.
	resp, err := e.hc.Get(e.ts.URL + "/drive/v3/files?pageSize=1&fields=files(id)")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	if _, ok := raw["nextPageToken"]; ok || len(raw) != 1 {
		t.Fatalf("fields=files(id) returned %v", raw)
	}
}

func TestResumableUploadLarge(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	body := randBytes(17<<20, 2) // over the client's 16 MiB chunk: resumable
	before := e.sv.Stats()
	f, err := e.srv.Files.Create(&drive.File{Name: "big.bin"}).Media(bytes.NewReader(body), googleapi.ChunkSize(4<<20)).Fields("id,md5Checksum,size").Do()
	if err != nil {
		t.Fatal(err)
	}
	if f.Md5Checksum != md5hex(body) || f.Size != int64(len(body)) {
		t.Fatalf("resumable result %+v", f)
	}
	st := e.sv.Stats()
	if st.Methods["files.create.upload"]-before.Methods["files.create.upload"] != 1 || st.Methods["upload.chunk"]-before.Methods["upload.chunk"] != 5 {
		t.Fatalf("calls: %v", st.Methods)
	}
	if st.Routes["POST /upload/drive/v3/files"]-before.Routes["POST /upload/drive/v3/files"] != 6 {
		t.Fatalf("routes: %v", st.Routes)
	}
	if got := st.MediaBytesIn - before.MediaBytesIn; got < int64(len(body)) {
		t.Fatalf("media bytes in %d < %d", got, len(body))
	}
}

// TestResumableProtocol drives the raw protocol: a chunk cut off mid-body,
// a status query, resuming from the server's committed offset, 308 forms.
func TestResumableProtocol(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	const q = 256 << 10
	body := randBytes(3*q+100, 3)
	req, _ := http.NewRequest("POST", e.ts.URL+"/upload/drive/v3/files?uploadType=resumable&fields=id,md5Checksum,size", strings.NewReader(`{"name":"r.bin"}`))
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("X-Upload-Content-Length", fmt.Sprint(len(body)))
	resp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 200 || !strings.HasPrefix(loc, e.ts.URL+"/upload/drive/v3/files?") {
		t.Fatalf("session start: %d %q", resp.StatusCode, loc)
	}
	put := func(data []byte, cr string, no308 bool) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("PUT", loc, bytes.NewReader(data))
		req.ContentLength = int64(len(data))
		req.Header.Set("Content-Range", cr)
		if no308 {
			req.Header.Set("X-GUploader-No-308", "yes")
		}
		resp, err := e.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	// A chunk whose connection breaks after 1.5 quanta. The server keeps what
	// arrived in whole quanta: one, or none if the reset beat the bytes.
	pr, pw := io.Pipe()
	go func() {
		pw.Write(body[:q+q/2])
		pw.CloseWithError(fmt.Errorf("connection dropped"))
	}()
	req, _ = http.NewRequest("PUT", loc, pr)
	req.ContentLength = 2 * q
	req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", 2*q-1, len(body)))
	if resp, err := e.hc.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("broken chunk answered %d", resp.StatusCode)
	}
	// Ask what was committed: plain 308 without the header, override with it.
	r := put(nil, fmt.Sprintf("bytes */%d", len(body)), false)
	committed := 0
	switch rng := r.Header.Get("Range"); rng {
	case "":
	case fmt.Sprintf("bytes=0-%d", q-1):
		committed = q
	default:
		t.Fatalf("status query: Range %q, want none or one quantum", rng)
	}
	if r.StatusCode != 308 {
		t.Fatalf("status query: %d", r.StatusCode)
	}
	// Resuming past the committed offset is refused.
	r = put(body[2*q:3*q], fmt.Sprintf("bytes %d-%d/%d", 2*q, 3*q-1, len(body)), true)
	if r.StatusCode != 400 {
		t.Fatalf("gap chunk: %d", r.StatusCode)
	}
	// Resume from the committed offset; bytes the server already has may
	// be sent again.
	from := max(0, committed-q/2)
	r = put(body[from:3*q], fmt.Sprintf("bytes %d-%d/%d", from, 3*q-1, len(body)), true)
	if r.StatusCode != 200 || r.Header.Get("X-Http-Status-Code-Override") != "308" || r.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", 3*q-1) {
		t.Fatalf("resume chunk: %d %v", r.StatusCode, r.Header)
	}
	req, _ = http.NewRequest("PUT", loc, bytes.NewReader(body[3*q:]))
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", 3*q, len(body)-1, len(body)))
	resp, err = e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var f drive.File
	json.NewDecoder(resp.Body).Decode(&f)
	resp.Body.Close()
	if resp.StatusCode != 200 || f.Md5Checksum != md5hex(body) || f.Size != int64(len(body)) {
		t.Fatalf("final chunk: %d %+v", resp.StatusCode, f)
	}
	// The finished session answers again with the file.
	r = put(nil, fmt.Sprintf("bytes */%d", len(body)), true)
	if r.StatusCode != 200 {
		t.Fatalf("query after finish: %d", r.StatusCode)
	}
}

func TestChangesFeed(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	start, err := e.srv.Changes.GetStartPageToken().Do()
	if err != nil {
		t.Fatal(err)
	}
	dir := e.mkdir(t, "dir")
	var ids []string
	for i := 0; i < 250; i++ {
		f, err := e.srv.Files.Create(&drive.File{Name: fmt.Sprintf("f%d", i), Parents: []string{dir.Id}}).Do()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.Id)
	}
	e.srv.Files.Update(ids[0], &drive.File{Name: "renamed"}).Do()
	e.srv.Files.Update(ids[1], &drive.File{Trashed: true}).Do()
	e.srv.Files.Delete(ids[2]).Do()
	all := map[string]*drive.Change{}
	tok := start.StartPageToken
	pages := 0
	var newStart string
	for tok != "" {
		l, err := e.srv.Changes.List(tok).PageSize(100).Fields("nextPageToken,newStartPageToken,changes(fileId,removed,file(name,trashed,parents))").Do()
		if err != nil {
			t.Fatal(err)
		}
		if l.NextPageToken != "" && l.NewStartPageToken != "" {
			t.Fatal("page has both nextPageToken and newStartPageToken")
		}
		pages++
		for _, c := range l.Changes {
			if all[c.FileId] != nil {
				t.Fatalf("file %s reported twice", c.FileId)
			}
			all[c.FileId] = c
		}
		tok, newStart = l.NextPageToken, l.NewStartPageToken
	}
	if len(all) != 251 || pages != 3 {
		t.Fatalf("%d changes in %d pages", len(all), pages)
	}
	if all[ids[0]].File.Name != "renamed" || !all[ids[1]].File.Trashed || !all[ids[2]].Removed || all[ids[2]].File != nil {
		t.Fatalf("rename %+v trash %+v delete %+v", all[ids[0]].File, all[ids[1]].File, all[ids[2]])
	}
	// Idle: one call, no changes, same token.
	l, err := e.srv.Changes.List(newStart).Do()
	if err != nil || len(l.Changes) != 0 || l.NewStartPageToken != newStart {
		t.Fatalf("idle poll: %v %+v", err, l)
	}
	// A move shows up too.
	other := e.mkdir(t, "other")
	e.srv.Files.Update(ids[3], &drive.File{}).AddParents(other.Id).RemoveParents(dir.Id).Do()
	l, err = e.srv.Changes.List(newStart).Fields("changes(fileId,file(parents))").Do()
	if err != nil || len(l.Changes) != 2 {
		t.Fatalf("after move: %v %+v", err, l)
	}
	_, err = e.srv.Changes.List("notanumber").Do()
	apiErr(t, err, 400, "invalid")
}

func TestAboutAndDrives(t *testing.T) {
	e := newEnv(t, fakedrive.Options{User: "ada@example.com"})
	_, err := e.srv.About.Get().Do()
	apiErr(t, err, 400, "required")
	a, err := e.srv.About.Get().Fields("user,storageQuota,maxUploadSize").Do()
	if err != nil {
		t.Fatal(err)
	}
	if a.User.EmailAddress != "ada@example.com" || a.StorageQuota.Limit == 0 || a.MaxUploadSize == 0 {
		t.Fatalf("about %+v %+v", a.User, a.StorageQuota)
	}
	d, err := e.srv.Drives.Create("req-1", &drive.Drive{Name: "Team"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	f, err := e.srv.Files.Create(&drive.File{Name: "in-team", Parents: []string{d.Id}}).SupportsAllDrives(true).Fields("id,driveId").Do()
	if err != nil || f.DriveId != d.Id {
		t.Fatalf("create in shared drive: %v %+v", err, f)
	}
	_, err = e.srv.Files.Get(f.Id).Do()
	apiErr(t, err, 404, "notFound")
	l, err := e.srv.Files.List().Corpora("drive").DriveId(d.Id).IncludeItemsFromAllDrives(true).SupportsAllDrives(true).Do()
	if err != nil || len(l.Files) != 1 {
		t.Fatalf("list shared drive: %v %+v", err, l)
	}
	_, err = e.srv.Files.List().Corpora("drive").Do()
	apiErr(t, err, 400, "invalid")
	dl, err := e.srv.Drives.List().Do()
	if err != nil || len(dl.Drives) != 1 || dl.Drives[0].Name != "Team" {
		t.Fatalf("drives.list: %v %+v", err, dl)
	}
}

func TestStatePersistsAcrossRestart(t *testing.T) {
	state := t.TempDir()
	sv, err := fakedrive.New(fakedrive.Options{StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	e := envFor(t, sv)
	f, err := e.srv.Files.Create(&drive.File{Name: "keep.txt"}).Media(strings.NewReader("persist me")).Fields("id,md5Checksum").Do()
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := e.srv.Changes.GetStartPageToken().Do()
	root := sv.RootID()
	if err := sv.Close(); err != nil {
		t.Fatal(err)
	}
	sv2, err := fakedrive.New(fakedrive.Options{StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	e2 := envFor(t, sv2)
	if sv2.RootID() != root {
		t.Fatal("root ID changed across restart")
	}
	g, err := e2.srv.Files.Get(f.Id).Fields("md5Checksum").Do()
	if err != nil || g.Md5Checksum != f.Md5Checksum {
		t.Fatalf("after restart: %v %+v", err, g)
	}
	resp, err := e2.srv.Files.Get(f.Id).Download()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "persist me" {
		t.Fatalf("content after restart %q", b)
	}
	tok2, _ := e2.srv.Changes.GetStartPageToken().Do()
	if tok2.StartPageToken != tok.StartPageToken {
		t.Fatalf("page token %s -> %s", tok.StartPageToken, tok2.StartPageToken)
	}
}

func TestDrivesListPagingAndQuery(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	for i := 0; i < 12; i++ {
		if _, err := e.srv.Drives.Create(fmt.Sprintf("req-%d", i), &drive.Drive{Name: fmt.Sprintf("Team %02d", i)}).Do(); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	err := e.srv.Drives.List().Pages(context.Background(), func(l *drive.DriveList) error {
		if len(l.Drives) > 10 {
			return fmt.Errorf("page of %d drives, default pageSize is 10", len(l.Drives))
		}
		for _, d := range l.Drives {
			names = append(names, d.Name)
		}
		return nil
	})
	if err != nil || len(names) != 12 {
		t.Fatalf("paged %d drives: %v", len(names), err)
	}
	l, err := e.srv.Drives.List().Q("name = 'Team 07'").Do()
	if err != nil || len(l.Drives) != 1 || l.Drives[0].Name != "Team 07" {
		t.Fatalf("q by name: %v %+v", err, l)
	}
	_, err = e.srv.Drives.List().PageSize(101).Do()
	apiErr(t, err, 400, "invalid")
	_, err = e.srv.Drives.List().Q("trashed = false").Do()
	apiErr(t, err, 400, "invalid")
}

// TestStorageQuota: usage follows uploads, new revisions and deletes, and
// an upload past the limit is refused like Drive does.
func TestStorageQuota(t *testing.T) {
	e := newEnv(t, fakedrive.Options{StorageLimit: 1000})
	usage := func() int64 {
		t.Helper()
		a, err := e.srv.About.Get().Fields("storageQuota").Do()
		if err != nil {
			t.Fatal(err)
		}
		return a.StorageQuota.Usage
	}
	f, err := e.srv.Files.Create(&drive.File{Name: "a"}).Media(bytes.NewReader(make([]byte, 600))).Do()
	if err != nil {
		t.Fatal(err)
	}
	if u := usage(); u != 600 {
		t.Fatalf("usage after 600-byte upload = %d", u)
	}
	_, err = e.srv.Files.Create(&drive.File{Name: "b"}).Media(bytes.NewReader(make([]byte, 500))).Do()
	apiErr(t, err, 403, "storageQuotaExceeded")
	// A new revision replaces the old one's bytes: 900 fits.
	if _, err := e.srv.Files.Update(f.Id, &drive.File{}).Media(bytes.NewReader(make([]byte, 900))).Do(); err != nil {
		t.Fatalf("new revision within quota: %v", err)
	}
	if u := usage(); u != 900 {
		t.Fatalf("usage after new revision = %d", u)
	}
	if err := e.srv.Files.Delete(f.Id).Do(); err != nil {
		t.Fatal(err)
	}
	if u := usage(); u != 0 {
		t.Fatalf("usage after delete = %d", u)
	}
}
