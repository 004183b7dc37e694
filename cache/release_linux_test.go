//go:build linux

package cache

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// mappedRss is the resident size of the process's mappings of file, from
// /proc/self/smaps.
func mappedRss(t *testing.T, file string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	var total int64
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && fields[5] == file
			continue
		}
		if in && len(fields) == 3 && fields[0] == "Rss:" {
			n, _ := strconv.ParseInt(fields[1], 10, 64)
			total += n << 10
		}
	}
	return total
}

// TestReleaseMemory: after a walk of every entry the store's mapping is
// resident; ReleaseMemory drops it, and the entries read back the same,
// while another goroutine writes (bbolt may remap meanwhile).
func TestReleaseMemory(t *testing.T) {
	s := open(t, Options{})
	var es []Entry
	for i := range 2000 {
		es = append(es, file(fmt.Sprintf("id%05d", i), fmt.Sprintf("d%02d/f%05d", i%50, i), i))
	}
	mustPut(t, s, es...)
	n := 0
	if err := s.Walk(".", func(Entry) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	before := mappedRss(t, s.Path())
	if before == 0 {
		t.Fatalf("walked %d entries, yet nothing of %s is resident", n, s.Path())
	}
	if err := s.ReleaseMemory(); err != nil {
		t.Fatal(err)
	}
	if after := mappedRss(t, s.Path()); after*4 > before {
		t.Fatalf("resident %d bytes of the store before ReleaseMemory, %d after", before, after)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for b := range 10 {
			err := s.Update(func(tx *Tx) error {
				for i := b * 200; i < (b+1)*200; i++ {
					if err := tx.Put(file(fmt.Sprintf("new%05d", i), fmt.Sprintf("new/f%05d", i), i)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 20 {
		if err := s.ReleaseMemory(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	for _, w := range es {
		got, err := s.ByID(w.ID)
		if err != nil || !sameEntry(got, w) {
			t.Fatalf("after ReleaseMemory: %s = %+v, %v; want %+v", w.ID, got, err, w)
		}
	}
}
