package glob

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

// Names must equal Run's names across the chunk boundaries of the kept names (64, 128, ...,
// 4096 each), in index order and out of it, with every cut that positions in the list.
func TestNamesLargeResults(t *testing.T) {
	var es []Entry
	for i := range 9000 {
		es = append(es, Entry{Path: fmt.Sprintf("d%d/f%05d.jpg", i%3, i)})
	}
	es = append(es, Entry{Path: "d0", Dir: true}, Entry{Path: "d1", Dir: true}, Entry{Path: "d2", Dir: true})
	mem, err := NewMemIndex(es)
	if err != nil {
		t.Fatal(err)
	}
	loose := &looseIndex{entries: mem.entries} // reverse order: the kept names need a sort
	for _, q := range []Query{
		{Patterns: []string{"**"}},
		{Patterns: []string{"*/*.jpg"}, Reverse: true},
		{Patterns: []string{"**/*.jpg"}, Shard: Shard{Index: 2, Count: 7}},
		{Patterns: []string{"**/*.jpg"}, Shard: Shard{Index: 6, Count: 7}, Reverse: true, Limit: 1000},
		{Patterns: []string{"d1/**"}, Limit: 4100},
		{Patterns: []string{"d1/**", "*/"}, Shard: Shard{Index: 0, Count: 4033}},
	} {
		for _, ix := range []Index{mem, loose} {
			ms, err := q.Run(context.Background(), ix)
			if err != nil {
				t.Fatal(err)
			}
			want := make([]string, len(ms))
			for i := range ms {
				want[i] = ms[i].Name()
			}
			got, err := q.Names(context.Background(), ix)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%+v (%T): Names gives %d names, %v; Run %d", q, ix, len(got), err, len(want))
			}
		}
	}
}

// EachName stops at fn's first error and returns it.
func TestEachNameStops(t *testing.T) {
	mem, err := NewMemIndex([]Entry{{Path: "a"}, {Path: "b"}, {Path: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	stop := fmt.Errorf("enough")
	var seen []string
	err = Query{Patterns: []string{"*"}}.EachName(context.Background(), mem, func(n string) error {
		seen = append(seen, n)
		if n == "b" {
			return stop
		}
		return nil
	})
	if err != stop || !slices.Equal(seen, []string{"a", "b"}) {
		t.Errorf("EachName = %v after %q, want %v after [a b]", err, seen, stop)
	}
}
