package drive_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	gdrive "google.golang.org/api/drive/v3"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestListTree(t *testing.T) {
	tests := []struct {
		name          string
		top, sub, per int
		extra         fstest.MapFS
		latency       time.Duration
	}{
		{"empty drive", 0, 0, 0, nil, 0},
		{"flat", 1, 1, 7, nil, 0},
		{"wide and deep", 3, 4, 5, fstest.MapFS{
			"t00/s000/deep/er/still/x.bin": {Data: []byte("x"), ModTime: time.Unix(1e9, 0)},
			"empty/dir":                    {Mode: fs.ModeDir | 0o755},
			"quote's \\ dir/a.txt":         {Data: []byte("a"), ModTime: time.Unix(1e9, 0)},
		}, 0},
		{"more than a page", 1, 2, 1100, nil, 0},
		{"latency", 2, 60, 3, nil, 5 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakedrive.Options{Latency: tt.latency}, drive.Options{Pacer: fastPacer()})
			fsys := genTree(tt.top, tt.sub, tt.per)
			for k, v := range tt.extra {
				fsys[k] = v
			}
			if _, err := e.sv.ImportFS(fsys, ""); err != nil {
				t.Fatal(err)
			}
			tree, err := e.c.ListTree(context.Background(), "root", drive.ListOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if tree.Incomplete {
				t.Error("Incomplete set though Drive never said so")
			}
			diffPaths(t, walkPaths(t, tree), fsPaths(t, fsys))
			for _, f := range tree.Files {
				if f.ID == "" || len(f.Parents) == 0 || (!f.IsFolder() && f.ModTime.IsZero()) {
					t.Fatalf("incomplete metadata: %+v", f)
				}
			}
		})
	}
}

// TestListTreeCallCount is the listing bar at a size fit for every test
// run: no more than 1.5 × (folders/50 + items/1000) list calls.
func TestListTreeCallCount(t *testing.T) {
	e := newEnv(t, fakedrive.Options{Latency: 2 * time.Millisecond}, drive.Options{Pacer: fastPacer()})
	const top, sub, per = 4, 30, 25
	if _, err := e.sv.ImportFS(genTree(top, sub, per), ""); err != nil {
		t.Fatal(err)
	}
	before := e.sv.Stats().Methods["files.list"]
	tree, err := e.c.ListTree(context.Background(), "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	folders, files := top+top*sub, top*sub*per
	if len(tree.Files) != folders+files {
		t.Fatalf("listed %d items, want %d", len(tree.Files), folders+files)
	}
	calls := e.sv.Stats().Methods["files.list"] - before
	bound := 1.5 * (math.Ceil(float64(folders)/50) + math.Ceil(float64(folders+files)/1000))
	t.Logf("%d list calls for %d folders and %d files (bound %.1f)", calls, folders, files, bound)
	if float64(calls) > bound {
		t.Fatalf("%d list calls, want at most %.1f", calls, bound)
	}
}

// emptyBatches answers every files.list whose q names several parents
// with an empty page, as Drive sometimes does, and counts what it saw.
func emptyBatches(batched, single *atomic.Int64) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == "/drive/v3/files" {
				if strings.Contains(r.URL.Query().Get("q"), " or ") {
					batched.Add(1)
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, `{"files":[]}`)
					return
				}
				single.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestListTreeEmptyBatchFallsBackToSingleQueries(t *testing.T) {
	var batched, single atomic.Int64
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()}, emptyBatches(&batched, &single))
	fsys := genTree(2, 3, 2)
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	tree, err := e.c.ListTree(context.Background(), "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	diffPaths(t, walkPaths(t, tree), fsPaths(t, fsys))
	// root alone; t00,t01 batched (empty) then one by one; their six
	// subfolders batched (empty) then one by one.
	if batched.Load() != 2 || single.Load() != 1+2+6 {
		t.Fatalf("%d batched and %d single queries, want 2 and 9", batched.Load(), single.Load())
	}
}

// incompleteOnce marks the first files.list answer incompleteSearch.
func incompleteOnce() func(http.Handler) http.Handler {
	var done atomic.Bool
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/drive/v3/files" || r.Method != http.MethodGet || done.Swap(true) {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			body["incompleteSearch"] = true
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(rec.Code)
			json.NewEncoder(w).Encode(body)
		})
	}
}

func TestListTreeReportsIncompleteSearch(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()}, incompleteOnce())
	if _, err := e.sv.ImportFS(genTree(1, 2, 2), ""); err != nil {
		t.Fatal(err)
	}
	tree, err := e.c.ListTree(context.Background(), "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !tree.Incomplete {
		t.Fatal("Drive said incompleteSearch, the tree does not")
	}
}

func TestListTreeSkipsTrashAndErrors(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	fsys := genTree(1, 2, 2)
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	s1, err := e.c.ResolvePath(ctx, "root", "t00/s001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Trash(ctx, s1.ID); err != nil {
		t.Fatal(err)
	}
	tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for p := range fsys {
		if strings.HasPrefix(p, "t00/s001") {
			delete(fsys, p)
		}
	}
	diffPaths(t, walkPaths(t, tree), fsPaths(t, fsys))

	f, err := e.c.ResolvePath(ctx, "root", "t00/s000/f0000.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ListTree(ctx, f.ID, drive.ListOptions{}); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("listing a file: err = %v, want 'not a folder'", err)
	}
	if _, err := e.c.ListTree(ctx, "1nosuchfolderxxxxxxxxxxxxxxxxxxxx", drive.ListOptions{}); !errors.Is(err, drive.ErrNotFound) {
		t.Fatalf("listing a missing folder: err = %v, want ErrNotFound", err)
	}
}

func TestListTreeSharedDrive(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	sd, err := e.api().Drives.Create("req-1", &gdrive.Drive{Name: "Team"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sv.ImportFS(genTree(1, 1, 2), ""); err != nil { // My Drive noise
		t.Fatal(err)
	}
	dir, err := e.c.Mkdir(ctx, sd.Id, "models")
	if err != nil {
		t.Fatal(err)
	}
	src := writeFile(t, t.TempDir(), "w.bin", []byte("weights"))
	f, err := e.c.Create(ctx, dir.ID, "w.bin", src)
	if err != nil {
		t.Fatal(err)
	}
	if f.DriveID != sd.Id {
		t.Fatalf("file in a shared drive has DriveID %q, want %q", f.DriveID, sd.Id)
	}
	tree, err := e.c.ListTree(ctx, sd.Id, drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	diffPaths(t, walkPaths(t, tree), map[string]string{"models": "/", "models/w.bin": md5hex([]byte("weights"))})
	got, err := e.c.ResolvePath(ctx, sd.Id, "/models/w.bin")
	if err != nil || got.ID != f.ID {
		t.Fatalf("ResolvePath in a shared drive = %+v, %v; want %s", got, err, f.ID)
	}
}

func TestListTreeFollowsShortcutsWithoutLooping(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	fsys := fstest.MapFS{
		"A/B/b.txt": {Data: []byte("b")},
		"C/c.txt":   {Data: []byte("c")},
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	a, _ := e.c.ResolvePath(ctx, "root", "A")
	b, _ := e.c.ResolvePath(ctx, "root", "A/B")
	c, _ := e.c.ResolvePath(ctx, "root", "C")
	api := e.api()
	var toC string
	for _, s := range []struct{ name, parent, target string }{{"toA", b.ID, a.ID}, {"toC", a.ID, c.ID}} {
		sc, err := api.Files.Create(&gdrive.File{Name: s.name, MimeType: drive.ShortcutMime, Parents: []string{s.parent},
			ShortcutDetails: &gdrive.FileShortcutDetails{TargetId: s.target}}).Do()
		if err != nil {
			t.Fatal(err)
		}
		toC = sc.Id
	}
	viaShortcut, err := e.c.ListTree(ctx, toC, drive.ListOptions{})
	if err != nil || viaShortcut.Root.ID != c.ID || len(viaShortcut.Files) != 1 {
		t.Fatalf("listing a folder shortcut: %+v, %v; want the target's tree", viaShortcut, err)
	}
	plain, err := e.c.ListTree(ctx, a.ID, drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	followed, err := e.c.ListTree(ctx, a.ID, drive.ListOptions{FollowShortcuts: true})
	if err != nil {
		t.Fatal(err)
	}
	kinds := func(tree *drive.Tree) []string {
		var out []string
		tree.Walk(func(p string, f drive.File) error {
			out = append(out, p)
			return nil
		})
		return out
	}
	if got, want := strings.Join(kinds(plain), " "), "B B/b.txt B/toA toC"; got != want {
		t.Errorf("without following: %s, want %s", got, want)
	}
	// toA leads back to A, on the path: listed as an entry, not entered.
	if got, want := strings.Join(kinds(followed), " "), "B B/b.txt B/toA toC toC/c.txt"; got != want {
		t.Errorf("following: %s, want %s", got, want)
	}
	var skipped []string
	followed.Walk(func(p string, f drive.File) error {
		skipped = append(skipped, p)
		if p == "B" {
			return fs.SkipDir
		}
		return nil
	})
	if got := strings.Join(skipped, " "); got != "B toC toC/c.txt" {
		t.Errorf("SkipDir on B: %s", got)
	}
	stop := errors.New("stop")
	if err := followed.Walk(func(string, drive.File) error { return stop }); err != stop {
		t.Errorf("Walk returned %v, want the callback's error", err)
	}
}

func TestWalkPassesRawNames(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	d, err := e.c.Mkdir(ctx, "root", "d")
	if err != nil {
		t.Fatal(err)
	}
	src := writeFile(t, t.TempDir(), "x", []byte("x"))
	for _, name := range []string{"..", "a/b", "."} {
		if _, err := e.c.Create(ctx, d.ID, name, src); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tree.Walk(func(p string, f drive.File) error {
		got = append(got, p)
		return nil
	})
	if g := strings.Join(got, " "); g != "d d/. d/.. d/a/b" {
		t.Fatalf("paths %q: names must reach the caller uncleaned", g)
	}
}

func TestResolvePath(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	fsys := fstest.MapFS{
		"a/b/c.txt":     {Data: []byte("c")},
		"it's/x\\y.txt": {Data: []byte("q")},
		"dup/one.txt":   {Data: []byte("1")},
		"a/b/c.txt.bak": {Data: []byte("bak")},
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	dup, _ := e.c.ResolvePath(ctx, "root", "dup")
	src := writeFile(t, t.TempDir(), "one.txt", []byte("2"))
	if _, err := e.c.Create(ctx, dup.ID, "one.txt", src); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path    string
		want    string // content, "/" for the root, "" for folders
		wantErr error
	}{
		{"", "/", nil},
		{"/", "/", nil},
		{"a/b/c.txt", "c", nil},
		{"/a//b/./c.txt", "c", nil},
		{"it's/x\\y.txt", "q", nil},
		{"a/b/C.txt", "", drive.ErrNotFound},
		{"a/b/c.txt/d", "", drive.ErrNotFound},
		{"nope", "", drive.ErrNotFound},
		{"dup/one.txt", "", drive.ErrAmbiguous},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		f, err := e.c.ResolvePath(ctx, "root", tt.path)
		if !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
			t.Errorf("ResolvePath(%q): err = %v, want %v", tt.path, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if tt.want == "/" {
			if f.Name != "My Drive" {
				t.Errorf("ResolvePath(%q) = %q, want My Drive", tt.path, f.Name)
			}
			continue
		}
		out := dir + "/out"
		if _, err := e.c.Download(ctx, f, out, drive.DownloadOptions{}); err != nil {
			t.Fatal(err)
		}
		if got := mustRead(t, out); !bytes.Equal(got, []byte(tt.want)) {
			t.Errorf("ResolvePath(%q) found content %q, want %q", tt.path, got, tt.want)
		}
	}
}
