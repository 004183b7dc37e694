package mount

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// The resident-memory benchmark (issue 8, resource bounds): a state of N
// entries (1,000,000 by default) synthesized through the cache API, with a
// matching local tree of sparse files, held by a mount in a child process
// that measures itself. See docs/benchmarks.md, "Resource bounds".
//
//	go test -run '^$' -bench BenchmarkIndexMemory -benchtime 1x ./mount/
//
// MEMBENCH_N sets N, MEMBENCH_DIR where the tree, the store and the
// emulator's state are kept between runs (default /tmp/drivesync-membench;
// building them for 1,000,000 takes a few minutes once).

// memChildEnv makes the re-executed test binary the measuring child.
const memChildEnv = "DRIVESYNC_MOUNT_MEM_CHILD"

// memSample is one measurement of the process, from /proc/self/status and
// runtime.MemStats.
type memSample struct {
	Label     string
	VmRSS     int64 // bytes, as the ones below
	RssAnon   int64
	RssFile   int64
	VmHWM     int64 // peak VmRSS since the last resetHWM
	HeapInuse int64
	PeakAnon  int64 // sampled during a pass: highest RssAnon
	PeakHeap  int64 // sampled during a pass: highest HeapInuse
	Seconds   float64
}

// procStatus reads the memory lines of /proc/self/status.
func procStatus() (map[string]int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.HasSuffix(v, " kB") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(v, " kB")), 10, 64)
		if err == nil {
			out[k] = n << 10
		}
	}
	return out, nil
}

func sample(label string) memSample {
	st, _ := procStatus()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{Label: label, VmRSS: st["VmRSS"], RssAnon: st["RssAnon"], RssFile: st["RssFile"],
		VmHWM: st["VmHWM"], HeapInuse: int64(ms.HeapInuse)}
}

// resetHWM starts a new VmHWM peak (Linux: "5" to clear_refs).
func resetHWM() error { return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// sampler records the highest RssAnon and HeapInuse until stopped.
func sampler() (stop func() (anon, heap int64)) {
	var mu sync.Mutex
	var anon, heap int64
	done := make(chan struct{})
	finished := make(chan struct{})
	take := func() {
		s := sample("")
		mu.Lock()
		anon, heap = max(anon, s.RssAnon), max(heap, s.HeapInuse)
		mu.Unlock()
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			take()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (int64, int64) {
		close(done)
		<-finished
		take()
		mu.Lock()
		defer mu.Unlock()
		return anon, heap
	}
}

// memChild opens the store, runs a first full pass (loading the state),
// measures idle, then measures the peak of the periodic rescan. Each
// sample is a JSON line on stdout.
func memChild() int {
	env := func(k string) string { return os.Getenv("DSM_" + k) }
	out := json.NewEncoder(os.Stdout)
	emit := func(s memSample) { out.Encode(s) }
	fail := func(err error) int { fmt.Fprintln(os.Stderr, err); return 2 }
	runtime.GC()
	debug.FreeOSMemory()
	emit(sample("base"))
	store, err := cache.Open(filepath.Join(env("STATE"), "state.db"), cache.Options{})
	if err != nil {
		return fail(err)
	}
	defer store.Close()
	c, err := drive.New(context.Background(), drive.Options{Endpoint: env("URL"),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: env("TOKEN"), Expiry: time.Now().Add(time.Hour)}),
		Pacer:       fastPacer()})
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	m, err := New(Config{Remote: c, Store: store, Root: env("ROOT"), RemoteRoot: env("RID"), StateDir: env("STATE"),
		Host: "bench"})
	if err != nil {
		return fail(err)
	}
	ctx := context.Background()
	run := func(label string, fn func() Summary) int {
		if err := resetHWM(); err != nil {
			return fail(err)
		}
		stop := sampler()
		t0 := time.Now()
		sum := fn()
		secs := time.Since(t0).Seconds()
		anon, heap := stop()
		if err := sum.Err(); err != nil || sum.String() != (Summary{}).String() {
			return fail(fmt.Errorf("%s: %s: %v", label, sum, err))
		}
		s := sample(label)
		s.PeakAnon, s.PeakHeap, s.Seconds = anon, heap, secs
		emit(s)
		return 0
	}
	// The first pass: the state loaded, Drive's changes (none), a scan.
	if rc := run("first-pass", func() Summary { return m.fullPass(ctx, false) }); rc != 0 {
		return rc
	}
	// Idle as the engine leaves it (a collection, no pages returned by
	// the benchmark), then with every free page returned.
	runtime.GC()
	emit(sample("idle"))
	debug.FreeOSMemory()
	emit(sample("idle-returned"))
	// The periodic rescan, as Run's loop makes it. DSM_PROFILE=prefix
	// writes the allocation profile before and after it (compare with
	// go tool pprof -base).
	profile := func(name string) {
		if pre := env("PROFILE"); pre != "" {
			if f, err := os.Create(pre + name); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}
	}
	profile(".before")
	defer profile(".after")
	if rc := run("rescan", func() Summary {
		var s Summary
		m.pass(ctx, []string{"."}, false, false, &s)
		return s
	}); rc != 0 {
		return rc
	}
	runtime.GC()
	emit(sample("idle-after"))
	debug.FreeOSMemory()
	emit(sample("after-returned"))
	runtime.KeepAlive(m)
	return 0
}

// memEnv is the persistent setup of BenchmarkIndexMemory.
type memEnv struct {
	n                 int
	dir, root, state  string
	folders, perDir   int
	sv                *fakedrive.Server
	url, rootID, tokn string
}

func (e *memEnv) path(i int) string {
	d := i / e.perDir
	return fmt.Sprintf("train/n%08d/n%08d_%06d.JPEG", 1000000+d, 1000000+d, i)
}

func (e *memEnv) dirPath(d int) string { return fmt.Sprintf("train/n%08d", 1000000+d) }

// memID is a 33-character ID like Drive's.
func memID(i int) string {
	const chars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
	b := make([]byte, 33)
	b[0] = '1'
	z := uint64(i)*0x9e3779b97f4a7c15 + 7
	for k := 1; k < 33; k++ {
		z ^= z >> 31
		z *= 0xbf58476d1ce4e5b9
		b[k] = chars[z>>58]
	}
	return string(b)
}

// ensureTree makes the local tree: sparse files of 50-200 KB.
func (e *memEnv) ensureTree(b *testing.B) {
	done := filepath.Join(e.dir, fmt.Sprintf("tree-%d.done", e.n))
	if _, err := os.Stat(done); err == nil {
		return
	}
	b.Logf("creating %d files under %s", e.n, e.root)
	os.RemoveAll(e.root)
	for d := range e.folders {
		if err := os.MkdirAll(filepath.Join(e.root, filepath.FromSlash(e.dirPath(d))), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for i := range e.n {
		f, err := os.Create(filepath.Join(e.root, filepath.FromSlash(e.path(i))))
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Truncate(int64(50<<10 + (i*7919)%(150<<10))); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	if err := os.WriteFile(filepath.Join(e.root, Marker), []byte("bench\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	os.WriteFile(done, nil, 0o644)
}

// ensureStore fills the store through the cache API: one entry per local
// file and folder, synced (both bases), as after a complete mirror.
func (e *memEnv) ensureStore(b *testing.B) {
	done := filepath.Join(e.dir, fmt.Sprintf("state-%d-%s.done", e.n, e.rootID))
	if _, err := os.Stat(done); err == nil {
		return
	}
	b.Logf("filling the store with %d entries", e.n+e.folders+1)
	os.RemoveAll(e.state)
	os.MkdirAll(e.state, 0o755)
	s, err := cache.Open(filepath.Join(e.state, "state.db"), cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	mt := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	dirEntry := func(id, p, parent, name string) cache.Entry {
		fi, err := os.Lstat(filepath.Join(e.root, filepath.FromSlash(p)))
		if err != nil {
			b.Fatal(err)
		}
		return cache.Entry{ID: id, Path: p, ParentID: parent, Name: name, IsDir: true, ModTime: mt, Version: 3,
			MimeType: drive.FolderMime, Remote: cache.RemoteBase{ModTime: mt, Version: 3}, Local: cache.LocalBaseOf(fi, "")}
	}
	trainID := memID(1 << 40)
	err = s.Update(func(tx *cache.Tx) error {
		if err := tx.Put(dirEntry(trainID, "train", e.rootID, "train")); err != nil {
			return err
		}
		for d := range e.folders {
			p := e.dirPath(d)
			if err := tx.Put(dirEntry(memID(1<<41+d), p, trainID, filepath.Base(p))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 10_000
	for start := 0; start < e.n; start += batch {
		err := s.Update(func(tx *cache.Tx) error {
			for i := start; i < min(start+batch, e.n); i++ {
				p := e.path(i)
				fi, err := os.Lstat(filepath.Join(e.root, filepath.FromSlash(p)))
				if err != nil {
					return err
				}
				sum := fmt.Sprintf("%016x%016x", uint64(i)*0x9e3779b97f4a7c15, uint64(i)*0xbf58476d1ce4e5b9)
				at := mt.Add(time.Duration(i) * time.Millisecond)
				ent := cache.Entry{ID: memID(i), Path: p, ParentID: memID(1<<41 + i/e.perDir), Name: filepath.Base(p),
					MD5: sum, Size: fi.Size(), ModTime: at, Version: int64(1 + i%50), MimeType: "image/jpeg",
					Remote: cache.RemoteBase{MD5: sum, Size: fi.Size(), ModTime: at, Version: int64(1 + i%50)},
					Local:  cache.LocalBaseOf(fi, sum)}
				if err := tx.Put(ent); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	os.WriteFile(done, nil, 0o644)
}

// BenchmarkIndexMemory measures the resident memory of a mount holding
// MEMBENCH_N files (default 1,000,000), idle and at the peak of a full
// pass, per entry. The bar (issue 8): at most 300 bytes per file.
func BenchmarkIndexMemory(b *testing.B) {
	e := &memEnv{n: 1_000_000, dir: "/tmp/drivesync-membench", perDir: 1000}
	if v := os.Getenv("MEMBENCH_N"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("MEMBENCH_N=%q: want a number of at least 1000", v)
		}
		e.n = n
	}
	if v := os.Getenv("MEMBENCH_DIR"); v != "" {
		e.dir = v
	}
	e.folders = (e.n + e.perDir - 1) / e.perDir
	e.root, e.state = filepath.Join(e.dir, fmt.Sprint("root-", e.n)), filepath.Join(e.dir, fmt.Sprint("state-", e.n))
	sv, err := fakedrive.New(fakedrive.Options{StateDir: filepath.Join(e.dir, "fakedrive")})
	if err != nil {
		b.Fatal(err)
	}
	defer sv.Close()
	ts := httptest.NewServer(sv)
	defer ts.Close()
	c := newClient(b, sv, ts.URL, drive.Options{})
	ctx := context.Background()
	f, err := c.ResolvePath(ctx, "root", "mirror")
	if err != nil {
		if f, err = c.Mkdir(ctx, "root", "mirror"); err != nil {
			b.Fatal(err)
		}
	}
	e.rootID = f.ID
	e.ensureTree(b)
	e.ensureStore(b)
	tok, err := c.StartPageToken(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	s, err := cache.Open(filepath.Join(e.state, "state.db"), cache.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.SetPageToken("", tok); err != nil {
		b.Fatal(err)
	}
	entries, _ := s.Len()
	s.Close()
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), memChildEnv+"=1", "DSM_URL="+ts.URL, "DSM_TOKEN="+sv.Token(),
			"DSM_ROOT="+e.root, "DSM_STATE="+e.state, "DSM_RID="+e.rootID)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		samples := map[string]memSample{}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var s memSample
			if json.Unmarshal(sc.Bytes(), &s) == nil && s.Label != "" {
				samples[s.Label] = s
				per := func(v int64) float64 { return float64(v) / float64(entries) }
				b.Logf("%-11s VmRSS %6.1f MB (%5.0f B/entry)  RssAnon %6.1f MB (%5.0f B/entry)  RssFile %6.1f MB  VmHWM %6.1f MB (%5.0f B/entry)  HeapInuse %6.1f MB (%5.0f B/entry)  peak RssAnon %6.1f MB (%5.0f B/entry)  peak heap %6.1f MB  %.1f s",
					s.Label, mb(s.VmRSS), per(s.VmRSS), mb(s.RssAnon), per(s.RssAnon), mb(s.RssFile), mb(s.VmHWM), per(s.VmHWM),
					mb(s.HeapInuse), per(s.HeapInuse), mb(s.PeakAnon), per(s.PeakAnon), mb(s.PeakHeap), s.Seconds)
			}
		}
		if err := cmd.Wait(); err != nil {
			b.Fatalf("child: %v: %s", err, stderr.String())
		}
		base, idle, rescan := samples["base"], samples["idle"], samples["rescan"]
		per := func(v int64) float64 { return float64(v-base.RssAnon) / float64(entries) }
		b.ReportMetric(float64(entries), "entries")
		b.ReportMetric(per(idle.RssAnon), "idle-anon-B/entry")
		b.ReportMetric(float64(idle.VmRSS-base.VmRSS)/float64(entries), "idle-rss-B/entry")
		b.ReportMetric(float64(idle.HeapInuse)/float64(entries), "idle-heap-B/entry")
		b.ReportMetric(per(rescan.PeakAnon), "rescan-peak-anon-B/entry")
		b.ReportMetric(float64(rescan.VmHWM-base.VmRSS)/float64(entries), "rescan-hwm-B/entry")
		b.ReportMetric(rescan.Seconds, "rescan-s")
	}
}

func mb(v int64) float64 { return float64(v) / (1 << 20) }
