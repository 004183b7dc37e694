package mount

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

var pendingFiles = flag.Int("pending-files", 300,
	"files to upload and to download in TestPendingBounded (the issue's figure is 10,000: -pending-files=10000)")

// openFDs counts this process's open file descriptors (Linux, /proc);
// -1 where there is no /proc.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1 // the descriptor ReadDir itself had open
}

// peakSampler records the highest goroutine count and number of open
// descriptors until stopped.
type peakSampler struct {
	mu              sync.Mutex
	goroutines, fds int
	stop, done      chan struct{}
}

func startPeakSampler() *peakSampler {
	s := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			// The sampler itself is one goroutine, its ReadDir no
			// descriptor (openFDs discounts it).
			g, f := runtime.NumGoroutine()-1, openFDs()
			s.mu.Lock()
			s.goroutines, s.fds = max(s.goroutines, g), max(s.fds, f)
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *peakSampler) peaks() (goroutines, fds int) {
	close(s.stop)
	<-s.done
	return s.goroutines, s.fds
}

// TestPendingBounded: a pass with -pending-files new local files to
// upload and as many Drive files to download, behind some latency, keeps
// its goroutines and open descriptors within a bound set by Parallel, not
// by the number pending (issue 8). The default is 300 each way, to keep
// the suite quick under the race detector; -pending-files=10000 runs the
// issue's figure (docs/benchmarks.md, "Resource bounds").
//
// Not parallel: it counts the whole process's goroutines and descriptors.
func TestPendingBounded(t *testing.T) {
	n := *pendingFiles
	if testing.Short() {
		n = min(n, 200)
	}
	if openFDs() < 0 {
		t.Skip("no /proc/self/fd to count descriptors")
	}
	const parallel = 8
	h := newHarness(t, fakedrive.Options{Latency: time.Millisecond}, func(c *Config) { c.Parallel = parallel })
	// Drive's side: imported in one go (a folder of n files).
	src := filepath.Join(t.TempDir(), "remote")
	if err := os.MkdirAll(filepath.Join(src, "down"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(src, "down", fmt.Sprintf("r%05d.txt", i)), []byte(fmt.Sprint("remote ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.sv.Import(src, h.rootID); err != nil {
		t.Fatal(err)
	}
	// The local side: n settled files in one folder.
	up := filepath.Join(h.root, "up")
	if err := os.MkdirAll(up, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for i := range n {
		p := filepath.Join(up, fmt.Sprintf("l%05d.txt", i))
		if err := os.WriteFile(p, []byte(fmt.Sprint("local ", i)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	// A first request so the clients' connections and the emulator's
	// goroutines of an idle mount are in the baseline.
	if _, err := h.c.Get(context.Background(), h.rootID); err != nil {
		t.Fatal(err)
	}
	baseG, baseFD := runtime.NumGoroutine(), openFDs()
	s := startPeakSampler()
	t0 := time.Now()
	sum, err := h.m.Once(context.Background())
	elapsed := time.Since(t0)
	peakG, peakFD := s.peaks()
	if err != nil {
		t.Fatalf("Once: %v (%s)", err, sum)
	}
	if sum.Uploaded != n || sum.Downloaded != n {
		t.Fatalf("%s; want %d uploaded and %d downloaded", sum, n, n)
	}
	// Per transfer in flight: the worker, the client's connection (two
	// goroutines, one descriptor) and the emulator's end of it (one or two
	// goroutines, one descriptor), the file being read or written (one
	// descriptor), a stall guard; plus the pass's own few goroutines.
	boundG, boundFD := baseG+8*parallel+16, baseFD+4*parallel+16
	t.Logf("%d uploads and %d downloads in %v at Parallel %d: peak %d goroutines (baseline %d, bound %d), %d open descriptors (baseline %d, bound %d)",
		n, n, elapsed.Round(time.Millisecond), parallel, peakG, baseG, boundG, peakFD, baseFD, boundFD)
	if peakG > boundG {
		t.Errorf("peak of %d goroutines with %d transfers pending; bound %d", peakG, 2*n, boundG)
	}
	if peakFD > boundFD {
		t.Errorf("peak of %d open descriptors with %d transfers pending; bound %d", peakFD, 2*n, boundFD)
	}
	// It did what it was asked, one file each way checked.
	h.wantRemote("up/l00007.txt", "local 7")
	h.wantLocal("down/r00007.txt", "remote 7")
}
