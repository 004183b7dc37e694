package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// offlineMount writes the saved state of a stopped mount: mount.json and a
// store with a few entries, one of them not downloaded yet.
func offlineMount(t *testing.T) (*globals, mountDirs) {
	t.Helper()
	g := &globals{home: t.TempDir(), logLevel: "info"}
	d, err := g.dirs()
	if err != nil {
		t.Fatal(err)
	}
	md, err := d.mountDirsOf(filepath.Join(t.TempDir(), "mirror"))
	if err != nil {
		t.Fatal(err)
	}
	if err := writeMountInfo(md.Info(), mountInfo{Root: md.Root, Remote: "datasets"}); err != nil {
		t.Fatal(err)
	}
	st, err := cache.Open(md.DB(), cache.Options{Identity: cache.Identity{RootID: "r"}})
	if err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	local := cache.LocalBase{Size: 3, ModTime: mt, MD5: strings.Repeat("a", 32)}
	for _, e := range []cache.Entry{
		{ID: "r", Path: ".", IsDir: true},
		{ID: "d1", Path: "imgs", ParentID: "r", Name: "imgs", IsDir: true},
		{ID: "f1", Path: "imgs/a.jpg", ParentID: "d1", Name: "a.jpg", Size: 3, ModTime: mt, MD5: strings.Repeat("a", 32), Local: local},
		{ID: "f2", Path: "imgs/b.png", ParentID: "d1", Name: "b.png", Size: 5, ModTime: mt.Add(time.Hour), MD5: strings.Repeat("b", 32)},
		{ID: "f3", Path: "notes.txt", ParentID: "r", Name: "notes.txt", Size: 7, ModTime: mt, MD5: strings.Repeat("c", 32), Local: local},
	} {
		if err := st.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Enqueue("new.txt", "new", mt); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return g, md
}

func TestOfflineStatus(t *testing.T) {
	_, md := offlineMount(t)
	st, err := mountStatus(context.Background(), md)
	if err != nil {
		t.Fatal(err)
	}
	if st.Running || st.Phase != "stopped" || st.Files != 3 || st.Dirs != 1 || st.Bytes != 15 || st.PendingUploads != 1 || st.PendingDownloads != 1 || st.Remote != "datasets" {
		t.Errorf("offline status %+v", st)
	}
	var buf bytes.Buffer
	printStatus(&buf, st, time.Now())
	for _, want := range []string{md.Root + "  (not running)", "remote:     datasets", "3 in 1 folders, 15 B", "1 uploads, 1 downloads"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("status text lacks %q:\n%s", want, buf.String())
		}
	}
	other := md
	other.State = filepath.Join(t.TempDir(), "never")
	if _, err := offlineStatus(other); err == nil || !strings.Contains(err.Error(), "not a drivesync mount") {
		t.Errorf("never-mounted folder: %v", err)
	}
}

func TestOfflineGlob(t *testing.T) {
	g, md := offlineMount(t)
	tests := []struct {
		name      string
		f         globFlags
		wantOut   string
		wantNotes string
	}{
		{"lines", globFlags{req: globRequest{Patterns: []string{"imgs/*"}}},
			filepath.Join(md.Root, "imgs/a.jpg") + "\n" + filepath.Join(md.Root, "imgs/b.png") + "\n", "1 matched files are not downloaded"},
		{"nul, no fetch", globFlags{nul: true, req: globRequest{Patterns: []string{"**/*.txt"}, NoFetch: true}},
			filepath.Join(md.Root, "notes.txt") + "\x00", ""},
		{"latest", globFlags{latest: true, req: globRequest{Patterns: []string{"**"}, Images: true, NoFetch: true}},
			filepath.Join(md.Root, "imgs/b.png") + "\n", ""},
		{"json", globFlags{asJSON: true, req: globRequest{Patterns: []string{"nothing*"}}}, "[]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			tt.f.dir = md.Root
			if err := runGlobCmd(context.Background(), g, &tt.f, &out, &errOut); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.wantOut {
				t.Errorf("out %q, want %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantNotes) || tt.wantNotes == "" && errOut.Len() > 0 {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.wantNotes)
			}
		})
	}
	var out bytes.Buffer
	f := globFlags{asJSON: true, dir: md.Root, req: globRequest{Patterns: []string{"imgs/b.png"}, NoFetch: true}}
	if err := runGlobCmd(context.Background(), g, &f, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"id": "f2"`, `"md5": "bbbb`, `"size": 5`, `"modifiedTime": "2026-01-01T01:00:00Z"`, `"state": "remote"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("json lacks %s:\n%s", want, out.String())
		}
	}
	bad := globFlags{dir: md.Root, req: globRequest{Patterns: []string{"a/[b"}}}
	if err := runGlobCmd(context.Background(), g, &bad, &out, &out); err == nil || !strings.Contains(err.Error(), "unterminated") {
		t.Errorf("bad pattern: %v", err)
	}
}
