package mount

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

var killTrials = flag.Int("kill-trials", 20, "SIGKILL trials in TestSync/S4 (the issue's bar: at least 20 in the suite)")

// The child side of the SIGKILL trials: the test binary re-executed with
// childEnv set runs one mount pass against the parent's emulator.
const childEnv = "DRIVESYNC_MOUNT_KILL_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(killChild())
	}
	if os.Getenv(memChildEnv) != "" {
		os.Exit(memChild())
	}
	goleak.VerifyTestMain(m)
}

func killChild() int {
	env := func(k string) string { return os.Getenv("DSK_" + k) }
	store, err := cache.Open(filepath.Join(env("STATE"), "state.db"), cache.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer store.Close()
	c, err := drive.New(context.Background(), drive.Options{Endpoint: env("URL"),
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: env("TOKEN"), Expiry: time.Now().Add(time.Hour)}),
		Pacer:       fastPacer(), Sessions: store.Sessions(), ChunkSize: 256 << 10, MultipartMax: 512 << 10})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m, err := New(Config{Remote: c, Store: store, Root: env("ROOT"), RemoteRoot: env("RID"), StateDir: env("STATE"),
		Settle: 10 * time.Millisecond, Parallel: 4, Host: "testhost"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sum, err := m.Once(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, sum, err)
		return 1
	}
	return 0
}

// killTrial is one seeded S4 trial: a mirror with downloads and uploads
// to do, its process SIGKILLed at random moments, then run to the end.
func killTrial(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 4))
	h := newHarness(t, fakedrive.Options{Bandwidth: 24 << 20, Latency: time.Millisecond}, nil)
	contents := map[string]string{} // every version each path ever had
	for i := range 24 {
		rel := fmt.Sprintf("d%d/r%02d.bin", i%4, i)
		c := strings.Repeat(fmt.Sprintf("remote %d seed %d;", i, seed), 1+rng.IntN(4000))
		h.rput(rel, c)
		contents[rel] = c
	}
	big := strings.Repeat(fmt.Sprint("big", seed), 1<<20/4)
	h.rput("big.bin", big)
	contents["big.bin"] = big
	locals := map[string]string{}
	for i := range 8 {
		rel := fmt.Sprintf("up/l%02d.bin", i)
		c := strings.Repeat(fmt.Sprintf("local %d seed %d;", i, seed), 1+rng.IntN(20000))
		h.put(rel, c)
		locals[rel] = c
	}
	child := func(kill time.Duration) (exited bool, err error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", "DSK_URL="+h.ts.URL, "DSK_TOKEN="+h.sv.Token(),
			"DSK_ROOT="+h.root, "DSK_STATE="+h.state, "DSK_RID="+h.rootID)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kill > 0 {
			select {
			case err := <-done:
				return true, annotate(err, stderr.String())
			case <-time.After(kill):
				cmd.Process.Kill()
				<-done
				return false, nil
			}
		}
		return true, annotate(<-done, stderr.String())
	}
	h.store.Close() // the child holds the store
	kills := 0
	defer func() { t.Logf("seed %d: killed %d times", seed, kills) }()
	for k := 0; k < 3; k++ {
		exited, err := child(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		if exited && err != nil {
			t.Fatalf("seed %d: child pass %d failed: %v", seed, k, err)
		}
		checkNoPartial(t, h, contents, locals)
		if exited {
			break
		}
		kills++
	}
	// Restart: what was verified is not downloaded again.
	st, err := cache.Open(filepath.Join(h.state, "state.db"), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var unverified int64
	for rel, c := range contents {
		fi, err := os.Lstat(filepath.Join(h.root, filepath.FromSlash(rel)))
		if err != nil {
			unverified += int64(len(c))
			continue
		}
		if ok, _ := st.Verified(rel, fi); !ok {
			unverified += int64(len(c))
		}
	}
	st.Close()
	before := h.sv.Stats().MediaBytesOut
	if _, err := child(0); err != nil {
		t.Fatalf("seed %d: final pass: %v", seed, err)
	}
	if got := h.sv.Stats().MediaBytesOut - before; got > unverified {
		t.Fatalf("seed %d: the restart downloaded %d bytes, only %d were not verified", seed, got, unverified)
	}
	// Converged: every file on both sides, with its content.
	for rel, c := range contents {
		h.wantLocal(rel, c)
	}
	for rel, c := range locals {
		h.wantLocal(rel, c)
		h.wantRemote(rel, c)
	}
	checkNoPartial(t, h, contents, locals)
}

func annotate(err error, stderr string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %s", err, stderr)
}

// checkNoPartial fails if a file at a final path holds anything but a
// whole version of itself.
func checkNoPartial(t *testing.T, h *harness, contents, locals map[string]string) {
	t.Helper()
	filepath.WalkDir(h.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(h.root, p)
		rel = filepath.ToSlash(rel)
		if ignored(rel) {
			return nil
		}
		b, _ := os.ReadFile(p)
		want, ok := contents[rel]
		if !ok {
			want, ok = locals[rel]
		}
		if !ok {
			t.Errorf("unexpected local file %s", rel)
		} else if string(b) != want {
			t.Errorf("%s holds %d bytes that are not its content (%d bytes)", rel, len(b), len(want))
		}
		return nil
	})
}

func init() {
	syncRows = append(syncRows, syncRow{row: "S4", run: func(t *testing.T, h *harness) {
		for i := range *killTrials {
			t.Run(fmt.Sprint("seed", i), func(t *testing.T) {
				t.Parallel()
				killTrial(t, uint64(i)+1)
			})
		}
	}})
}
