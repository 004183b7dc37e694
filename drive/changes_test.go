package drive_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	gdrive "google.golang.org/api/drive/v3"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestChanges(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	dir := t.TempDir()
	a, _ := e.c.Mkdir(ctx, "root", "a")
	b, _ := e.c.Mkdir(ctx, "root", "b")
	renamed := e.upload("old-name.txt", []byte("r"))
	moved := e.upload("moved.txt", []byte("m"))
	trashed := e.upload("trashed.txt", []byte("t"))
	deleted := e.upload("deleted.txt", []byte("d"))
	edited := e.upload("edited.txt", []byte("before"))
	if _, err := e.c.Move(ctx, moved.ID, "", a.ID, ""); err == nil {
		t.Fatal("adding a second parent was allowed") // emulator follows the single-parent rule
	}
	root, _ := e.c.Get(ctx, "root")

	tok, err := e.c.StartPageToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Move(ctx, renamed.ID, "", "", "new-name.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Move(ctx, moved.ID, root.ID, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Trash(ctx, trashed.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.api().Files.Delete(deleted.ID).Do(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.Update(ctx, edited.ID, writeFile(t, dir, "e", []byte("after"))); err != nil {
		t.Fatal(err)
	}
	created, err := e.c.Create(ctx, a.ID, "new.txt", writeFile(t, dir, "n", []byte("n")))
	if err != nil {
		t.Fatal(err)
	}
	// Renamed twice: one entry, the latest state.
	if _, err := e.c.Move(ctx, renamed.ID, "", "", "newest-name.txt"); err != nil {
		t.Fatal(err)
	}

	cs, err := e.c.Changes(ctx, "", tok)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]drive.Change{}
	for _, ch := range cs.Changes {
		if _, dup := got[ch.FileID]; dup {
			t.Errorf("file %s appears twice", ch.FileID)
		}
		got[ch.FileID] = ch
		if ch.Time.IsZero() {
			t.Errorf("change of %s has no time", ch.FileID)
		}
	}
	check := func(what string, id string, ok func(drive.Change) bool) {
		t.Helper()
		ch, found := got[id]
		if !found || !ok(ch) {
			t.Errorf("%s: change %+v (found %v)", what, ch, found)
		}
	}
	check("rename", renamed.ID, func(c drive.Change) bool { return c.File.Name == "newest-name.txt" && !c.Removed })
	check("move", moved.ID, func(c drive.Change) bool { return len(c.File.Parents) == 1 && c.File.Parents[0] == b.ID })
	check("trash", trashed.ID, func(c drive.Change) bool { return c.File.Trashed && !c.Removed })
	check("delete", deleted.ID, func(c drive.Change) bool { return c.Removed && c.File.ID == "" })
	check("edit", edited.ID, func(c drive.Change) bool { return c.File.MD5 == md5hex([]byte("after")) })
	check("create", created.ID, func(c drive.Change) bool { return c.File.Parents[0] == a.ID && c.File.Name == "new.txt" })
	if cs.NewStartToken == "" {
		t.Fatal("no NewStartToken")
	}
	again, err := e.c.Changes(ctx, "", cs.NewStartToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 || again.NewStartToken != cs.NewStartToken {
		t.Fatalf("nothing changed, yet %d changes and token %q -> %q", len(again.Changes), cs.NewStartToken, again.NewStartToken)
	}
}

func TestChangesPagesToTheEnd(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	tok, err := e.c.StartPageToken(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for i := range 2345 {
		fsys[fmt.Sprintf("d/f%04d", i)] = &fstest.MapFile{Data: []byte{byte(i)}, ModTime: time.Unix(1e9, 0)}
	}
	if _, err := e.sv.ImportFS(fsys, ""); err != nil {
		t.Fatal(err)
	}
	before := e.sv.Stats().Methods["changes.list"]
	cs, err := e.c.Changes(ctx, "", tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Changes) != 2346 { // the files and folder d
		t.Fatalf("%d changes, want 2346", len(cs.Changes))
	}
	if n := e.sv.Stats().Methods["changes.list"] - before; n != 3 {
		t.Fatalf("%d pages, want 3 of up to 1000", n)
	}
}

func TestChangesSharedDrive(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	ctx := context.Background()
	sd, err := e.api().Drives.Create("req", &gdrive.Drive{Name: "Team"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.c.StartPageToken(ctx, sd.Id)
	if err != nil {
		t.Fatal(err)
	}
	e.upload("in-my-drive.txt", []byte("x"))
	f, err := e.c.Create(ctx, sd.Id, "in-team.txt", writeFile(t, t.TempDir(), "t", []byte("t")))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.c.Changes(ctx, sd.Id, tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Changes) != 1 || cs.Changes[0].FileID != f.ID || cs.Changes[0].DriveID != sd.Id {
		t.Fatalf("shared drive changes: %+v", cs.Changes)
	}
}
