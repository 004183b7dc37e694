package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// The soak test (issue 8): the built daemon mirrors a folder of an
// emulated Drive that fails 10% of requests in every way it can (500, 503,
// dropped connections, truncated media, rate limits), while a driver edits
// both sides at random — create, edit, rename, move, delete, folders, large
// files — and SIGKILLs and restarts the daemon at random moments. Rounds
// come in two kinds:
//
//   - live: the daemon runs (and may be killed and restarted) while the
//     driver edits; each side gets its own top-level folders for the round,
//     so the outcome is determined: the model applies every edit.
//   - offline: the daemon is killed, then both sides change the same files
//     (edit/edit, new/new, delete/edit, edit/delete, rename/edit,
//     edit/rename), then it restarts; the model expects the outcome
//     docs/sync-semantics.md gives (C4, C8, D3, D4, R3, R4), conflict copies
//     included.
//
// After every round the daemon must bring both sides to the model: the same
// files with the same md5 on disk and on Drive, nothing the driver did not
// write, every conflict's losing version in a conflict copy beside it.
//
// CI runs a short soak (about a minute of edits); -soak 30m runs a long one.
// A run prints its seed; -soak-seed replays the same edits, kills and fault
// sequence (timing between processes still varies).

var (
	soakFor  = flag.Duration("soak", 0, "how long TestSoak edits (0: the short CI mode, 45s)")
	soakSeed = flag.Uint64("soak-seed", 0, "TestSoak's seed, to replay a run (0: a new one, logged)")
)

type soak struct {
	t       *testing.T
	ctx     context.Context
	rng     *rand.Rand
	seed    uint64
	e       *e2e
	sv      *fakedrive.Server
	c       *drive.Client // the driver: "another machine" editing Drive
	dir     string        // the mirror
	scratch string        // the driver's files to upload
	rootID  string
	model   *soakModel
	d       *soakDaemon
	seq     int
	journal []string
	ops     map[string]int
	big     int    // large files written this round
	last    string // why the sides did not match the model, at the last look
}

func TestSoak(t *testing.T) {
	bin := buildBinary(t)
	seed := *soakSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	dur := *soakFor
	if dur == 0 {
		dur = 45 * time.Second
	}
	t.Logf("soak seed %d; replay with: go test ./cmd/drivesync -run TestSoak -soak-seed %d -soak %v", seed, seed, dur)
	s := newSoak(t, bin, seed)
	start := time.Now()
	s.seedDrive()
	s.d.start()
	s.converge("the initial mirror")
	rounds := 0
	for ; time.Since(start) < dur; rounds++ {
		// Every fourth round, and some others, is an offline one, so even
		// the short CI mode has two-sided cases.
		if rounds%4 == 1 || s.rng.IntN(5) == 0 {
			s.offlineRound(rounds)
		} else {
			s.liveRound(rounds)
		}
		s.converge(fmt.Sprintf("round %d", rounds))
	}
	s.d.stop()
	st := s.sv.Stats()
	t.Logf("soak seed %d: %d rounds in %v, %d files and %d folders at the end, ops %v, %d daemon starts, %d SIGKILLs, %d conflicts resolved; the emulator served %d requests, %d failed on purpose, %d rate-limited",
		seed, rounds, time.Since(start).Round(time.Second), len(s.model.want.files), len(s.model.want.dirs), s.ops,
		s.d.starts, s.d.kills, s.model.resolved, st.Requests, st.Faults, st.RateLimited)
	if st.Faults == 0 || s.d.kills == 0 {
		t.Errorf("the soak injected %d faults and %d kills: it proved nothing", st.Faults, s.d.kills)
	}
}

func newSoak(t *testing.T, bin string, seed uint64) *soak {
	t.Helper()
	sv, err := fakedrive.New(fakedrive.Options{Faults: 0.10, FaultSeed: int64(seed), QPS: 50, Latency: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sv)
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, err := drive.New(ctx, drive.Options{Endpoint: ts.URL,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token(), Expiry: time.Now().Add(24 * time.Hour)}),
		Pacer:       drive.PacerConfig{QPS: 100, Burst: 20, MinBackoff: 10 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, MaxAttempts: 40, Seed: seed}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	home := t.TempDir()
	s := &soak{t: t, ctx: ctx, rng: rand.New(rand.NewPCG(seed, 8)), seed: seed, sv: sv, c: c,
		e:   &e2e{t: t, bin: bin, home: home, env: []string{"DRIVESYNC_ENDPOINT=" + ts.URL, "DRIVESYNC_TOKEN=" + sv.Token()}},
		dir: filepath.Join(t.TempDir(), "mirror"), scratch: t.TempDir(), model: newSoakModel(), ops: map[string]int{}}
	root, err := c.Mkdir(ctx, "root", "soak")
	if err != nil {
		t.Fatal(err)
	}
	s.rootID = root.ID
	s.d = &soakDaemon{s: s, log: filepath.Join(home, "daemon.log")}
	t.Cleanup(s.d.cleanup)
	return s
}

// note records what the driver did, for the failure report.
func (s *soak) note(format string, args ...any) {
	// Timed to the millisecond, to be read beside the daemon's log.
	s.journal = append(s.journal, time.Now().UTC().Format("15:04:05.000 ")+fmt.Sprintf(format, args...))
}

func (s *soak) fatalf(format string, args ...any) {
	s.t.Helper()
	s.d.dump()
	j := s.journal
	if len(j) > 60 {
		j = j[len(j)-60:]
	}
	kept := filepath.Join(os.TempDir(), fmt.Sprintf("drivesync-soak-%d.log", s.seed))
	if b, err := os.ReadFile(s.d.log); err == nil {
		b = append(b, "\n--- the driver's steps:\n"+strings.Join(s.journal, "\n")+"\n"...)
		if os.WriteFile(kept, b, 0o644) != nil {
			kept = "(not kept)"
		}
	}
	if s.last != "" {
		format += "\n--- at the last look: %s"
		args = append(args, s.last)
	}
	s.t.Fatalf("soak seed %d: %s\n--- the driver's last steps:\n%s\n--- the daemon's log (end; all of it and the driver's steps in %s):\n%s",
		s.seed, fmt.Sprintf(format, args...), strings.Join(j, "\n"), kept, tail(s.d.log, 80))
}

func tail(file string, lines int) string {
	b, err := os.ReadFile(file)
	if err != nil {
		return err.Error()
	}
	l := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// seedDrive puts a few dozen files in six top-level folders on Drive,
// some in subfolders, before the first mount.
func (s *soak) seedDrive() {
	for i := range soakTops {
		top := fmt.Sprintf("t%d", i)
		sub := top + "/" + s.newDirName()
		for _, d := range []string{top, sub} {
			s.remoteMkdir(d)
			s.model.want.dirs[d] = true
		}
		for i := range 8 + s.rng.IntN(4) {
			p := joinRel([]string{top, sub}[i%2], s.newName())
			c := s.content(false)
			s.remoteWrite(p, c, true)
			s.model.want.files[p] = md5Hex(c)
		}
	}
}

const soakTops = 6

// converge waits for the daemon to bring both sides to the model.
func (s *soak) converge(what string) {
	s.t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	s.last = ""
	for {
		s.d.ensureRunning()
		s.e.run("flush", "--timeout", "60s", s.dir) // its result is in the comparison below
		local, err := localSoakTree(s.dir)
		if err != nil {
			s.fatalf("%s: reading the mirror: %v", what, err)
		}
		remote, err := remoteSoakTree(s.ctx, s.c, s.rootID)
		if err == nil {
			if s.last = s.model.check(local, remote); s.last == "" {
				s.note("== %s: converged, %d files", what, len(local.files))
				return
			}
		} else {
			s.last = "listing Drive: " + err.Error()
		}
		if time.Now().After(deadline) {
			s.fatalf("%s: no convergence within 4 minutes", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// liveRound edits both sides while the daemon runs, killing it at
// random. Each side owns its own top-level folders for the round.
func (s *soak) liveRound(round int) {
	s.note("== round %d: live", round)
	s.big = 0
	tops := s.rng.Perm(soakTops)
	k := 1 + s.rng.IntN(3)
	owned := map[soakSide][]string{}
	for i, t := range tops[:2*k] {
		side := sideLocal
		if i >= k {
			side = sideRemote
		}
		owned[side] = append(owned[side], fmt.Sprintf("t%d", t))
	}
	n := 4 + s.rng.IntN(10)
	killAt, downFor := -1, 0
	if s.rng.IntN(2) == 0 {
		killAt, downFor = s.rng.IntN(n), 1+s.rng.IntN(4)
	}
	for i := range n {
		if i == killAt {
			s.d.kill()
		}
		if killAt >= 0 && i == killAt+downFor {
			s.d.start()
		}
		side := soakSide(s.rng.IntN(2))
		s.randomOp(side, owned[side])
		time.Sleep(time.Duration(s.rng.IntN(300)) * time.Millisecond)
	}
	if killAt >= 0 && s.rng.IntN(3) == 0 { // and once more while it catches up
		time.Sleep(time.Duration(s.rng.IntN(1500)) * time.Millisecond)
		s.d.kill()
	}
}

// offlineRound kills the daemon, changes the same files on both sides,
// and restarts it.
func (s *soak) offlineRound(round int) {
	s.note("== round %d: offline conflicts", round)
	s.big = 0
	s.d.kill()
	files := s.filesUnder("")
	s.rng.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	for i := range min(1+s.rng.IntN(4), len(files)) {
		s.conflictCase(files[i])
	}
	time.Sleep(time.Duration(s.rng.IntN(500)) * time.Millisecond)
	s.d.start()
}

// conflictCase makes one of the two-sided cases of docs/sync-semantics.md
// at p (an existing file) and records the outcome it must have.
func (s *soak) conflictCase(p string) {
	dir := parentOf(p)
	c := s.rng.IntN(6)
	s.ops[[]string{"C8", "C4", "D3", "D4", "R3", "R4"}[c]]++
	switch c {
	case 0: // C8: edited on both sides: Drive's version wins the name
		cl, cr := s.content(true), s.content(true)
		s.localWrite(p, cl)
		s.remoteWrite(p, cr, false)
		s.model.want.remove(p)
		s.model.conflicts = append(s.model.conflicts, soakConflict{p, md5Hex(cr), md5Hex(cl)})
		s.note("   C8 at %s", p)
	case 1: // C4: new on both sides at one name
		q := joinRel(dir, s.newName())
		cl, cr := s.content(false), s.content(false)
		s.localWrite(q, cl)
		s.remoteWrite(q, cr, true)
		s.model.conflicts = append(s.model.conflicts, soakConflict{q, md5Hex(cr), md5Hex(cl)})
		s.note("   C4 at %s", q)
	case 2: // D3: trashed on Drive, edited locally: the edit wins
		cl := s.content(true)
		s.remoteTrash(p)
		s.localWrite(p, cl)
		s.model.want.files[p] = md5Hex(cl)
		s.note("   D3 at %s", p)
	case 3: // D4: deleted locally, edited on Drive: the edit wins
		cr := s.content(true)
		s.localRemove(p)
		s.remoteWrite(p, cr, false)
		s.model.want.files[p] = md5Hex(cr)
		s.note("   D4 at %s", p)
	case 4: // R3: renamed on Drive, edited locally: renamed, then the edit sent
		q := joinRel(dir, s.newName())
		cl := s.content(true)
		s.remoteMove(p, q)
		s.localWrite(p, cl)
		s.model.want.remove(p)
		s.model.want.files[q] = md5Hex(cl)
		s.note("   R3 %s -> %s", p, q)
	case 5: // R4: renamed locally, edited on Drive: Drive's content at the new name
		q := joinRel(dir, s.newName())
		cr := s.content(true)
		s.localMove(p, q)
		s.remoteWrite(p, cr, false)
		s.model.want.remove(p)
		s.model.want.files[q] = md5Hex(cr)
		s.note("   R4 %s -> %s", p, q)
	}
}

func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
