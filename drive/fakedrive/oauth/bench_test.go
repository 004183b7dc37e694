package oauth

import (
	"testing"
	"time"
)

// BenchmarkCheck is the per-request cost the emulator pays for auth, with
// many live tokens in the store, from parallel goroutines.
func BenchmarkCheck(b *testing.B) {
	a := New(Options{})
	for range 10000 {
		a.Mint("x@example.com", []string{scopeDrive}, time.Hour)
	}
	r := bearer(a.Mint("me@example.com", []string{scopeDrive}, time.Hour))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := a.Check(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
