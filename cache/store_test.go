package cache

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestSecondOpenFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{LockTimeout: 20 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if want := "pid " + strconv.Itoa(os.Getpid()); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file and %s", err, want)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestIdentity(t *testing.T) {
	mine := Identity{Account: "a@example.com", RootID: "root1"}
	tests := []struct {
		name  string
		open  Identity
		want  Identity // what Store.Identity reports
		isErr error
	}{
		{"same", mine, mine, nil},
		{"zero opens anything", Identity{}, mine, nil},
		{"other root", Identity{Account: "a@example.com", RootID: "root2"}, Identity{}, ErrOtherRemote},
		{"other account", Identity{Account: "b@example.com", RootID: "root1"}, Identity{}, ErrOtherRemote},
		{"other drive", Identity{Account: "a@example.com", DriveID: "0AX", RootID: "root1"}, Identity{}, ErrOtherRemote},
	}
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{Identity: mine})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(path, Options{Identity: tt.open})
			if tt.isErr != nil {
				if !errors.Is(err, tt.isErr) {
					t.Fatalf("Open = %v, want %v", err, tt.isErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.Identity() != tt.want {
				t.Errorf("Identity = %+v, want %+v", s.Identity(), tt.want)
			}
		})
	}
}

func TestReopenKeepsCommitted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, dir("d", "d"), file("f", "d/f", 9))
	if err := s.SetPageToken("", "55"); err != nil {
		t.Fatal(err)
	}
	if err := s.Enqueue("new.txt", "new", time.Unix(10, 0)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.ByID("f"); err != nil || !sameEntry(got, file("f", "d/f", 9)) {
		t.Errorf("ByID after reopen = %+v, %v", got, err)
	}
	if tok, _ := s.PageToken(""); tok != "55" {
		t.Errorf("page token after reopen = %q", tok)
	}
	if ps, err := s.Pending(); err != nil || len(ps) != 1 || ps[0].Path != "new.txt" {
		t.Errorf("pending after reopen = %+v, %v", ps, err)
	}
}

func TestWriteInViewFails(t *testing.T) {
	s := open(t, Options{})
	if err := s.View(func(tx *Tx) error { return tx.Put(file("a", "a", 1)) }); err == nil {
		t.Error("Put in a View succeeded")
	}
}

// TestCrashKeepsCommitted runs a child process that commits entries, then
// exits in the middle of another transaction without closing the store.
// The reopened store must hold exactly what was committed.
func TestCrashKeepsCommitted(t *testing.T) {
	if path := os.Getenv("CACHE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "state.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsCommitted$")
	cmd.Env = append(os.Environ(), "CACHE_CRASH_CHILD="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child: %v, want exit status 3\n%s", err, out)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	defer s.Close()
	if n, _ := s.Len(); n != 100 {
		t.Errorf("Len after crash = %d, want the 100 committed", n)
	}
	if _, err := s.ByID("uncommitted"); !errors.Is(err, ErrNotFound) {
		t.Errorf("uncommitted entry: %v, want ErrNotFound", err)
	}
	if tok, _ := s.PageToken(""); tok != "t10" {
		t.Errorf("page token = %q, want the committed t10", tok)
	}
}

func crashChild(path string) {
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	for b := range 10 {
		err := s.Update(func(tx *Tx) error {
			for i := range 10 {
				n := b*10 + i
				if err := tx.Put(file("id"+strconv.Itoa(n), "f"+strconv.Itoa(n), n)); err != nil {
					return err
				}
			}
			return tx.SetPageToken("", "t"+strconv.Itoa(b+1))
		})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
	}
	s.Update(func(tx *Tx) error {
		tx.Put(file("uncommitted", "u", 1))
		tx.SetPageToken("", "t11")
		os.Exit(3) // a crash: no commit, no Close
		return nil
	})
}

func TestOpenBadFiles(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a bbolt file ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{garbage, filepath.Join(dir, "missing", "state.db"), dir} {
		s, err := Open(path, Options{})
		if err == nil {
			s.Close()
			t.Errorf("Open(%s) accepted", path)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("Open(%s) error %q does not name the file", path, err)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put([]byte("schema"), []byte("2")) })
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, Options{}); err == nil || !strings.Contains(err.Error(), "schema") {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a schema 2 store = %v, want a schema error", err)
	}
}

func TestStoreVerifiedMissingFile(t *testing.T) {
	s := open(t, Options{})
	ok, err := s.Verified("gone.txt", nil)
	if ok || err != nil {
		t.Fatalf("Verified of a missing file = %v, %v; want false, nil", ok, err)
	}
}
