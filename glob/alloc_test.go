package glob

import (
	"context"
	"fmt"
	"testing"
)

// TestNoAllocPerNonMatchingEntry: the allocations of a query do not grow with the number of
// entries that do not match (the bar; speed is in BenchmarkGlobJPG1M).
func TestNoAllocPerNonMatchingEntry(t *testing.T) {
	build := func(noise int) *MemIndex {
		es := []Entry{{Path: "d", Dir: true}, {Path: "d/.h", Dir: true}}
		for i := range 10 {
			es = append(es, Entry{Path: fmt.Sprintf("d/keep%d.jpg", i), ID: "x", MD5: "y"})
		}
		for i := range noise {
			// Near misses of every kind: wrong extension, hidden folder, hidden file, folder.
			es = append(es,
				Entry{Path: fmt.Sprintf("d/n%d.png", i), ID: "x"},
				Entry{Path: fmt.Sprintf("d/.h/n%d.jpg", i)},
				Entry{Path: fmt.Sprintf("d/.n%d.jpg", i)},
				Entry{Path: fmt.Sprintf("d/n%d", i), Dir: true})
		}
		ix, err := NewMemIndex(es)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	queries := []Query{
		{Patterns: []string{"**/*.jpg"}},
		{Patterns: []string{"d/*.{jpg,jpeg}"}, Exclude: []string{"**/*.png"}, Kinds: Images},
		{Patterns: []string{"**/keep?.jpg", "*/[k]*"}, Kinds: Checkpoints | Images},
	}
	small, large := build(100), build(2000)
	for _, q := range queries {
		allocs := func(ix *MemIndex) float64 {
			return testing.AllocsPerRun(5, func() {
				ms, err := q.Run(context.Background(), ix)
				if err != nil || len(ms) != 10 {
					t.Fatalf("%v: %d matches, %v", q.Patterns, len(ms), err)
				}
			})
		}
		if a, b := allocs(small), allocs(large); a != b {
			t.Errorf("%v: %v allocations with 400 non-matching entries, %v with 8000", q.Patterns, a, b)
		}
		nameAllocs := func(ix *MemIndex) float64 {
			return testing.AllocsPerRun(5, func() {
				names, err := q.Names(context.Background(), ix)
				if err != nil || len(names) != 10 {
					t.Fatalf("%v: Names gives %d, %v", q.Patterns, len(names), err)
				}
			})
		}
		if a, b := nameAllocs(small), nameAllocs(large); a != b {
			t.Errorf("%v: Names makes %v allocations with 400 non-matching entries, %v with 8000", q.Patterns, a, b)
		}
	}
}

func TestPatternMatchDoesNotAllocate(t *testing.T) {
	for _, c := range []struct{ pattern, path string }{
		{"**/*.jpg", "datasets/imagenet/train/cls0001/img_0000001.jpg"},
		{"**/*.jpg", "datasets/imagenet/.cache/c1.jpg"},
		{"a/**/b*/[!x]?.{png,gif}", "a/q/r/bb/yy.gif"},
		{"**/**/", "a/b/c"},
		{"caf[eé]/*", "café/x"},
	} {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() { p.Match(c.path, false); p.Match(c.path, true) }); n != 0 {
			t.Errorf("%q.Match(%q): %v allocations", c.pattern, c.path, n)
		}
	}
}

func TestChunkCap(t *testing.T) {
	for n := range 1000 {
		if c := chunkCap(n); c < 64 || c > maxChunk || n > 0 && c < chunkCap(n-1) {
			t.Fatalf("chunkCap(%d) = %d", n, c)
		}
	}
	if chunkCap(0) != 64 || chunkCap(6) != maxChunk {
		t.Errorf("chunk sizes: first %d, seventh %d", chunkCap(0), chunkCap(6))
	}
}
