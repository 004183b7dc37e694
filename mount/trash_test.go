package mount

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestTrashPurge: local trash days older than TrashKeep are removed,
// younger ones and foreign folders kept.
func TestTrashPurge(t *testing.T) {
	now := mustTime(t, "2026-06-30T12:00:00Z")
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.Now = func() time.Time { return now } })
	for _, d := range []string{"2026-05-30", "2026-05-31", "2026-06-01", "2026-06-29", "not-a-day"} {
		p := filepath.Join(h.state, "trash", d, "f.txt")
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	h.m.purgeTrash()
	ents, _ := os.ReadDir(filepath.Join(h.state, "trash"))
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	want := []string{"2026-05-31", "2026-06-01", "2026-06-29", "not-a-day"}
	if len(got) != len(want) {
		t.Fatalf("after purge: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("after purge: %v, want %v", got, want)
		}
	}
}
