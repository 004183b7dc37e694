package drive_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// BenchmarkListTree20k is the listing bar: 20,000 files in 400 folders
// (20 top folders of 19 subfolders; 50 files in each of the 400) behind
// 50 ms of latency. It fails if the client makes more than
// 1.5 × (400/50 + 20,000/1000) = 42 list calls; the bar for time is 3 s
// per listing (sec/op).
func BenchmarkListTree20k(b *testing.B) {
	e := newEnv(b, fakedrive.Options{Latency: 50 * time.Millisecond}, drive.Options{})
	fsys := fstest.MapFS{}
	for i := range 20 {
		top := fmt.Sprintf("t%02d", i)
		dirs := []string{top}
		for j := range 19 {
			dirs = append(dirs, fmt.Sprintf("%s/s%02d", top, j))
		}
		for _, d := range dirs {
			for k := range 50 {
				p := fmt.Sprintf("%s/f%02d.bin", d, k)
				fsys[p] = &fstest.MapFile{Data: []byte(p), ModTime: time.Unix(1.7e9, 0)}
			}
		}
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		b.Fatal(err)
	}
	const folders, files = 400, 20000
	bound := 1.5 * (folders/50.0 + files/1000.0)
	ctx := context.Background()
	var calls int64
	n := 0
	for b.Loop() {
		before := e.sv.Stats().Methods["files.list"]
		tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(tree.Files) != folders+files {
			b.Fatalf("listed %d items, want %d", len(tree.Files), folders+files)
		}
		c := e.sv.Stats().Methods["files.list"] - before
		if float64(c) > bound {
			b.Fatalf("%d list calls, want at most %.0f", c, bound)
		}
		calls += c
		n++
	}
	b.ReportMetric(float64(calls)/float64(n), "list-calls/op")
}

// BenchmarkDownload2000 is the download bar: 2,000 files of 50 KB behind
// 50 ms of latency, the emulator allowing 100 requests per second, so
// 20 s is the floor; the bar is 25 s per run (sec/op), every md5
// verified. "default" runs the client's default pacer (150/s, which
// Drive's 403s push down); "matched" tells it the server's rate.
// Run with -benchtime=1x: one run takes 20 s or more.
func BenchmarkDownload2000(b *testing.B) {
	for _, tc := range []struct {
		name  string
		pacer drive.PacerConfig
	}{
		{"default", drive.PacerConfig{}},
		{"matched", drive.PacerConfig{QPS: 100, Burst: 10}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchDownload(b, tc.pacer)
		})
	}
}

func benchDownload(b *testing.B, pc drive.PacerConfig) {
	e := newEnv(b, fakedrive.Options{Latency: 50 * time.Millisecond, QPS: 100}, drive.Options{Pacer: pc})
	fsys := fstest.MapFS{}
	for i := range 2000 {
		fsys[fmt.Sprintf("d%d/f%04d.bin", i%10, i)] = &fstest.MapFile{Data: randomBytes(uint64(i), 50_000), ModTime: time.Unix(1.7e9, 0)}
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	tree, err := e.c.ListTree(ctx, "root", drive.ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var todo []drive.File
	for _, f := range tree.Files {
		if !f.IsFolder() {
			todo = append(todo, f)
		}
	}
	if len(todo) != 2000 {
		b.Fatalf("%d files listed", len(todo))
	}
	time.Sleep(1100 * time.Millisecond) // let the server's bucket refill after the listing
	const workers = 32
	var runs int
	var total time.Duration
	for b.Loop() {
		dir := b.TempDir()
		before := e.sv.Stats()
		start := time.Now()
		work := make(chan drive.File)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for range workers {
			wg.Go(func() {
				for f := range work {
					// Download checks the md5 against Drive's before it renames.
					if _, err := e.c.Download(ctx, f, filepath.Join(dir, f.ID), drive.DownloadOptions{}); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
					}
				}
			})
		}
		for _, f := range todo {
			work <- f
		}
		close(work)
		wg.Wait()
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		total += time.Since(start)
		runs++
		after := e.sv.Stats()
		b.ReportMetric(float64(after.Methods["files.get.media"]-before.Methods["files.get.media"]), "downloads")
		b.ReportMetric(float64(after.RateLimited-before.RateLimited), "rate-limited")
	}
	secs := total.Seconds() / float64(runs)
	b.ReportMetric(2000/secs, "files/s")
	b.ReportMetric(secs/20, "x-rate-bound")
	s := e.c.Stats()
	b.ReportMetric(math.Round(s.Rate), "final-qps")
}
