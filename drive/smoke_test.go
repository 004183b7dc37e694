package drive_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer(), ChunkSize: 256 << 10, MultipartMax: 300 << 10})
	ctx := context.Background()
	dir := t.TempDir()
	small := randomBytes(1, 1000)
	big := randomBytes(2, 1<<20+123)
	d, err := e.c.Mkdir(ctx, "root", "data")
	if err != nil {
		t.Fatal(err)
	}
	f1, err := e.c.Create(ctx, d.ID, "small.bin", writeFile(t, dir, "small.bin", small))
	if err != nil {
		t.Fatal(err)
	}
	f2, err := e.c.Create(ctx, d.ID, "big.bin", writeFile(t, dir, "big.bin", big))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tree: %d files", len(tree.Files))
	for _, f := range []drive.File{f1, f2} {
		out := filepath.Join(dir, "out-"+f.Name)
		if _, err := e.c.Download(ctx, f, out, drive.DownloadOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	sameBytes(t, "small", mustRead(t, filepath.Join(dir, "out-small.bin")), small)
	sameBytes(t, "big", mustRead(t, filepath.Join(dir, "out-big.bin")), big)
	t.Logf("%+v", e.sv.Stats())
}
