package cache

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
)

func session(offset int64) drive.UploadSession {
	return drive.UploadSession{
		URI: "https://www.googleapis.com/upload/drive/v3/files?upload_id=x", FileID: "f1",
		Size: 1 << 20, Offset: offset, ModTime: time.Unix(100, 0).UTC(), Started: time.Unix(200, 0).UTC(),
		HashOffset: offset, HashState: []byte{1, 2, 3},
	}
}

func sameSession(a, b drive.UploadSession) bool {
	return a.URI == b.URI && a.FileID == b.FileID && a.Size == b.Size && a.Offset == b.Offset &&
		a.ModTime.Equal(b.ModTime) && a.Started.Equal(b.Started) && a.HashOffset == b.HashOffset &&
		string(a.HashState) == string(b.HashState)
}

// TestSessionStoreContract checks Sessions against drive.SessionStore's
// documented contract (package drive has no shared conformance helper for
// stores): load of a missing key, save/replace/load, delete (twice),
// key rules, durability across reopen, concurrent use.
func TestSessionStoreContract(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var st drive.SessionStore = s.Sessions()

	if _, ok, err := st.Load("k1"); ok || err != nil {
		t.Fatalf("Load(missing) = ok %v, %v", ok, err)
	}
	for _, off := range []int64{0, 256 << 10} { // save, then replace
		if err := st.Save("k1", session(off)); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := st.Load("k1"); !ok || err != nil || !sameSession(got, session(off)) {
			t.Fatalf("Load after Save(offset %d) = %+v, %v, %v", off, got, ok, err)
		}
	}
	for _, key := range []string{"", "a/b", "a.b", "ä", strings.Repeat("k", 129)} {
		if err := st.Save(key, session(0)); err == nil {
			t.Errorf("Save(%q) accepted a bad key", key)
		}
		if _, _, err := st.Load(key); err == nil {
			t.Errorf("Load(%q) accepted a bad key", key)
		}
		if err := st.Delete(key); err == nil {
			t.Errorf("Delete(%q) accepted a bad key", key)
		}
	}
	bad := session(0)
	bad.Offset = bad.Size + 1
	if err := st.Save("k2", bad); err == nil {
		t.Error("Save accepted an offset past the size")
	}
	bad = session(0)
	bad.URI = "file:///etc/passwd"
	if err := st.Save("k2", bad); err == nil {
		t.Error("Save accepted a non-http URI")
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := "c-" + string(rune('a'+i))
			if err := st.Save(key, session(int64(i))); err != nil {
				t.Error(err)
			}
			if _, ok, err := st.Load(key); !ok || err != nil {
				t.Errorf("concurrent Load(%s) = %v, %v", key, ok, err)
			}
		})
	}
	wg.Wait()
	s.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st = s.Sessions()
	if got, ok, err := st.Load("k1"); !ok || err != nil || !sameSession(got, session(256<<10)) {
		t.Fatalf("Load after reopen = %+v, %v, %v", got, ok, err)
	}
	for range 2 {
		if err := st.Delete("k1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
	if _, ok, _ := st.Load("k1"); ok {
		t.Error("Load after Delete found the session")
	}
	if _, ok, _ := st.Load("c-h"); !ok {
		t.Error("a concurrently saved session was lost")
	}
}
