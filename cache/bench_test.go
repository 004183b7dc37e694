package cache

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	bolt "go.etcd.io/bbolt"
)

const benchN = 100_000

// mix scatters i (splitmix64), standing in for Drive's random IDs.
func mix(i int) uint64 {
	z := uint64(i) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// benchEntry is a realistic entry: nested path, a 33-character random ID
// like Drive's, both bases.
func benchEntry(i int) Entry {
	e := file(fmt.Sprintf("1%016x%016x", mix(i), mix(i+benchN)), fmt.Sprintf("photos/%03d/%02d/IMG_%06d.jpg", i/1000, i/100%10, i), i)
	e.ParentID = fmt.Sprintf("1%016x%016x", mix(i/100+2*benchN), mix(i/100+3*benchN))
	return e
}

// fill writes benchN entries in transactions of batch entries.
func fill(b *testing.B, s *Store, batch int) {
	b.Helper()
	for start := 0; start < benchN; start += batch {
		err := s.Update(func(tx *Tx) error {
			for i := start; i < min(start+batch, benchN); i++ {
				if err := tx.Put(benchEntry(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPut100k writes 100,000 entries into a fresh store in
// transactions of 1,000 or 10,000 (as the initial mirror would), and
// reports time and heap allocated per entry, and per entry the file's size
// and the part of it bbolt has used (the file grows ahead of use).
func BenchmarkPut100k(b *testing.B) {
	for _, batch := range []int{1000, 10_000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			var disk, used int64
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				s, err := Open(filepath.Join(dir, "state.db"), Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				fill(b, s, batch)
				b.StopTimer()
				s.db.View(func(tx *bolt.Tx) error { used = tx.Size(); return nil })
				s.Close()
				fi, err := os.Stat(filepath.Join(dir, "state.db"))
				if err != nil {
					b.Fatal(err)
				}
				disk = fi.Size()
				b.StartTimer()
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchN), "ns/entry")
			b.ReportMetric(float64(disk)/benchN, "file-B/entry")
			b.ReportMetric(float64(used)/benchN, "used-B/entry")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N*benchN), "alloc-B/entry")
		})
	}
}

// BenchmarkWalk walks a store of 100,000 entries, decoding each.
func BenchmarkWalk(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, 10_000)
	for b.Loop() {
		n := 0
		if err := s.Walk("", func(Entry) error { n++; return nil }); err != nil || n != benchN {
			b.Fatalf("Walk: %d entries, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchN), "ns/entry")
}

// BenchmarkWalkPaths walks the paths of a store of 100,000 entries.
func BenchmarkWalkPaths(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, 10_000)
	for b.Loop() {
		n := 0
		if err := s.WalkPaths("", func(string, string) error { n++; return nil }); err != nil || n != benchN {
			b.Fatalf("WalkPaths: %d entries, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchN), "ns/entry")
}

// BenchmarkByPath looks entries up by path in a store of 100,000.
func BenchmarkByPath(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, 10_000)
	i := 0
	for b.Loop() {
		if _, err := s.ByPath(benchEntry(i * 7919 % benchN).Path); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCodec compares the stored encoding (JSON, short names) with a
// gob encoding of each entry on its own, as a bbolt value must be.
func BenchmarkCodec(b *testing.B) {
	e := benchEntry(12345)
	codecs := []struct {
		name string
		enc  func(Entry) ([]byte, error)
		dec  func([]byte) (Entry, error)
	}{
		{"json", encodeEntry, decodeEntry},
		{"gob", func(e Entry) ([]byte, error) {
			var buf bytes.Buffer
			err := gob.NewEncoder(&buf).Encode(e)
			return buf.Bytes(), err
		}, func(data []byte) (e Entry, err error) {
			err = gob.NewDecoder(bytes.NewReader(data)).Decode(&e)
			return e, err
		}},
	}
	for _, c := range codecs {
		data, err := c.enc(e)
		if err != nil {
			b.Fatal(err)
		}
		if got, err := c.dec(data); err != nil || !sameEntry(got, e) {
			b.Fatalf("%s round trip: %+v, %v", c.name, got, err)
		}
		b.Run(c.name+"/encode", func(b *testing.B) {
			for b.Loop() {
				c.enc(e)
			}
			b.ReportMetric(float64(len(data)), "bytes")
		})
		b.Run(c.name+"/decode", func(b *testing.B) {
			for b.Loop() {
				c.dec(data)
			}
		})
	}
}

// BenchmarkWalkListing walks the listing index of a store of 100,000
// entries (compare BenchmarkWalk, which decodes each entry).
func BenchmarkWalkListing(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "state.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	fill(b, s, 10_000)
	for b.Loop() {
		n := 0
		if err := s.WalkListing("", func(Listing) error { n++; return nil }); err != nil || n != benchN {
			b.Fatalf("WalkListing: %d entries, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchN), "ns/entry")
}
