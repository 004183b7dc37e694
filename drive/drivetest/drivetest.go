package drivetest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive"
)

type Options struct {
	// Root is the folder the suite works in (default "root", My Drive).
	Root string
	// LargeSize is the size of the largest file uploaded and downloaded;
	// pick it above the implementation's multipart and ranged-download
	// thresholds so those paths run too (default 3 MiB).
	LargeSize int
}

func Run(t *testing.T, r drive.Remote, opt Options) {
	if opt.Root == "" {
		opt.Root = "root"
	}
	if opt.LargeSize <= 0 {
		opt.LargeSize = 3 << 20
	}
	s := &suite{r: r, opt: opt, ctx: context.Background()}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, drive.File)
	}{
		{"About", s.about},
		{"MkdirGet", s.mkdirGet},
		{"CreateDownload", s.createDownload},
		{"UpdateKeepsID", s.updateKeepsID},
		{"MoveRename", s.moveRename},
		{"Trash", s.trash},
		{"ListTree", s.listTree},
		{"ResolvePath", s.resolvePath},
		{"Changes", s.changes},
		{"Errors", s.errors},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := r.Mkdir(s.ctx, opt.Root, fmt.Sprintf("drivetest-%s-%d", tc.name, time.Now().UnixNano()))
			if err != nil {
				t.Fatal(err)
			}
			tc.fn(t, dir)
		})
	}
}

type suite struct {
	r   drive.Remote
	opt Options
	ctx context.Context
}

func content(seed uint64, n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 42}).Read(b)
	return b
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func local(t *testing.T, data []byte, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "src.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

func (s *suite) fetch(t *testing.T, f drive.File) []byte {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "dl.bin")
	if _, err := s.r.Download(s.ctx, f, dst, drive.DownloadOptions{}); err != nil {
		t.Fatalf("download %s: %v", f.Name, err)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
