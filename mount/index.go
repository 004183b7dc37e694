package mount

import "hash/maphash"

// index maps strings to table slots: an open-addressing hash table with
// linear probing that stores only slot numbers (4 bytes a cell, no
// pointers) and reads each slot's key back from the table, so the keys
// are not stored twice. A slot must keep the key it was put under while
// it is in the index: the table removes it before changing its key.
type index struct {
	cells []uint32 // 0: empty, else slot+1
	n     int
	key   func(slot uint32) string
	seed  maphash.Seed
}

func newIndex(key func(uint32) string) index {
	return index{key: key, seed: maphash.MakeSeed()}
}

func (x *index) home(k string) int {
	return int(maphash.String(x.seed, k) & uint64(len(x.cells)-1))
}

// get returns the slot put under k.
func (x *index) get(k string) (uint32, bool) {
	if len(x.cells) == 0 {
		return 0, false
	}
	mask := len(x.cells) - 1
	for i := x.home(k); ; i = (i + 1) & mask {
		c := x.cells[i]
		if c == 0 {
			return 0, false
		}
		if x.key(c-1) == k {
			return c - 1, true
		}
	}
}

// put maps k (the key of slot) to slot, replacing the slot k mapped to.
func (x *index) put(k string, slot uint32) {
	if (x.n+1)*4 > len(x.cells)*3 {
		x.grow()
	}
	mask := len(x.cells) - 1
	for i := x.home(k); ; i = (i + 1) & mask {
		c := x.cells[i]
		if c == 0 {
			x.cells[i] = slot + 1
			x.n++
			return
		}
		if c == slot+1 || x.key(c-1) == k {
			x.cells[i] = slot + 1
			return
		}
	}
}

// remove takes slot out from under k, if it is there (k may map to
// another slot: then nothing changes).
func (x *index) remove(k string, slot uint32) {
	if len(x.cells) == 0 {
		return
	}
	mask := len(x.cells) - 1
	i := x.home(k)
	for ; ; i = (i + 1) & mask {
		c := x.cells[i]
		if c == 0 {
			return
		}
		if c == slot+1 {
			break
		}
	}
	// Backward-shift deletion: move up every later cell of the run that
	// may not sit past the hole, so lookups need no tombstones.
	for {
		x.cells[i] = 0
		j := i
		for {
			j = (j + 1) & mask
			c := x.cells[j]
			if c == 0 {
				x.n--
				return
			}
			h := x.home(x.key(c - 1))
			// The cell at j stays if its home lies cyclically in (i, j].
			if i <= j && i < h && h <= j || i > j && (i < h || h <= j) {
				continue
			}
			x.cells[i] = c
			i = j
			break
		}
	}
}

// grow doubles the cells (at least 1,024) and puts every slot back.
func (x *index) grow() {
	old := x.cells
	x.cells = make([]uint32, max(1024, 2*len(old)))
	mask := len(x.cells) - 1
	for _, c := range old {
		if c == 0 {
			continue
		}
		i := x.home(x.key(c - 1))
		for x.cells[i] != 0 {
			i = (i + 1) & mask
		}
		x.cells[i] = c
	}
}
