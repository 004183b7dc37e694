package mount

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// benchEnv is an emulator behind a latency the benchmark can change, and
// a folder "mirror" seeded from a generated tree.
type benchEnv struct {
	sv     *fakedrive.Server
	ts     *httptest.Server
	lat    atomic.Int64 // added per request, ns
	rootID string
}

func newBenchEnv(b *testing.B, fo fakedrive.Options, folders, perFolder, size int) *benchEnv {
	b.Helper()
	sv, err := fakedrive.New(fo)
	if err != nil {
		b.Fatal(err)
	}
	e := &benchEnv{sv: sv}
	e.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(e.lat.Load()); d > 0 {
			time.Sleep(d)
		}
		sv.ServeHTTP(w, r)
	}))
	b.Cleanup(e.ts.Close)
	src := filepath.Join(b.TempDir(), "mirror")
	buf := make([]byte, size)
	for d := range folders {
		dir := filepath.Join(src, fmt.Sprintf("folder%02d", d))
		os.MkdirAll(dir, 0o755)
		for f := range perFolder {
			for i := range buf {
				buf[i] = byte(d*7 + f*13 + i)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("file%04d.bin", f)), buf, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	c := newClient(b, sv, e.ts.URL, drive.Options{})
	f, err := c.Mkdir(context.Background(), "root", "mirror")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sv.Import(src, f.ID); err != nil {
		b.Fatal(err)
	}
	e.rootID = f.ID
	return e
}

// mount makes a fresh local side (store, root) for the emulator.
func (e *benchEnv) mount(b *testing.B, dir string, pacer drive.PacerConfig, tweak func(*Config)) (*Mount, *cache.Store) {
	b.Helper()
	st, err := cache.Open(filepath.Join(dir, "state.db"), cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	c := newClient(b, e.sv, e.ts.URL, drive.Options{Pacer: pacer, Sessions: st.Sessions()})
	cfg := Config{Remote: c, Store: st, Root: filepath.Join(dir, "root"), RemoteRoot: e.rootID,
		StateDir: dir, Parallel: 16, Host: "bench"}
	if tweak != nil {
		tweak(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return m, st
}

// BenchmarkInitialMirror mirrors 2,000 files of 50 KB in 40 folders from
// the emulator at 50 ms latency and 100 requests/s (the bar: at
// most 1.3x the rate bound of 20 s), then times a second pass with
// nothing changed (bar: at most 5 API calls and 1 s).
//
// Sub-benchmarks: the client paced at the emulator's 100 requests/s, and
// at its default 150/s, which Drive (and the emulator) push back on.
func BenchmarkInitialMirror(b *testing.B) {
	e := newBenchEnv(b, fakedrive.Options{Latency: 50 * time.Millisecond, QPS: 100}, 40, 50, 50<<10)
	b.Run("pacer=100", func(b *testing.B) { benchMirror(b, e, drive.PacerConfig{QPS: 100, Burst: 20}) })
	b.Run("pacer=default", func(b *testing.B) { benchMirror(b, e, drive.PacerConfig{}) })
}

func benchMirror(b *testing.B, e *benchEnv, pacer drive.PacerConfig) {
	for b.Loop() {
		dir := b.TempDir()
		m, _ := e.mount(b, dir, pacer, nil)
		before := e.sv.Stats()
		t0 := time.Now()
		sum, err := m.Once(context.Background())
		mirror := time.Since(t0)
		if err != nil || sum.Downloaded != 2000 {
			b.Fatalf("mirror: %s: %v", sum, err)
		}
		mid := e.sv.Stats()
		// The second pass is a restarted process on the same store.
		m.cfg.Store.Close()
		st2, err := cache.Open(filepath.Join(dir, "state.db"), cache.Options{})
		if err != nil {
			b.Fatal(err)
		}
		cfg := m.cfg
		cfg.Store = st2
		again, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		sum2, err := again.Once(context.Background())
		second := time.Since(t1)
		st2.Close()
		if err != nil || sum2.Downloaded != 0 {
			b.Fatalf("second pass: %s: %v", sum2, err)
		}
		after := e.sv.Stats()
		b.ReportMetric(mirror.Seconds(), "mirror-s")
		b.ReportMetric(float64(mid.Requests-before.Requests), "mirror-calls")
		b.ReportMetric(float64(mid.RateLimited-before.RateLimited), "rate-limited")
		b.ReportMetric(second.Seconds()*1000, "second-once-ms")
		b.ReportMetric(float64(after.Requests-mid.Requests), "second-once-calls")
	}
}

// BenchmarkRemoteEditPoll mirrors 20,000 files, then, with Run polling
// every Poll at 50 ms latency, edits one on Drive and measures how long
// until it is on disk and how many API calls the engine made for it (the
// issue's bar: within the poll interval + 2 s, at most 3 calls).
func BenchmarkRemoteEditPoll(b *testing.B) {
	e := newBenchEnv(b, fakedrive.Options{}, 100, 200, 1<<10)
	dir := b.TempDir()
	const poll = 2 * time.Second
	m, _ := e.mount(b, dir, fastPacer(), func(c *Config) { c.Poll = poll; c.Parallel = 32 })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for m.Status().Phase != "idle" {
		time.Sleep(50 * time.Millisecond)
	}
	other := newClient(b, e.sv, e.ts.URL, drive.Options{})
	f, err := other.ResolvePath(context.Background(), e.rootID, "folder42/file0107.bin")
	if err != nil {
		b.Fatal(err)
	}
	local := filepath.Join(m.cfg.Root, "folder42", "file0107.bin")
	src := filepath.Join(b.TempDir(), "edit")
	e.lat.Store(int64(50 * time.Millisecond))
	for i := 0; b.Loop(); i++ {
		content := fmt.Sprintf("edit %d", i)
		os.WriteFile(src, []byte(content), 0o644)
		if _, err := other.Update(context.Background(), f.ID, src); err != nil {
			b.Fatal(err)
		}
		before := e.sv.Stats()
		t0 := time.Now()
		for {
			if got, _ := os.ReadFile(local); string(got) == content {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "edit-to-disk-s")
		b.ReportMetric(float64(e.sv.Stats().Requests-before.Requests), "calls")
		b.ReportMetric(poll.Seconds(), "poll-s")
	}
}

// BenchmarkSlowWrite writes a 300 MiB file over 20 s into a running
// mount (default Settle) and reports how many uploads it took (the
// issue's bar: exactly one, after the write ends, md5 equal) and how long
// after the last write it was on Drive.
func BenchmarkSlowWrite(b *testing.B) {
	e := newBenchEnv(b, fakedrive.Options{}, 1, 1, 1)
	for b.Loop() {
		dir := b.TempDir()
		m, _ := e.mount(b, dir, fastPacer(), func(c *Config) {
			if os.Getenv("BENCH_LOG") != "" {
				c.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		for m.Status().Phase != "idle" {
			time.Sleep(20 * time.Millisecond)
		}
		before := e.sv.Stats()
		p := filepath.Join(m.cfg.Root, "model.ckpt")
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		const total, chunks = 300 << 20, 300
		h := md5.New()
		buf := make([]byte, total/chunks)
		start := time.Now()
		for i := range chunks {
			for j := range buf {
				buf[j] = byte(i ^ j)
			}
			f.Write(buf)
			h.Write(buf)
			time.Sleep(time.Until(start.Add(time.Duration(i+1) * 20 * time.Second / chunks)))
		}
		f.Close()
		ended := time.Now()
		want := hex.EncodeToString(h.Sum(nil))
		other := newClient(b, e.sv, e.ts.URL, drive.Options{})
		for {
			g, err := other.ResolvePath(context.Background(), e.rootID, "model.ckpt")
			if err == nil && g.MD5 == want {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		after := e.sv.Stats()
		cancel()
		<-done
		b.ReportMetric(time.Since(ended).Seconds(), "after-write-s")
		b.ReportMetric(float64(after.Methods["files.create.upload"]-before.Methods["files.create.upload"]+
			after.Methods["files.update.upload"]-before.Methods["files.update.upload"]), "uploads")
		b.ReportMetric(float64(after.MediaBytesIn-before.MediaBytesIn)/(1<<20), "MiB-sent")
	}
}
