package main

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/mount"
)

// soakTree is one side of the mirror, or what it should be: files by
// slash-separated path below the mount root with their md5, and folders.
type soakTree struct {
	files map[string]string
	dirs  map[string]bool
}

func newSoakTree() soakTree { return soakTree{files: map[string]string{}, dirs: map[string]bool{}} }

func (t soakTree) clone() soakTree {
	c := newSoakTree()
	for p, m := range t.files {
		c.files[p] = m
	}
	for d := range t.dirs {
		c.dirs[d] = true
	}
	return c
}

// under lists the files and folders at or below dir, sorted.
func (t soakTree) under(dir string) (files, dirs []string) {
	in := func(p string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }
	for p := range t.files {
		if in(p) {
			files = append(files, p)
		}
	}
	for d := range t.dirs {
		if in(d) {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(files)
	slices.Sort(dirs)
	return files, dirs
}

// move renames everything at or below from to to.
func (t soakTree) move(from, to string) {
	files, dirs := t.under(from)
	for _, p := range files {
		t.files[to+strings.TrimPrefix(p, from)] = t.files[p]
		delete(t.files, p)
	}
	for _, d := range dirs {
		delete(t.dirs, d)
		t.dirs[to+strings.TrimPrefix(d, from)] = true
	}
}

// remove deletes everything at or below p.
func (t soakTree) remove(p string) {
	files, dirs := t.under(p)
	for _, f := range files {
		delete(t.files, f)
	}
	for _, d := range dirs {
		delete(t.dirs, d)
	}
}

// diff describes how got differs from want, "" when they are equal.
func (want soakTree) diff(got soakTree, wantName, gotName string) string {
	var b strings.Builder
	keys := func(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
	for _, p := range keys(want.files) {
		if g, ok := got.files[p]; !ok {
			fmt.Fprintf(&b, "  %s: in %s (md5 %s), missing in %s\n", p, wantName, want.files[p], gotName)
		} else if g != want.files[p] {
			fmt.Fprintf(&b, "  %s: md5 %s in %s, %s in %s\n", p, want.files[p], wantName, g, gotName)
		}
	}
	for _, p := range keys(got.files) {
		if _, ok := want.files[p]; !ok {
			fmt.Fprintf(&b, "  %s: in %s (md5 %s), not in %s\n", p, gotName, got.files[p], wantName)
		}
	}
	for d := range want.dirs {
		if !got.dirs[d] {
			fmt.Fprintf(&b, "  %s/: folder in %s, missing in %s\n", d, wantName, gotName)
		}
	}
	for d := range got.dirs {
		if !want.dirs[d] {
			fmt.Fprintf(&b, "  %s/: folder in %s, not in %s\n", d, gotName, wantName)
		}
	}
	return b.String()
}

// localSoakTree reads the mirror folder: every regular file's md5 and
// every folder, the marker file aside. Anything else (a symlink, a
// leftover temp file) is reported as it is, to fail the comparison.
func localSoakTree(root string) (soakTree, error) {
	t := newSoakTree()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) { // renamed away by the daemon meanwhile: the next look sees it
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case rel == mount.Marker:
			return nil
		case d.IsDir():
			t.dirs[rel] = true
		case d.Type().IsRegular():
			sum, err := fileMD5(p)
			if os.IsNotExist(err) {
				return nil
			}
			if err != nil {
				return err
			}
			t.files[rel] = sum
		default:
			t.files[rel] = "not a regular file: " + d.Type().String()
		}
		return nil
	})
	return t, err
}

func fileMD5(p string) (string, error) {
	b, err := os.ReadFile(p) // the soak's files are at most 14 MiB
	return md5Hex(b), err
}

// remoteSoakTree lists the Drive folder rootID the way a person browsing
// Drive sees it. Two items at one path are reported as an error: the
// driver never makes them, so the daemon did.
func remoteSoakTree(ctx context.Context, c *drive.Client, rootID string) (soakTree, error) {
	t := newSoakTree()
	tree, err := c.ListTree(ctx, rootID, drive.ListOptions{})
	if err != nil {
		return t, err
	}
	var dup []string
	err = tree.Walk(func(p string, f drive.File) error {
		if _, ok := t.files[p]; ok || t.dirs[p] {
			dup = append(dup, p)
		}
		if f.IsFolder() {
			t.dirs[p] = true
		} else {
			t.files[p] = f.MD5
		}
		return nil
	})
	if err == nil && len(dup) > 0 {
		err = fmt.Errorf("several Drive items at %q", dup)
	}
	return t, err
}

// soakConflict is a path both sides changed while the daemon was down:
// afterwards it must hold winner and a conflict copy beside it loser.
type soakConflict struct {
	path, winner, loser string
}

// soakModel is what both sides must hold once the daemon has caught up.
type soakModel struct {
	want      soakTree
	conflicts []soakConflict
	written   map[string]bool // every md5 the driver wrote: anything else is corruption
	resolved  int             // conflicts seen through to a conflict copy
}

func newSoakModel() *soakModel {
	return &soakModel{want: newSoakTree(), written: map[string]bool{}}
}

// check compares both sides with each other and with the model. On
// success pending conflicts are folded into the model (their copies'
// names are only known now) and it returns "".
func (m *soakModel) check(local, remote soakTree) string {
	if d := local.diff(remote, "local", "Drive"); d != "" {
		return "the two sides differ:\n" + d
	}
	want := m.want.clone()
	for _, c := range m.conflicts {
		want.files[c.path] = c.winner
		dir, base := path.Split(c.path)
		ext := path.Ext(base)
		stem := strings.TrimSuffix(base, ext)
		if stem == "" { // ".bashrc" is all stem, as in mount's conflict names
			stem, ext = base, ""
		}
		found := ""
		for p, sum := range local.files {
			d, b := path.Split(p)
			if d == dir && sum == c.loser && strings.HasPrefix(b, stem+".conflict-") && strings.HasSuffix(b, ext) {
				found = p
			}
		}
		if found == "" {
			return fmt.Sprintf("conflict at %s: no conflict copy beside it holds the losing version %s", c.path, c.loser)
		}
		want.files[found] = c.loser
	}
	for p, sum := range local.files {
		if !m.written[sum] {
			return fmt.Sprintf("%s holds content the driver never wrote (md5 %s): corrupt", p, sum)
		}
	}
	if d := want.diff(local, "the model", "the mirror"); d != "" {
		return "the mirror differs from the model:\n" + d
	}
	m.want = want
	m.resolved += len(m.conflicts)
	m.conflicts = nil
	return ""
}
