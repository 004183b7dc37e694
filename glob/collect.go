package glob

import (
	"context"
	"fmt"
	"math/bits"
	"strings"
	"time"
)

// collector gathers the matches of one Run: it walks the index, applies the patterns, Exclude
// and Kinds, and copies what it keeps.
type collector struct {
	*plan
	ctx     context.Context
	chunks  [][]Match
	arena   *strings.Builder
	pending bool                 // chunks hold folders awaiting the SavedModel check
	saved   map[string]time.Time // SavedModel folder -> modification time of its saved_model.pb
	seen    int
	// namesOnly: keep only each result's name (Query.EachName), in nameChunks (sizes as
	// chunkCap), not Matches; namesSorted says they came in name order.
	namesOnly   bool
	nameChunks  [][]string
	nnames      int
	namesSorted bool
	lastName    string
	// stream, when set, gets each name during the walk, as shard/limit select
	// (Query.EachName over an index that walks in name order); streamErr is its error.
	stream    func(name string) error
	shard     Shard
	limit     int
	matched   int // names matched so far
	sent      int // names given to stream
	streamErr error
}

// streamName hands name to c.stream if the shard and the limit select it, and reports whether
// the walk should go on.
func (c *collector) streamName(name string) bool {
	k := c.matched
	c.matched++
	if c.shard.Count > 1 && k%c.shard.Count != c.shard.Index {
		return true
	}
	if err := c.stream(name); err != nil {
		c.streamErr = err
		return false
	}
	c.sent++
	return c.limit == 0 || c.sent < c.limit
}

// walk visits one root. Per entry it allocates nothing unless the entry is kept.
func (c *collector) walk(ix Index, r walkRoot) error {
	var stopped error
	err := ix.Walk(r.dir, func(e *Entry) bool {
		if c.seen++; c.seen&0x3fff == 0 {
			if err := c.ctx.Err(); err != nil {
				stopped = err
				return false
			}
		}
		if _, ok := under(e.Path, r.dir); !ok {
			return true // the store may visit more than asked
		}
		if c.kinds&Checkpoints != 0 && !e.Dir && isSavedModelFile(baseName(e.Path)) {
			c.noteSavedModel(e)
		}
		var plain, slash bool
		for _, a := range r.alts {
			pl, sl := a.forms(e.Path, e.Dir)
			plain, slash = plain || pl, slash || sl
		}
		if !plain && !slash || c.excluded(e) || !c.wanted(e) {
			return true
		}
		if c.stream != nil { // plain only: see streamable
			return c.streamName(e.Path)
		}
		if plain {
			c.add(e, false)
		}
		if slash {
			c.add(e, true)
		}
		return true
	})
	if c.streamErr != nil {
		return c.streamErr
	}
	if stopped != nil {
		return fmt.Errorf("glob: walk %q: %w", r.dir, stopped)
	}
	if err != nil {
		return fmt.Errorf("glob: walk %q: %w", r.dir, err)
	}
	return nil
}

func (c *collector) excluded(e *Entry) bool {
	for _, a := range c.exclude {
		if pl, sl := a.forms(e.Path, e.Dir); pl || sl {
			return true
		}
	}
	return false
}

// wanted applies Kinds. Folders pass provisionally when Checkpoints is asked for: whether they
// are SavedModels is known only once the walk has seen their saved_model.pb.
func (c *collector) wanted(e *Entry) bool {
	if c.kinds == 0 {
		return true
	}
	if e.Dir {
		if c.kinds&Checkpoints != 0 {
			c.pending = true
			return true
		}
		return false
	}
	name := baseName(e.Path)
	return c.kinds&Images != 0 && isImageFile(name) || c.kinds&Checkpoints != 0 && isCheckpointFile(name)
}

func (c *collector) noteSavedModel(e *Entry) {
	dir := e.Path[:max(strings.LastIndexByte(e.Path, '/'), 0)]
	if c.saved == nil {
		c.saved = make(map[string]time.Time)
	}
	if t, ok := c.saved[dir]; !ok || e.ModTime.After(t) {
		c.saved[strings.Clone(dir)] = e.ModTime
	}
}

// modTime is the time --newest and --sort mtime use: Drive does not bump a folder's
// modifiedTime when files inside change, so a SavedModel folder counts as modified when its
// saved_model.pb was, if that is later.
func (c *collector) modTime(m *Match) time.Time {
	if m.Dir {
		if t, ok := c.saved[m.Path]; ok && t.After(m.ModTime) {
			return t
		}
	}
	return m.ModTime
}

// Matches are gathered in chunks of 64, 128, ... up to maxChunk matches and joined once at
// the end: that allocates about twice the result size, where growing one slice by append would
// allocate and copy about five times it (append grows large slices by 1.25x).
const maxChunk = 4096

// maxArena is the largest buffer kept strings are copied into; the first is 4 KiB.
const maxArena = 1 << 20

// chunkCap is the capacity of chunk number n (from 0).
func chunkCap(n int) int { return min(maxChunk, 64<<min(n, 6)) }

func (c *collector) add(e *Entry, slash bool) {
	if c.namesOnly {
		c.addName(e.Path, slash)
		return
	}
	if n := len(c.chunks); n == 0 || len(c.chunks[n-1]) == cap(c.chunks[n-1]) {
		c.chunks = append(c.chunks, make([]Match, 0, chunkCap(n)))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, Match{Entry: *e, Slash: slash})
	c.keepStrings(&(*last)[len(*last)-1].Entry)
}

// keepStrings copies the strings of e. A store's strings need only be valid during Walk's
// callback (they may alias its pages or a reused buffer). The copies go into shared buffers,
// one allocation per buffer instead of one per string: a strings.Builder never changes bytes
// it has written, so substrings of its String() stay valid while it keeps growing.
func (c *collector) keepStrings(e *Entry) {
	start := c.room(len(e.Path) + len(e.ID) + len(e.MD5) + len(e.State))
	c.arena.WriteString(e.Path)
	c.arena.WriteString(e.ID)
	c.arena.WriteString(e.MD5)
	c.arena.WriteString(e.State)
	all := c.arena.String()[start:]
	next := func(l int) string {
		s := all[:l]
		all = all[l:]
		return s
	}
	e.Path, e.ID, e.MD5, e.State = next(len(e.Path)), next(len(e.ID)), next(len(e.MD5)), next(len(e.State))
}

// addName keeps a copy of path (plus "/" when slash): a result name of Query.Names.
func (c *collector) addName(path string, slash bool) {
	n := len(path)
	if slash {
		n++
	}
	start := c.room(n)
	c.arena.WriteString(path)
	if slash {
		c.arena.WriteByte('/')
	}
	name := c.arena.String()[start:]
	if c.nnames == 0 {
		c.namesSorted = true
	} else if c.namesSorted && c.lastName > name {
		c.namesSorted = false
	}
	c.lastName = name
	if k := len(c.nameChunks); k == 0 || len(c.nameChunks[k-1]) == cap(c.nameChunks[k-1]) {
		c.nameChunks = append(c.nameChunks, make([]string, 0, chunkCap(k)))
	}
	last := &c.nameChunks[len(c.nameChunks)-1]
	*last = append(*last, name)
	c.nnames++
}

// nameAt returns kept name number i (from 0, in the order kept). Chunk k holds chunkCap(k)
// names: 64 << k for k < 6, maxChunk from then on.
func (c *collector) nameAt(i int) string {
	const small = 64 * (1<<6 - 1) // names in chunks 0-5
	if i < small {
		k := bits.Len(uint(i>>6+1)) - 1
		return c.nameChunks[k][i-64*(1<<k-1)]
	}
	j := i - small
	return c.nameChunks[6+j/maxChunk][j%maxChunk]
}

// room makes the current arena hold n more bytes, starting a new one if need be, and returns
// where they will start.
func (c *collector) room(n int) int {
	if c.arena == nil || c.arena.Cap()-c.arena.Len() < n {
		size := 4 << 10
		if c.arena != nil {
			size = min(maxArena, 2*c.arena.Cap())
		}
		c.arena = new(strings.Builder)
		c.arena.Grow(max(size, n))
	}
	return c.arena.Len()
}

// finish joins the chunks into one slice, dropping the provisional folders that turned out
// not to be SavedModels.
func (c *collector) finish() []Match {
	total := 0
	for _, ch := range c.chunks {
		total += len(ch)
	}
	out := make([]Match, 0, total)
	for i, ch := range c.chunks {
		if !c.pending {
			out = append(out, ch...)
		} else {
			for _, m := range ch {
				if _, ok := c.saved[m.Path]; !m.Dir || ok {
					out = append(out, m)
				}
			}
		}
		c.chunks[i] = nil
	}
	return out
}
