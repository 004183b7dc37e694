package glob

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// looseIndex exercises the loose end of the Index contract: it ignores dir (visits everything),
// visits in reverse path order, and hands out one reused Entry.
type looseIndex struct {
	entries []Entry
	err     error
	walks   []string
}

func (x *looseIndex) Walk(dir string, fn func(*Entry) bool) error {
	x.walks = append(x.walks, dir)
	var scratch Entry
	for i := len(x.entries) - 1; i >= 0; i-- {
		scratch = x.entries[i]
		if !fn(&scratch) {
			break
		}
	}
	return x.err
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// modelTree: a training project with images, checkpoints of every kind, and noise.
func modelTree() []Entry {
	f := func(p string, size int64, minutes int) Entry {
		return Entry{Path: p, Size: size, ModTime: t0.Add(time.Duration(minutes) * time.Minute), ID: "id-" + p}
	}
	d := func(p string, minutes int) Entry {
		return Entry{Path: p, Dir: true, ModTime: t0.Add(time.Duration(minutes) * time.Minute)}
	}
	return []Entry{
		d("data", 0), f("data/a.jpg", 10, 1), f("data/b.JPEG", 20, 2), f("data/c.png", 5, 3),
		f("data/d.Tiff", 7, 4), f("data/e.txt", 1, 5), f("data/.f.jpg", 1, 6), f("data/jpg", 1, 7),
		f("data/g.webp", 30, 8), f("data/h.bmp", 2, 9), f("data/i.gif", 3, 10),
		d("ckpt", 0), f("ckpt/model.h5", 100, 20), f("ckpt/w.safetensors", 90, 21), f("ckpt/x.PT", 80, 22),
		f("ckpt/y.pth", 70, 23), f("ckpt/epoch=3.ckpt", 60, 24), f("ckpt/m.keras", 50, 25),
		f("ckpt/model.ckpt-100.index", 1, 26), f("ckpt/model.ckpt-100.data-00000-of-00001", 40, 27),
		f("ckpt/ckpt-7.index", 1, 28), f("ckpt/checkpoint", 1, 29), f("ckpt/notes.txt", 1, 30),
		f("ckpt/ckptx.bin", 1, 31),
		d("ckpt/sm", 0), f("ckpt/sm/saved_model.pb", 5, 40), d("ckpt/sm/variables", 0),
		f("ckpt/sm/variables/variables.index", 1, 39),
		d("ckpt/notsm", 50), f("ckpt/notsm/readme.md", 1, 1),
	}
}

func runQuery(t *testing.T, ix Index, q Query) []string {
	t.Helper()
	ms, err := q.Run(context.Background(), ix)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Name()
	}
	// Names gives the same list, whichever way it takes.
	if got, err := q.Names(context.Background(), ix); err != nil || !slices.Equal(got, names) {
		t.Errorf("%+v: Names = %q, %v; Run's names %q", q, got, err, names)
	}
	return names
}

func TestQuerySelectors(t *testing.T) {
	es := modelTree()
	mem, err := NewMemIndex(es)
	if err != nil {
		t.Fatal(err)
	}
	loose := &looseIndex{entries: mem.entries}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"images", Query{Patterns: []string{"**"}, Kinds: Images},
			[]string{"data/a.jpg", "data/b.JPEG", "data/c.png", "data/d.Tiff", "data/g.webp", "data/h.bmp", "data/i.gif"}},
		{"checkpoints", Query{Patterns: []string{"**"}, Kinds: Checkpoints},
			[]string{"ckpt/ckpt-7.index", "ckpt/epoch=3.ckpt", "ckpt/m.keras", "ckpt/model.ckpt-100.data-00000-of-00001",
				"ckpt/model.ckpt-100.index", "ckpt/model.h5", "ckpt/sm", "ckpt/w.safetensors", "ckpt/x.PT", "ckpt/y.pth"}},
		{"savedmodel folder by trailing slash", Query{Patterns: []string{"ckpt/*/"}, Kinds: Checkpoints},
			[]string{"ckpt/sm/"}},
		{"both kinds", Query{Patterns: []string{"*/*.{jpg,h5}"}, Kinds: Images | Checkpoints},
			[]string{"ckpt/model.h5", "data/a.jpg"}},
		{"latest checkpoint", Query{Patterns: []string{"ckpt/**"}, Kinds: Checkpoints, Newest: 1},
			[]string{"ckpt/sm"}}, // its saved_model.pb (minute 40) is newer than every file
		{"newest 3 by mtime", Query{Patterns: []string{"data/*"}, Newest: 3, Sort: ByMTime},
			[]string{"data/g.webp", "data/h.bmp", "data/i.gif"}},
		{"sort size", Query{Patterns: []string{"data/*.{jpg,png,Tiff}"}, Sort: BySize},
			[]string{"data/c.png", "data/d.Tiff", "data/a.jpg"}},
		{"sort size reverse", Query{Patterns: []string{"data/*.{jpg,png,Tiff}"}, Sort: BySize, Reverse: true},
			[]string{"data/a.jpg", "data/d.Tiff", "data/c.png"}},
		{"sort mtime limit", Query{Patterns: []string{"ckpt/*"}, Sort: ByMTime, Reverse: true, Limit: 2},
			[]string{"ckpt/notsm", "ckpt/ckptx.bin"}},
		{"exclude", Query{Patterns: []string{"data/*"}, Exclude: []string{"*/*.{jpg,png}", "**/e*"}},
			[]string{"data/b.JPEG", "data/d.Tiff", "data/g.webp", "data/h.bmp", "data/i.gif", "data/jpg"}},
		{"exclude a tree", Query{Patterns: []string{"ckpt/**"}, Exclude: []string{"ckpt/sm/**", "ckpt/*.*"}},
			[]string{"ckpt/", "ckpt/checkpoint", "ckpt/notsm", "ckpt/notsm/readme.md"}}, // the entry ckpt/sm goes too
		{"union of patterns", Query{Patterns: []string{"data/a*", "data/[ab]*", "ckpt/m*.h5"}},
			[]string{"ckpt/model.h5", "data/a.jpg", "data/b.JPEG"}},
		{"limit", Query{Patterns: []string{"data/*"}, Limit: 2}, []string{"data/a.jpg", "data/b.JPEG"}},
	}
	for _, tt := range tests {
		for _, ix := range []Index{mem, loose} {
			if got := runQuery(t, ix, tt.q); !slices.Equal(got, tt.want) {
				t.Errorf("%s (%T):\n got %q\nwant %q", tt.name, ix, got, tt.want)
			}
		}
	}
}

func TestQueryShard(t *testing.T) {
	var es []Entry
	for i := range 103 {
		es = append(es, Entry{Path: fmt.Sprintf("img/%03d.jpg", i)})
	}
	ix, err := NewMemIndex(es)
	if err != nil {
		t.Fatal(err)
	}
	all := runQuery(t, ix, Query{Patterns: []string{"img/*.jpg"}})
	for _, n := range []int{1, 2, 7, 200} {
		var union []string
		for i := range n {
			part := runQuery(t, ix, Query{Patterns: []string{"img/*.jpg"}, Shard: Shard{Index: i, Count: n}})
			if lo, hi := len(all)/n, (len(all)+n-1)/n; len(part) < lo || len(part) > hi {
				t.Errorf("shard %d/%d has %d of %d", i, n, len(part), len(all))
			}
			again := runQuery(t, ix, Query{Patterns: []string{"img/*.jpg"}, Shard: Shard{Index: i, Count: n}, Sort: BySize})
			if slices.Sort(again); !slices.Equal(again, part) {
				t.Errorf("shard %d/%d depends on --sort", i, n)
			}
			union = append(union, part...)
		}
		if slices.Sort(union); !slices.Equal(union, all) {
			t.Errorf("%d shards do not partition the results", n)
		}
	}
}

func TestParseShardAndOrder(t *testing.T) {
	for s, want := range map[string]Shard{"0/1": {0, 1}, "3/4": {3, 4}} {
		if got, err := ParseShard(s); err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "1", "4/4", "-1/4", "1/0", "a/b", "1/2/3", "0/-1"} {
		if _, err := ParseShard(s); err == nil {
			t.Errorf("ParseShard(%q): no error", s)
		}
	}
	for _, o := range []Order{ByName, ByMTime, BySize} {
		if got, err := ParseOrder(o.String()); err != nil || got != o {
			t.Errorf("ParseOrder(%q) = %v, %v", o, got, err)
		}
	}
	if _, err := ParseOrder("date"); err == nil || !strings.Contains(err.Error(), `"date"`) {
		t.Errorf("ParseOrder(date): %v", err)
	}
}

func TestQueryValidate(t *testing.T) {
	ix := &looseIndex{}
	for _, q := range []Query{
		{},
		{Patterns: []string{"a/[b"}},
		{Patterns: []string{"*"}, Exclude: []string{"{x"}},
		{Patterns: []string{"*"}, Limit: -1},
		{Patterns: []string{"*"}, Newest: -2},
		{Patterns: []string{"*"}, Shard: Shard{Index: 2, Count: 2}},
		{Patterns: []string{"*"}, Sort: Order(9)},
	} {
		if err := q.Validate(); err == nil {
			t.Errorf("%+v: Validate accepted", q)
		}
		if _, err := q.Run(context.Background(), ix); err == nil {
			t.Errorf("%+v: Run accepted", q)
		}
	}
	if len(ix.walks) != 0 {
		t.Errorf("invalid queries walked the index: %q", ix.walks)
	}
	_, err := Query{Patterns: []string{"*"}, Exclude: []string{"a/[b"}}.Run(context.Background(), ix)
	if !errors.Is(err, ErrBadPattern) || !strings.HasPrefix(err.Error(), `glob: exclude pattern "a/[b": unterminated`) {
		t.Errorf("bad exclude: %v", err)
	}
}

func TestQueryWalksLiteralPrefixes(t *testing.T) {
	ix := &looseIndex{}
	q := Query{Patterns: []string{"{train,val}/images/*.jpg", "train/images/x/*", "val/**", "test/a.txt"}}
	if _, err := q.Run(context.Background(), ix); err != nil {
		t.Fatal(err)
	}
	if want := []string{"test/a.txt", "train/images", "val"}; !slices.Equal(ix.walks, want) {
		t.Errorf("walked %q, want %q", ix.walks, want)
	}
	ix.walks = nil
	if _, err := Glob(context.Background(), ix, "x/.[.]/*"); err != nil || !slices.Equal(ix.walks, []string{"x"}) {
		t.Errorf(`"x/.[.]/*" walked %q (%v), want "x"`, ix.walks, err)
	}
	ix.walks = nil
	q = Query{Patterns: []string{"a/*", "a.b/*", "a/c/*", "a-/x"}} // "." and "-" sort before "/"
	if _, err := q.Run(context.Background(), ix); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "a-/x", "a.b"}; !slices.Equal(ix.walks, want) {
		t.Errorf("walked %q, want %q", ix.walks, want)
	}
}

func TestQueryErrors(t *testing.T) {
	storeErr := errors.New("bolt: database not open")
	ix := &looseIndex{entries: modelTree(), err: storeErr}
	_, err := Glob(context.Background(), ix, "data/*")
	if !errors.Is(err, storeErr) || err.Error() != `glob: walk "data": bolt: database not open` {
		t.Errorf("store error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Glob(ctx, &looseIndex{entries: modelTree()}, "*"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled before the walk: %v", err)
	}
	// Cancelled during the walk: noticed within 16384 entries.
	var many []Entry
	for i := range 20000 {
		many = append(many, Entry{Path: fmt.Sprintf("f%05d", i)})
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	ix2 := &cancellingIndex{looseIndex: looseIndex{entries: many}, cancel: cancel}
	if _, err := Glob(ctx, ix2, "*"); !errors.Is(err, context.Canceled) || ix2.visited >= len(many) {
		t.Errorf("cancelled walk: %v after %d entries", err, ix2.visited)
	}
}

// cancellingIndex cancels its context after the first entry.
type cancellingIndex struct {
	looseIndex
	cancel  func()
	visited int
}

func (x *cancellingIndex) Walk(dir string, fn func(*Entry) bool) error {
	return x.looseIndex.Walk(dir, func(e *Entry) bool {
		x.visited++
		x.cancel()
		return fn(e)
	})
}

func TestMatchCarriesEntry(t *testing.T) {
	ix, err := NewMemIndex(modelTree())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Glob(context.Background(), &looseIndex{entries: ix.entries}, "ckpt/model.h5")
	if err != nil || len(ms) != 1 {
		t.Fatalf("%v %v", ms, err)
	}
	if m := ms[0]; m.ID != "id-ckpt/model.h5" || m.Size != 100 || !m.ModTime.Equal(t0.Add(20*time.Minute)) || m.Slash {
		t.Errorf("entry not carried through: %+v", m)
	}
}

func TestKindHelpers(t *testing.T) {
	for name, want := range map[string]bool{"a.jpg": true, "A.JPEG": true, ".jpg": false, "jpg": false, "a.jpg.txt": false, "x.TIF": true} {
		if isImageFile(name) != want {
			t.Errorf("isImageFile(%q) != %v", name, want)
		}
	}
	for name, want := range map[string]bool{"ckpt-12.index": true, "model.ckpt.meta": true, "my_ckpt.txt": false,
		"ckpt-": false, "a.Safetensors": true, "best.ckpt": true, "checkpoint": false} {
		if isCheckpointFile(name) != want {
			t.Errorf("isCheckpointFile(%q) != %v", name, want)
		}
	}
}
