package mount

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestSettled: a file is settled once its size and mtime have not moved
// for Settle, by its mtime or by observation; any change starts over.
func TestSettled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := &Mount{cfg: Config{Settle: 2 * time.Second, Now: time.Now}, settle: map[string]obs{}}
		mt := time.Now()
		l := local{Size: 10, MTime: mt}
		if m.settled("f", l) {
			t.Fatal("settled at once")
		}
		time.Sleep(1500 * time.Millisecond)
		if m.settled("f", l) {
			t.Fatal("settled after 1.5 s")
		}
		// It grows: the clock starts over.
		l = local{Size: 20, MTime: time.Now()}
		if m.settled("f", l) {
			t.Fatal("settled right after a change")
		}
		time.Sleep(1900 * time.Millisecond)
		if m.settled("f", l) {
			t.Fatal("settled 1.9 s after a change")
		}
		time.Sleep(200 * time.Millisecond)
		if !m.settled("f", l) {
			t.Fatal("not settled 2.1 s after the last change")
		}
		// An mtime older than Settle is settled without waiting (a file
		// found by a scan after a restart).
		if !m.settled("old", local{Size: 1, MTime: time.Now().Add(-time.Minute)}) {
			t.Fatal("an old file is not settled")
		}
	})
}
