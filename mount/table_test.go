package mount

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/drivesync/drivesync/cache"
)

// tableEntry is a varied entry: bases equal to Drive's metadata or not,
// a Drive name other than the local one, shortcuts, zero times.
func tableEntry(rng *rand.Rand, id, p string) cache.Entry {
	at := time.Unix(1_700_000_000+rng.Int64N(1e8), rng.Int64N(1e9)).UTC()
	e := cache.Entry{ID: id, Path: p, ParentID: fmt.Sprint("parent", rng.IntN(5)), Name: p[len(p)-1:],
		MD5: fmt.Sprintf("%032x", rng.Uint64()), Size: rng.Int64N(1 << 40), ModTime: at, Version: rng.Int64N(100),
		MimeType: "text/plain"}
	e.Remote = cache.RemoteBase{MD5: e.MD5, Size: e.Size, ModTime: at, Version: e.Version}
	e.Local = cache.LocalBase{MD5: e.MD5, Size: e.Size, ModTime: at, Inode: rng.Uint64()}
	switch rng.IntN(8) {
	case 0:
		e.IsDir, e.MD5, e.Remote.MD5, e.Local.MD5 = true, "", "", ""
	case 1:
		e.Remote, e.Local = cache.RemoteBase{}, cache.LocalBase{}
	case 2:
		e.Name = "drive name " + id
		e.Remote.MD5, e.Remote.Version = "", e.Version-1
	case 3:
		e.MimeType, e.TargetID, e.TargetMime = "application/vnd.google-apps.shortcut", "target"+id, "image/png"
		e.Local.ModTime = at.Add(time.Second)
	case 4:
		e.ModTime, e.Local.Size = time.Time{}, 3
	case 5:
		e.Remote.ModTime, e.Remote.Size, e.Local.MD5 = time.Time{}, e.Size+1, "0123"
	}
	return e
}

// TestTable: random sets and deletes against a map of entries; every
// entry decodes to what was set, by ID and by path, and compaction keeps
// them all.
func TestTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tb := newTable()
	want := map[string]cache.Entry{}
	for i := range 40_000 {
		id := fmt.Sprint("id", rng.IntN(3000))
		switch {
		case rng.IntN(5) == 0:
			tb.del(id)
			delete(want, id)
		default:
			// Paths are unique: the path is a function of the ID, and
			// sometimes moves to another folder.
			e := tableEntry(rng, id, fmt.Sprintf("d%d/%s", rng.IntN(3), id))
			tb.set(e)
			want[id] = e
		}
		if i%5000 == 0 || i == 39_999 {
			checkTable(t, tb, want)
		}
	}
	if tb.dead == 0 && len(tb.chunks) == 0 {
		t.Fatal("nothing written")
	}
}

func checkTable(t *testing.T, tb *table, want map[string]cache.Entry) {
	t.Helper()
	if tb.len() != len(want) {
		t.Fatalf("len %d, want %d", tb.len(), len(want))
	}
	n := 0
	for slot := range tb.slots() {
		n++
		e := tb.at(slot)
		if w, ok := want[e.ID]; !ok || !sameEntry(e, w) {
			t.Fatalf("slot %d: %+v, want %+v", slot, e, w)
		}
	}
	if n != len(want) {
		t.Fatalf("%d slots, want %d", n, len(want))
	}
	for id, w := range want {
		e, ok := tb.get(id)
		if !ok || !sameEntry(e, w) {
			t.Fatalf("get %s: %+v %v, want %+v", id, e, ok, w)
		}
		slot, ok := tb.slotAt(w.Path)
		if !ok || tb.idOf(slot) != id {
			t.Fatalf("slotAt %s: %d %v", w.Path, slot, ok)
		}
	}
}

// sameEntry compares entries as the engine does: times by instant.
func sameEntry(a, b cache.Entry) bool {
	if !a.ModTime.Equal(b.ModTime) || !a.Remote.ModTime.Equal(b.Remote.ModTime) || !a.Local.ModTime.Equal(b.Local.ModTime) {
		return false
	}
	a.ModTime, a.Remote.ModTime, a.Local.ModTime = time.Time{}, time.Time{}, time.Time{}
	b.ModTime, b.Remote.ModTime, b.Local.ModTime = time.Time{}, time.Time{}, time.Time{}
	return a == b
}

// TestTablePathClaims: an entry set at a path another holds takes it (as
// the engine's map did); the other keeps its record but not the path,
// and moving or deleting it leaves the new holder alone.
func TestTablePathClaims(t *testing.T) {
	tb := newTable()
	tb.set(cache.Entry{ID: "x", Path: "a"})
	tb.set(cache.Entry{ID: "y", Path: "a"})
	if s, ok := tb.slotAt("a"); !ok || tb.idOf(s) != "y" {
		t.Fatal("a is not y's")
	}
	tb.set(cache.Entry{ID: "x", Path: "b"})
	if s, ok := tb.slotAt("a"); !ok || tb.idOf(s) != "y" {
		t.Fatal("moving x took a from y")
	}
	tb.del("x")
	if s, ok := tb.slotAt("a"); !ok || tb.idOf(s) != "y" {
		t.Fatal("deleting x took a from y")
	}
	if _, ok := tb.slotAt("b"); ok {
		t.Fatal("b still held")
	}
}

// FuzzTableRecord: any entry reads back as it was set (times by
// instant), whichever of its fields repeat others.
func FuzzTableRecord(f *testing.F) {
	f.Add("1abc", "a/b.txt", "b.txt", "parent", "text/plain", "0123456789abcdef0123456789abcdef", "", "",
		int64(12), int64(3), int64(1_700_000_000), int64(5), uint64(77), uint8(0))
	f.Add("id", "x", "drive name", "", "application/vnd.google-apps.shortcut", "", "target", "image/png",
		int64(0), int64(-1), int64(-62135596800), int64(0), uint64(0), uint8(0xff))
	f.Add("", ".", ".", "p", "", "md5", "", "", int64(1<<62), int64(1<<62), int64(1<<40), int64(999999999), ^uint64(0), uint8(0x55))
	f.Fuzz(func(t *testing.T, id, p, name, parent, mime, md5, target, targetMime string,
		size, version, sec, nsec int64, inode uint64, vary uint8) {
		at := time.Time{}
		if sec != 0 || nsec != 0 {
			at = time.Unix(sec, nsec%1e9).UTC()
		}
		e := cache.Entry{ID: id, Path: p, ParentID: parent, Name: name, IsDir: vary&1 != 0, MD5: md5, Size: size,
			ModTime: at, Version: version, MimeType: mime, TargetID: target, TargetMime: targetMime,
			Remote: cache.RemoteBase{MD5: md5, Size: size, ModTime: at, Version: version},
			Local:  cache.LocalBase{Size: size, ModTime: at, Inode: inode, MD5: md5}}
		if vary&2 != 0 {
			e.Remote.MD5, e.Local.MD5 = name, target
		}
		if vary&4 != 0 {
			e.Remote.Size, e.Local.Size = size^1, version
		}
		if vary&8 != 0 {
			e.Remote.ModTime, e.Local.ModTime = time.Time{}, at.Add(time.Duration(nsec))
		}
		if vary&16 != 0 {
			e.Remote.Version = version + 1
		}
		if vary&32 != 0 {
			e.ModTime = time.Time{}
		}
		tb := newTable()
		tb.set(cache.Entry{ID: id + "x", Path: p + "x"})
		tb.set(e)
		got, ok := tb.get(id)
		if !ok || !sameEntry(got, e) {
			t.Fatalf("got %+v, want %+v", got, e)
		}
		if s, ok := tb.slotAt(p); !ok || tb.idOf(s) != id {
			t.Fatalf("slotAt(%q) = %d, %v", p, s, ok)
		}
	})
}
