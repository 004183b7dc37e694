package glob

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
)

// Match is one result: an index entry and how Python's glob spells it.
type Match struct {
	Entry
	// Slash reports that the result is spelled with a trailing "/": patterns ending in "/",
	// and a final "**" that matched no further name ("a/**" yields "a/" for the folder a).
	Slash bool
}

// Name returns the result as glob.glob returns it: Path, plus "/" when Slash.
func (m Match) Name() string {
	if m.Slash {
		return m.Path + "/"
	}
	return m.Path
}

// Query is one `drivesync glob` request. Results are computed in this order:
//
//  1. every entry any pattern returns (a union, as Match names), minus those any Exclude pattern
//     returns in either spelling, restricted to Kinds when it is not zero;
//  2. Newest > 0 keeps the Newest most recently modified (--latest is Newest 1);
//  3. Shard keeps this worker's part of the name-sorted list;
//  4. the list is sorted by Sort (Reverse flips it);
//  5. Limit > 0 keeps the first Limit.
type Query struct {
	Patterns []string // at least one
	Exclude  []string // same syntax; "tmp/**" drops tmp/ and everything below it
	Kinds    Kind
	Newest   int
	Shard    Shard
	Sort     Order
	Reverse  bool
	Limit    int
}

// Glob returns what glob.glob(pattern, recursive=True) returns on a complete local mirror of
// ix, without duplicates and sorted by name.
func Glob(ctx context.Context, ix Index, pattern string) ([]Match, error) {
	return Query{Patterns: []string{pattern}}.Run(ctx, ix)
}

// plan is a compiled Query.
type plan struct {
	roots   []walkRoot
	exclude []*alt
	kinds   Kind
}

// walkRoot is one Walk call: the alternatives whose literal prefixes lie at or below dir.
type walkRoot struct {
	dir  string
	alts []*alt
}

// Validate reports the first problem with q (a malformed pattern, a bad shard or count)
// without touching any index.
func (q Query) Validate() error {
	_, err := q.compile()
	return err
}

func (q Query) compile() (*plan, error) {
	if len(q.Patterns) == 0 {
		return nil, errors.New("glob: no pattern")
	}
	if q.Newest < 0 || q.Limit < 0 {
		return nil, fmt.Errorf("glob: newest %d, limit %d: must not be negative", q.Newest, q.Limit)
	}
	if err := q.Shard.check(); err != nil {
		return nil, err
	}
	if q.Sort > BySize {
		return nil, fmt.Errorf("glob: unknown sort order %v", q.Sort)
	}
	pl := &plan{kinds: q.Kinds}
	var alts []*alt
	for _, s := range q.Patterns {
		p, err := Compile(s)
		if err != nil {
			return nil, err
		}
		alts = append(alts, p.alts...)
	}
	for _, s := range q.Exclude {
		p, err := Compile(s)
		if pe := (*PatternError)(nil); errors.As(err, &pe) {
			pe.What = "exclude pattern"
		}
		if err != nil {
			return nil, err
		}
		pl.exclude = append(pl.exclude, p.alts...)
	}
	// One walk per outermost literal prefix: "{train,val}/*.jpg" walks train and val, never
	// the whole index; "a/*" and "a/b/*" share the walk of a.
	dirs := make([]string, 0, len(alts))
	for _, a := range alts {
		dirs = append(dirs, a.prefix)
	}
	slices.Sort(dirs) // ancestors first
	for _, d := range slices.Compact(dirs) {
		if !slices.ContainsFunc(pl.roots, func(r walkRoot) bool { _, ok := under(d, r.dir); return ok }) {
			pl.roots = append(pl.roots, walkRoot{dir: d})
		}
	}
	for _, a := range alts {
		for i := range pl.roots {
			if _, ok := under(a.prefix, pl.roots[i].dir); ok {
				pl.roots[i].alts = append(pl.roots[i].alts, a)
				break
			}
		}
	}
	return pl, nil
}

// Run answers q from ix. It validates q before calling ix.Walk, and checks ctx while walking.
func (q Query) Run(ctx context.Context, ix Index) ([]Match, error) {
	pl, err := q.compile()
	if err != nil {
		return nil, err
	}
	c := collector{plan: pl, ctx: ctx}
	for _, r := range pl.roots {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("glob: %w", err)
		}
		if err := c.walk(ix, r); err != nil {
			return nil, err
		}
	}
	res := c.finish()
	if !slices.IsSortedFunc(res, func(a, b Match) int { return cmpName(&a, &b) }) {
		slices.SortFunc(res, func(a, b Match) int { return cmpName(&a, &b) })
	}
	if q.Newest > 0 && len(res) > q.Newest {
		slices.SortStableFunc(res, func(a, b Match) int { return -cmpTime(c.modTime(&a), c.modTime(&b)) })
		res = res[:q.Newest]
		slices.SortFunc(res, func(a, b Match) int { return cmpName(&a, &b) })
	}
	res = shardOf(res, q.Shard)
	switch q.Sort {
	case ByMTime:
		slices.SortStableFunc(res, func(a, b Match) int { return cmpTime(c.modTime(&a), c.modTime(&b)) })
	case BySize:
		slices.SortStableFunc(res, func(a, b Match) int { return cmp.Compare(a.Size, b.Size) })
	}
	if q.Reverse {
		slices.Reverse(res)
	}
	return slices.Clip(limit(res, q.Limit)), nil
}
