package drive_test

import (
	"testing"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/drivetest"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestConformance runs the Remote suite against the Client and the
// emulator, clean and with 10% of requests failing in every way the
// emulator knows (500, 503, dropped connections, truncated media).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults float64
	}{{"clean", 0}, {"faults10pct", 0.10}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, fakedrive.Options{Faults: tc.faults, FaultSeed: 11}, drive.Options{
				Pacer: fastPacer(), ChunkSize: 256 << 10, MultipartMax: 256 << 10, RangedMin: 1 << 20, RangedStreams: 3,
			})
			drivetest.Run(t, e.c, drivetest.Options{LargeSize: 3<<20 + 5})
			t.Logf("emulator: %d requests, %d faults; client: %+v", e.sv.Stats().Requests, e.sv.Stats().Faults, e.c.Stats())
			if tc.faults > 0 && e.sv.Stats().Faults == 0 {
				t.Fatal("no faults were injected")
			}
		})
	}
}
