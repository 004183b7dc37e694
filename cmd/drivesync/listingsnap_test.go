package main

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/glob"
)

func storeVersion(t *testing.T, st *cache.Store) (v int) {
	t.Helper()
	if err := st.View(func(tx *cache.Tx) error { v = tx.Version(); return nil }); err != nil {
		t.Fatal(err)
	}
	return v
}

// The snapshot visits what the store's walk visits, in path order, for any folder.
func TestListingSnapWalksLikeStore(t *testing.T) {
	st := indexStore(t)
	path := filepath.Join(t.TempDir(), "listing.snap")
	if err := writeListingSnap(st, path); err != nil {
		t.Fatal(err)
	}
	x, ok := openListingSnap(path, storeVersion(t, st))
	if !ok {
		t.Fatal("fresh snapshot refused")
	}
	for _, dir := range []string{"", "a", "a/b", "a/b/c", "a.d", "ab", "z", "nothing", "a/nothing"} {
		checkPathOrderedWalk(t, x, storeIndex{st}, dir, false)
	}
	n := 0
	if err := x.Walk("", func(*glob.Entry) bool { n++; return n < 3 }); err != nil || n != 3 {
		t.Errorf("Walk stopped after %d entries, %v; want 3", n, err)
	}
}

// offlineIndex uses the snapshot only while it copies the store as it is.
func TestOfflineIndexChoosesSnapshot(t *testing.T) {
	st := indexStore(t)
	md := mountDirs{Root: "/m", State: t.TempDir()}
	isSnap := func() bool {
		t.Helper()
		ix, err := offlineIndex(st, md)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := ix.(*snapIndex)
		return ok
	}
	if isSnap() {
		t.Error("no snapshot written, yet one is used")
	}
	if err := writeListingSnap(st, listingSnapPath(md)); err != nil {
		t.Fatal(err)
	}
	if !isSnap() {
		t.Error("fresh snapshot not used")
	}
	data, err := os.ReadFile(listingSnapPath(md))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{data[:len(data)-1], append(slices.Clone(data), 0), []byte("not a snapshot"), nil} {
		if err := os.WriteFile(listingSnapPath(md), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if isSnap() {
			t.Errorf("snapshot of %d bytes (written %d) used", len(bad), len(data))
		}
	}
	if err := os.WriteFile(listingSnapPath(md), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.Put(cache.Entry{ID: "new", Path: "new.jpg", Name: "new.jpg", ParentID: "r"}); err != nil {
		t.Fatal(err)
	}
	if isSnap() {
		t.Error("snapshot used after the store changed")
	}
}

// A snapshot whose records are damaged (same size, so it passes the open
// checks) makes Walk fail, not invent entries.
func TestListingSnapDamagedRecords(t *testing.T) {
	st := indexStore(t)
	path := filepath.Join(t.TempDir(), "listing.snap")
	if err := writeListingSnap(st, path); err != nil {
		t.Fatal(err)
	}
	x, ok := openListingSnap(path, storeVersion(t, st))
	if !ok {
		t.Fatal("fresh snapshot refused")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := x.start; i < int64(len(data)); i++ {
		data[i] = 0xff
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := x.Walk("", func(*glob.Entry) bool { return true }); !errors.Is(err, errBadSnap) {
		t.Errorf("Walk over damaged records: %v, want errBadSnap", err)
	}
}

func FuzzSnapRecord(f *testing.F) {
	f.Add([]byte{snapDir | snapTime, 0, 2, 0, 1, 'a', 0})
	f.Add([]byte{snapLocal, 5, 3, 'a', '/', 'b', 2, 'i', 'd', 'f', 'f'})
	f.Add([]byte{0xff})
	f.Fuzz(func(t *testing.T, rec []byte) {
		var e glob.Entry
		if err := decodeSnapRecord(rec, &e); err != nil {
			return
		}
		if e.Path == "" || e.Size < 0 || len(e.Path)+len(e.ID)+len(e.MD5) > len(rec) {
			t.Errorf("decoded %+v from %d bytes", e, len(rec))
		}
	})
}

func TestUvarintLen(t *testing.T) {
	buf := make([]byte, binary.MaxVarintLen64)
	for _, x := range []uint64{0, 1, 127, 128, 16383, 16384, 1<<32 - 1, 1<<63 + 5} {
		if got, want := uvarintLen(x), binary.PutUvarint(buf, x); got != want {
			t.Errorf("uvarintLen(%d) = %d, want %d", x, got, want)
		}
	}
}
