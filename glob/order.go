package glob

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Order is a result order (the --sort flag).
type Order uint8

const (
	ByName  Order = iota // by Match.Name, byte-wise: what sorted(glob.glob(...)) gives
	ByMTime              // oldest first, ties by name
	BySize               // smallest first, ties by name
)

// ParseOrder reads "name", "mtime" or "size".
func ParseOrder(s string) (Order, error) {
	switch s {
	case "name":
		return ByName, nil
	case "mtime":
		return ByMTime, nil
	case "size":
		return BySize, nil
	}
	return 0, fmt.Errorf("glob: sort %q: want name, mtime or size", s)
}

func (o Order) String() string {
	switch o {
	case ByName:
		return "name"
	case ByMTime:
		return "mtime"
	case BySize:
		return "size"
	}
	return "Order(" + strconv.Itoa(int(o)) + ")"
}

// Shard is the --shard I/N selection: worker Index (0-based) of Count takes the results at
// positions Index, Index+Count, Index+2*Count, ... of the name-sorted result list. The parts
// are disjoint, cover everything, and differ in size by at most one, provided all workers query
// the same index state. The zero Shard selects everything.
type Shard struct {
	Index, Count int
}

// ParseShard reads "I/N" with 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(is)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("glob: shard %q: want I/N, e.g. 0/4 for the first of 4 workers", s)
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.check(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

func (s Shard) check() error {
	if s == (Shard{}) {
		return nil
	}
	if s.Count < 1 || s.Index < 0 || s.Index >= s.Count {
		return fmt.Errorf("glob: shard %d/%d: want 0 <= I < N (workers are numbered from 0)", s.Index, s.Count)
	}
	return nil
}

func (s Shard) String() string { return strconv.Itoa(s.Index) + "/" + strconv.Itoa(s.Count) }

// cmpName orders matches by Name (Path, plus "/" when Slash) without building the strings.
func cmpName(a, b *Match) int {
	x, y := a.Path, b.Path
	n := min(len(x), len(y))
	if c := strings.Compare(x[:n], y[:n]); c != 0 {
		return c
	}
	lx, ly := len(x), len(y)
	if a.Slash {
		lx++
	}
	if b.Slash {
		ly++
	}
	if n < lx && n < ly { // one path ended at n and continues only with its "/"
		cx, cy := byteOrSlash(x, n), byteOrSlash(y, n)
		if cx != cy {
			return int(cx) - int(cy)
		}
	}
	return lx - ly
}

func byteOrSlash(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return '/'
}

func cmpTime(a, b time.Time) int { return a.Compare(b) }
