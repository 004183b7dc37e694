package cache

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestVerified(t *testing.T) {
	root := t.TempDir()
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 123e6, time.UTC)
	const sum = "5d41402abc4b2a76b9719d911017c592" // md5("hello")
	write := func(t *testing.T, name, data string) fs.FileInfo {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	synced := func(fi fs.FileInfo) Entry {
		return Entry{ID: "id", Path: "f", MD5: sum, Size: 5, ModTime: mtime, Version: 3,
			Remote: RemoteBase{MD5: sum, Size: 5, ModTime: mtime, Version: 3}, Local: LocalBaseOf(fi, sum)}
	}
	fi := write(t, "f", "hello")
	dirFI, err := os.Lstat(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		e    func() Entry
		fi   func() fs.FileInfo
		want bool
	}{
		{"as written", func() Entry { return synced(fi) }, func() fs.FileInfo { return fi }, true},
		{"changed on Drive", func() Entry { e := synced(fi); e.MD5 = "00000000000000000000000000000000"; return e }, func() fs.FileInfo { return fi }, false},
		{"never verified", func() Entry { e := synced(fi); e.Local.MD5 = ""; return e }, func() fs.FileInfo { return fi }, false},
		{"no md5 on Drive", func() Entry { e := synced(fi); e.MD5, e.Local.MD5 = "", ""; return e }, func() fs.FileInfo { return fi }, false},
		{"size changed", func() Entry { return synced(fi) }, func() fs.FileInfo { return write(t, "g", "hello!") }, false},
		{"mtime changed", func() Entry { return synced(fi) }, func() fs.FileInfo {
			p := filepath.Join(root, "h")
			write(t, "h", "hello")
			os.Chtimes(p, mtime.Add(time.Second), mtime.Add(time.Second))
			fi, _ := os.Lstat(p)
			return fi
		}, false},
		{"other file, same size and mtime", func() Entry { return synced(fi) }, func() fs.FileInfo { return write(t, "i", "HELLO") }, Inode(fi) == 0},
		{"folder", func() Entry { e := synced(fi); e.IsDir = true; return e }, func() fs.FileInfo { return dirFI }, false},
		{"folder on disk, file in store", func() Entry { return synced(fi) }, func() fs.FileInfo { return dirFI }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.e().Verified(tt.fi()); got != tt.want {
				t.Errorf("Verified = %v, want %v", got, tt.want)
			}
		})
	}

	s := open(t, Options{})
	if ok, err := s.Verified("f", fi); ok || err != nil {
		t.Errorf("Verified(unknown path) = %v, %v", ok, err)
	}
	if err := s.Put(synced(fi)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Verified("f", fi); !ok || err != nil {
		t.Errorf("Verified(stored, unchanged) = %v, %v", ok, err)
	}
}

func TestChangedSides(t *testing.T) {
	e := file("id", "f", 4)
	if !e.Synced() || e.RemoteChanged() {
		t.Fatalf("fresh synced entry: Synced %v RemoteChanged %v", e.Synced(), e.RemoteChanged())
	}
	e.Version++
	if !e.RemoteChanged() {
		t.Error("a new version is not a remote change")
	}
	if (Entry{ID: "x", Path: "x"}).Synced() {
		t.Error("an entry with no bases is Synced")
	}
}

func TestEntryRoundTrip(t *testing.T) {
	for _, e := range []Entry{file("a", "x/y", 1), dir("d", "."), {ID: "min", Path: "m"}} {
		data, err := encodeEntry(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeEntry(data)
		if err != nil || !sameEntry(got, e) {
			t.Errorf("round trip of %+v = %+v, %v (%s)", e, got, err, data)
		}
	}
}

// TestEntryKinds checks that what an entry is on Drive (MIME type,
// shortcut target) survives the store, and that entries written before
// those fields existed still decode, as plain items.
func TestEntryKinds(t *testing.T) {
	doc := file("doc", "notes.docx", 1)
	doc.MD5, doc.Remote.MD5, doc.Local.MD5 = "", "", ""
	doc.MimeType = "application/vnd.google-apps.document"
	sc := file("sc", "link.bin", 2)
	sc.MimeType, sc.TargetID, sc.TargetMime = "application/vnd.google-apps.shortcut", "target", "application/octet-stream"
	s := open(t, Options{})
	for _, e := range []Entry{doc, sc} {
		if err := s.Put(e); err != nil {
			t.Fatal(err)
		}
		got, err := s.ByID(e.ID)
		if err != nil || !sameEntry(got, e) {
			t.Errorf("stored %+v, read back %+v, %v", e, got, err)
		}
	}
	tests := []struct {
		name, data string
		want       Entry
	}{
		{"before kinds", `{"id":"old","p":"a/b","pa":"p","n":"b","v":3}`, Entry{ID: "old", Path: "a/b", ParentID: "p", Name: "b", Version: 3}},
		{"folder before kinds", `{"id":"d","p":"a","d":true}`, Entry{ID: "d", Path: "a", IsDir: true}},
		{"shortcut", `{"id":"s","p":"l","mt":"m","tg":"t","tm":"tm"}`, Entry{ID: "s", Path: "l", MimeType: "m", TargetID: "t", TargetMime: "tm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeEntry([]byte(tt.data))
			if err != nil || !sameEntry(got, tt.want) {
				t.Errorf("decode %s = %+v, %v; want %+v", tt.data, got, err, tt.want)
			}
		})
	}
}

func FuzzEntryDecode(f *testing.F) {
	for _, e := range []Entry{file("a", "x/y", 1), dir("d", "."), {ID: "min", Path: "m"}} {
		data, _ := encodeEntry(e)
		f.Add(data)
	}
	f.Add([]byte(`{"id":"x","p":"../a"}`))
	f.Add([]byte(`{"id":"x","p":"a","s":-1}`))
	f.Add([]byte(`{"id":"x","p":"a","t":"not a time"}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"id":"s","p":"l","mt":"application/vnd.google-apps.shortcut","tg":"t","tm":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := decodeEntry(data)
		if err != nil {
			return
		}
		if verr := e.validate(); verr != nil {
			t.Fatalf("decodeEntry accepted an invalid entry %+v: %v", e, verr)
		}
		again, err := encodeEntry(e)
		if err != nil {
			t.Fatalf("accepted entry %+v does not encode: %v", e, err)
		}
		e2, err := decodeEntry(again)
		if err != nil || !sameEntry(e, e2) {
			t.Fatalf("re-decode of %s = %+v, %v; want %+v", again, e2, err, e)
		}
	})
}
