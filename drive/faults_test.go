package drive_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestTransfersSurviveFaults uploads and downloads files of every path
// (multipart, resumable, one stream, ranged) while 10% of all requests
// fail, and checks each one's md5.
func TestTransfersSurviveFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fakedrive.Options{Faults: 0.10, FaultSeed: 5}, drive.Options{
		Pacer: fastPacer(), ChunkSize: 256 << 10, MultipartMax: 200 << 10, RangedMin: 1 << 20, RangedStreams: 4,
	})
	ctx := context.Background()
	sizes := []int{0, 10, 50 << 10, 200 << 10, 200<<10 + 1, 900 << 10, 1 << 20, 2<<20 + 3}
	const rounds = 3
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, len(sizes)*rounds)
	for r := range rounds {
		for i, size := range sizes {
			wg.Go(func() {
				data := randomBytes(uint64(r*100+i), size)
				name := fmt.Sprintf("f-%d-%d.bin", r, i)
				src := writeFile(t, dir, "src-"+name, data)
				f, err := e.c.Create(ctx, "root", name, src)
				if err != nil {
					errs <- fmt.Errorf("create %s: %w", name, err)
					return
				}
				if r%2 == 1 { // and a new revision of it
					data = randomBytes(uint64(r*100+i+50), size)
					src = writeFile(t, dir, "src2-"+name, data)
					if f, err = e.c.Update(ctx, f.ID, src); err != nil {
						errs <- fmt.Errorf("update %s: %w", name, err)
						return
					}
				}
				if f.MD5 != md5hex(data) {
					errs <- fmt.Errorf("%s: Drive md5 %s, want %s", name, f.MD5, md5hex(data))
					return
				}
				dst := filepath.Join(dir, "dst-"+name)
				if _, err := e.c.Download(ctx, f, dst, drive.DownloadOptions{}); err != nil {
					errs <- fmt.Errorf("download %s: %w", name, err)
					return
				}
				if got := md5hex(mustRead(t, dst)); got != f.MD5 {
					errs <- fmt.Errorf("%s: downloaded md5 %s, want %s", name, got, f.MD5)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	s := e.sv.Stats()
	t.Logf("%d requests, %d faults; client %+v", s.Requests, s.Faults, e.c.Stats())
	if s.Faults < 10 {
		t.Fatalf("only %d faults injected", s.Faults)
	}
}
