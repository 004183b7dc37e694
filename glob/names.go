package glob

import (
	"context"
	"fmt"
	"slices"
)

// Names answers q as Run does but returns only the result names (Match.Name: what glob.glob
// returns, the line `drivesync glob` prints), in the same order. See EachName.
func (q Query) Names(ctx context.Context, ix Index) ([]string, error) {
	var names []string
	err := q.EachName(ctx, ix, func(name string) error {
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// EachName answers q as Run does but hands fn only each result name (Match.Name), in Run's
// order; it stops at the first error of fn and returns it. A name is valid only during the
// call (copy it to keep it).
//
// It is for callers that need nothing else of a result, such as a listing printed or sent as
// text. When q needs nothing of an entry but its path and folder bit to choose and order the
// results (PathsOnly), the walk keeps just one copy of each name, in shared buffers, and
// their headers in chunks, where Run keeps a whole Match (path, ID, MD5, state, size and time:
// 112 bytes plus the strings) in chunks that it then joins, and a caller then converts: for
// 60,000 matches that is ≈ 3 MB of memory instead of ≈ 20 MB, and a sort of strings only if
// the index order is not name order. When the index walks in name order (PathOrdered) and the
// query allows it (see streamable), nothing is kept at all: fn gets each name during the walk,
// so an error of the walk may then come after some names. Other queries are answered by Run.
func (q Query) EachName(ctx context.Context, ix Index, fn func(name string) error) error {
	if !q.PathsOnly() {
		ms, err := q.Run(ctx, ix)
		if err != nil {
			return err
		}
		for i := range ms {
			if err := fn(ms[i].Name()); err != nil {
				return err
			}
		}
		return nil
	}
	pl, err := q.compile()
	if err != nil {
		return err
	}
	if q.streamable(pl, ix) {
		c := collector{plan: pl, ctx: ctx, stream: fn, shard: q.Shard, limit: q.Limit}
		return c.walk(ix, pl.roots[0])
	}
	c := collector{plan: pl, ctx: ctx, namesOnly: true}
	for _, r := range pl.roots {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("glob: %w", err)
		}
		if err := c.walk(ix, r); err != nil {
			return err
		}
	}
	at := c.nameAt // over the chunks, while they are in name order (byte-wise, as cmpName)
	if !c.namesSorted {
		all := make([]string, 0, c.nnames)
		for _, ch := range c.nameChunks {
			all = append(all, ch...)
		}
		slices.Sort(all)
		at = func(i int) string { return all[i] }
	}
	// Shard, then Reverse, then Limit, as Run does: m positions first, first+step, ...
	first, step, m := 0, 1, c.nnames
	if q.Shard.Count > 1 {
		first, step = q.Shard.Index, q.Shard.Count
		m = max(0, (c.nnames-first+step-1)/step)
	}
	n := m
	if q.Limit > 0 {
		n = min(n, q.Limit)
	}
	for k := range n {
		j := k
		if q.Reverse {
			j = m - 1 - k
		}
		if err := fn(at(first + j*step)); err != nil {
			return err
		}
	}
	return nil
}

// PathsOnly reports whether q chooses and orders its results from each entry's Path and Dir
// alone: no Newest, no Sort other than ByName, no Checkpoints kind (whose SavedModel rule reads
// modification times). Such a query can be answered from an index that knows nothing else (its
// entries' Size, ModTime, ID and MD5 left zero); EachName then keeps only names.
func (q Query) PathsOnly() bool {
	return q.Newest == 0 && q.Sort == ByName && q.Kinds&Checkpoints == 0
}

// PathOrdered is implemented by an Index whose Walk visits entries in byte-wise Path order
// (MemIndex does) when PathOrdered returns true.
type PathOrdered interface {
	PathOrdered() bool
}

// streamable reports whether EachName can hand out names during the walk: the index walks in
// name order (PathOrdered), one walk covers every pattern (two roots such as "a" and "a-b" would
// interleave: "a-b" < "a/x"), no pattern yields names with a trailing "/" (they sort apart
// from their path: "a-b" < "a/"), and the order is not reversed.
func (q Query) streamable(pl *plan, ix Index) bool {
	po, ok := ix.(PathOrdered)
	if !ok || !po.PathOrdered() || len(pl.roots) != 1 || q.Reverse {
		return false
	}
	for _, a := range pl.roots[0].alts {
		if a.dirOnly || a.finalStar {
			return false
		}
	}
	return true
}

// shardOf keeps shard s of the name-sorted list res (in place).
func shardOf[T any](res []T, s Shard) []T {
	if s.Count <= 1 {
		return res
	}
	k := 0
	for i := s.Index; i < len(res); i += s.Count {
		res[k] = res[i]
		k++
	}
	return res[:k]
}

// limit keeps the first n of res when n > 0.
func limit[T any](res []T, n int) []T {
	if n > 0 && len(res) > n {
		return res[:n]
	}
	return res
}
