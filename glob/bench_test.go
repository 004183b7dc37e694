package glob

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bmatcuk/doublestar/v4"
)

// bigEntries builds a dataset-shaped index of about n entries,
// datasets/<set>/<split>/cls<k>/img_<i>.<ext>, where jpgPercent of the files are .jpg, plus a
// hidden .cache folder per set full of .jpg files that "**" must not enter.
func bigEntries(n, jpgPercent int) []Entry {
	sets := []string{"imagenet", "coco", "cifar", "faces"}
	splits := []string{"train", "val", "test"}
	const perClass = 330
	classes := n / (len(sets) * len(splits) * perClass)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	es := make([]Entry, 0, n+n/100)
	dir := func(p string) { es = append(es, Entry{Path: p, Dir: true, ModTime: base}) }
	dir("datasets")
	i := 0
	for _, s := range sets {
		dir("datasets/" + s)
		dir("datasets/" + s + "/.cache")
		for k := range 2500 {
			es = append(es, Entry{Path: fmt.Sprintf("datasets/%s/.cache/c%05d.jpg", s, k), Size: 1})
		}
		for _, sp := range splits {
			dir("datasets/" + s + "/" + sp)
			for c := range classes {
				cd := fmt.Sprintf("datasets/%s/%s/cls%04d", s, sp, c)
				dir(cd)
				for range perClass {
					i++
					ext := "jpg"
					if i%100 >= jpgPercent {
						ext = [...]string{"png", "json", "txt", "JPG"}[i%4]
					}
					es = append(es, Entry{
						Path: fmt.Sprintf("%s/img_%07d.%s", cd, i, ext), Size: int64(i % 100000),
						ModTime: base.Add(time.Duration(i) * time.Second), ID: "1a2b3c", MD5: "d41d8cd98f00b204e9800998ecf8427e",
					})
				}
			}
		}
	}
	return es
}

// pagedIndex is shaped like a store over mapped pages: every string lives in one big
// pointer-free buffer and Walk decodes each entry into one reused Entry whose strings are views
// of it. Unlike MemIndex it keeps no million pointer-holding entries on the Go heap for the
// garbage collector to scan.
type pagedIndex struct {
	data   string
	offs   []int32 // per entry: start of Path, ID, MD5 in data; the next entry's start ends them
	dirs   []bool
	sizes  []int64
	mtimes []int64
}

func newPagedIndex(es []Entry) *pagedIndex {
	var b strings.Builder
	x := &pagedIndex{}
	for _, e := range es {
		for _, s := range []string{e.Path, e.ID, e.MD5} {
			x.offs = append(x.offs, int32(b.Len()))
			b.WriteString(s)
		}
		x.dirs = append(x.dirs, e.Dir)
		x.sizes = append(x.sizes, e.Size)
		x.mtimes = append(x.mtimes, e.ModTime.UnixNano())
	}
	x.offs = append(x.offs, int32(b.Len()))
	x.data = b.String()
	return x
}

func (x *pagedIndex) Walk(dir string, fn func(*Entry) bool) error {
	var e Entry
	for i := range x.dirs {
		o := x.offs[3*i : 3*i+4]
		e.Path, e.ID, e.MD5 = x.data[o[0]:o[1]], x.data[o[1]:o[2]], x.data[o[2]:o[3]]
		e.Dir, e.Size, e.ModTime = x.dirs[i], x.sizes[i], time.Unix(0, x.mtimes[i]).UTC()
		if !fn(&e) {
			break
		}
	}
	return nil
}

// BenchmarkGlobJPG1M is the bar: "**/*.jpg" over an index of 1,000,000 entries, with
// most files matching (jpg=75%) or few (jpg=5%), over MemIndex and over pagedIndex.
func BenchmarkGlobJPG1M(b *testing.B) {
	for _, pct := range []int{75, 5} {
		es := bigEntries(1_000_000, pct)
		mem, err := NewMemIndex(es)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("jpg=%d%%/paged", pct), func(b *testing.B) { benchGlob(b, newPagedIndex(mem.entries), len(es)) })
		b.Run(fmt.Sprintf("jpg=%d%%/mem", pct), func(b *testing.B) { benchGlob(b, mem, len(es)) })
		b.Run(fmt.Sprintf("jpg=%d%%/floor", pct), func(b *testing.B) { benchFloor(b, mem) })
		// EachName: only the names; over MemIndex (PathOrdered) they stream out of the walk,
		// over pagedIndex (not PathOrdered) they are kept and checked for order.
		b.Run(fmt.Sprintf("jpg=%d%%/names-paged", pct), func(b *testing.B) { benchNames(b, newPagedIndex(mem.entries)) })
		b.Run(fmt.Sprintf("jpg=%d%%/names-mem", pct), func(b *testing.B) { benchNames(b, mem) })
	}
}

func benchNames(b *testing.B, ix Index) {
	b.ReportAllocs()
	var n int
	cpu := processCPU()
	q := Query{Patterns: []string{"**/*.jpg"}}
	for b.Loop() {
		n = 0
		if err := q.EachName(context.Background(), ix, func(string) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "matches")
}

// benchFloor is the reference point for the "mem" figures: it only walks the MemIndex and
// copies the same matches (found by a plain suffix test) into a slice of the exact size, the
// least any []Match-returning query must do.
func benchFloor(b *testing.B, ix *MemIndex) {
	want := 0
	_ = ix.Walk("", func(e *Entry) bool {
		if strings.HasSuffix(e.Path, ".jpg") && !strings.Contains(e.Path, "/.") {
			want++
		}
		return true
	})
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		out := make([]Match, 0, want)
		_ = ix.Walk("", func(e *Entry) bool {
			if strings.HasSuffix(e.Path, ".jpg") && !strings.Contains(e.Path, "/.") {
				out = append(out, Match{Entry: *e})
			}
			return true
		})
		if len(out) != want {
			b.Fatal(len(out), want)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func benchGlob(b *testing.B, ix Index, entries int) {
	b.ReportAllocs()
	var n int
	cpu := processCPU()
	for b.Loop() {
		ms, err := Glob(context.Background(), ix, "**/*.jpg")
		if err != nil {
			b.Fatal(err)
		}
		n = len(ms)
	}
	b.ReportMetric(float64((processCPU()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(entries), "entries")
	b.ReportMetric(float64(n), "matches")
}

// BenchmarkMatchPath compares the compiled matcher with doublestar.Match on the same paths
// (doublestar's answers differ: it lets "**" enter .cache). This is why the matcher is
// hand-written (doc.go).
func BenchmarkMatchPath(b *testing.B) {
	paths := []string{
		"datasets/imagenet/train/cls0001/img_0000001.jpg",
		"datasets/imagenet/train/cls0001/img_0000002.png",
		"datasets/imagenet/.cache/c00001.jpg",
	}
	p, err := Compile("**/*.jpg")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("glob", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range paths {
				p.Match(s, false)
			}
		}
	})
	b.Run("doublestar", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range paths {
				if _, err := doublestar.Match("**/*.jpg", s); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
