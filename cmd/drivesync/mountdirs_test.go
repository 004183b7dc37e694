package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestMountDirsOf(t *testing.T) {
	tmp := t.TempDir()
	d := dirs{Config: filepath.Join(tmp, "c"), State: filepath.Join(tmp, "s"), Runtime: filepath.Join(tmp, "r")}
	real := filepath.Join(tmp, "my drive ☃")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(tmp, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	a, err := d.mountDirsOf(real)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.mountDirsOf(link + "/")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("a folder and a symlink to it get different layouts:\n%+v\n%+v", a, b)
	}
	other, err := d.mountDirsOf(filepath.Join(tmp, "other"))
	if err != nil {
		t.Fatal(err)
	}
	if other.State == a.State || other.Sock == a.Sock {
		t.Errorf("two folders share a layout: %+v", other)
	}
	if base := filepath.Base(a.State); !strings.HasPrefix(base, "my_drive__-") {
		t.Errorf("state dir %q: want the folder's name, sanitized, first", base)
	}
	if _, err := d.mountDirsOf(""); err == nil {
		t.Error("empty folder: no error")
	}
}

func TestMountLock(t *testing.T) {
	tmp := t.TempDir()
	md, err := dirs{State: filepath.Join(tmp, "s"), Runtime: filepath.Join(tmp, "r")}.mountDirsOf(filepath.Join(tmp, "m"))
	if err != nil {
		t.Fatal(err)
	}
	if locked(md) {
		t.Fatal("locked before anyone locked it")
	}
	l, err := lockMount(md)
	if err != nil {
		t.Fatal(err)
	}
	if !locked(md) {
		t.Error("not locked while held")
	}
	_, err = lockMount(md)
	if !errors.Is(err, errMounted) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), "drivesync unmount "+md.Root) {
		t.Errorf("second lock: %v; want errMounted naming the holder's pid and the way out", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if locked(md) {
		t.Error("still locked after Close")
	}
	l2, err := lockMount(md)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Close()
}

func TestMountInfoRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x", "mount.json")
	want := mountInfo{Root: "/m", Remote: "datasets/x", RootID: "abc", Demo: true}
	if err := writeMountInfo(p, want); err != nil {
		t.Fatal(err)
	}
	got, err := readMountInfo(p)
	if err != nil || got != want {
		t.Errorf("got %+v, %v; want %+v", got, err, want)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("temp files left behind: %v", ents)
	}
	if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readMountInfo(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("corrupt mount.json: %v", err)
	}
}

func TestLockMarker(t *testing.T) {
	root := t.TempDir()
	if f, err := lockMarker(root); f != nil || err != nil {
		t.Fatalf("no marker: %v, %v; want nothing locked", f, err)
	}
	if err := os.WriteFile(filepath.Join(root, ".drivesync"), []byte("m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := lockMarker(root)
	if err != nil || f == nil {
		t.Fatalf("lock: %v", err)
	}
	if _, err := lockMarker(root); !errors.Is(err, errMounted) || !strings.Contains(err.Error(), "another --home") {
		t.Errorf("second lock: %v", err)
	}
	f.Close()
	g, err := lockMarker(root)
	if err != nil || g == nil {
		t.Fatalf("lock after release: %v", err)
	}
	g.Close()
}
