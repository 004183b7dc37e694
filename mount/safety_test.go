package mount

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func init() {
	syncRows = append(syncRows, safetyRows...)
}

// cutListing is a Remote whose listings lose items and say so or not.
type cutListing struct {
	Remote
	keep       int  // items kept
	incomplete bool // Tree.Incomplete
}

func (c cutListing) ListTree(ctx context.Context, id string, o drive.ListOptions) (*drive.Tree, error) {
	t, err := c.Remote.ListTree(ctx, id, o)
	if err != nil {
		return nil, err
	}
	t.Files = t.Files[:min(c.keep, len(t.Files))]
	t.Incomplete = c.incomplete
	return &drive.Tree{Root: t.Root, Files: t.Files, Incomplete: t.Incomplete}, nil
}

// seedFiles makes n files on Drive and mirrors them.
func seedFiles(h *harness, n int) {
	for i := range n {
		h.rput(fmt.Sprintf("f%02d.txt", i), fmt.Sprint("content ", i))
	}
	h.once()
}

var safetyRows = []syncRow{
	{row: "S1", run: func(t *testing.T, h *harness) {
		seedFiles(h, 3)
		// The disk holding the mirror is not mounted: the folder is empty.
		if err := os.RemoveAll(h.root); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(h.root, 0o755)
		h.reopen()
		sum, err := h.m.Once(context.Background())
		if !errors.Is(err, ErrNoMarker) || !strings.Contains(err.Error(), h.root) {
			t.Fatalf("Once = %v (%s), want ErrNoMarker naming %s", err, sum, h.root)
		}
		for i := range 3 {
			h.wantRemote(fmt.Sprintf("f%02d.txt", i), fmt.Sprint("content ", i))
		}
		if ents, _ := os.ReadDir(h.root); len(ents) != 0 {
			t.Fatalf("the pass wrote into the unmarked folder: %v", ents)
		}
	}},
	{row: "S2", run: func(t *testing.T, h *harness) {
		seedFiles(h, 4)
		for _, tc := range []cutListing{{keep: 1, incomplete: true}, {keep: 0}} {
			// Lose the page token: the next pass lists everything, and
			// the listing comes back short.
			if err := h.store.SetPageToken("", ""); err != nil {
				t.Fatal(err)
			}
			h.cfg.Remote = cutListing{Remote: h.c, keep: tc.keep, incomplete: tc.incomplete}
			h.reopen()
			h.once()
			for i := range 4 {
				h.wantLocal(fmt.Sprintf("f%02d.txt", i), fmt.Sprint("content ", i))
			}
			if tr := h.trashed(); len(tr) != 0 {
				t.Fatalf("%+v: local trash %v", tc, tr)
			}
		}
	}},
	{row: "S3", run: func(t *testing.T, h *harness) {
		seedFiles(h, 12)
		for i := range 10 {
			h.rtrash(fmt.Sprintf("f%02d.txt", i))
		}
		sum, err := h.m.Once(context.Background())
		if !errors.Is(err, ErrMassDelete) || !strings.Contains(err.Error(), "--allow-mass-delete") {
			t.Fatalf("Once = %v (%s), want ErrMassDelete", err, sum)
		}
		h.wantLocal("f00.txt", "content 0")
		if tr := h.trashed(); len(tr) != 0 {
			t.Fatalf("local trash %v", tr)
		}
		// Local deletes count too: nothing goes to Drive's trash.
		for i := 10; i < 12; i++ {
			os.Remove(filepath.Join(h.root, fmt.Sprintf("f%02d.txt", i)))
		}
		if _, err := h.m.Once(context.Background()); !errors.Is(err, ErrMassDelete) {
			t.Fatalf("second pass: %v", err)
		}
		h.wantRemote("f11.txt", "content 11")
		// The user confirms.
		h.cfg.AllowMassDelete = true
		h.reopen()
		sum = h.once()
		if sum.Trashed != 12 {
			t.Fatalf("summary %s, want 12 trashed", sum)
		}
		h.wantNoLocal("f00.txt")
		h.wantNoRemote("f11.txt")
	}},
	{row: "S5", tweak: func(c *Config) { c.ReadOnly = true }, run: func(t *testing.T, h *harness) {
		f := h.rput("f.txt", "v1")
		h.rput("g.txt", "g1")
		h.rput("del.txt", "d")
		h.once()
		h.put("f.txt", "local edit")
		h.put("new.txt", "new")
		os.Remove(filepath.Join(h.root, "del.txt"))
		h.rput("g.txt", "g2")
		before := h.sv.Stats().Methods
		h.once()
		after := h.sv.Stats().Methods
		for k, n := range after {
			if n != before[k] && !strings.Contains(k, "get") && !strings.Contains(k, "list") && !strings.Contains(k, "getStartPageToken") {
				t.Errorf("read-only pass called %s (%d times)", k, n-before[k])
			}
		}
		h.wantRemote("f.txt", "v1")
		h.wantLocal("f.txt", "local edit")
		h.wantNoRemote("new.txt")
		h.wantRemote("del.txt", "d")
		h.wantLocal("g.txt", "g2")
		if g, _ := h.other.Get(context.Background(), f.ID); g.Trashed {
			t.Fatal("trashed on Drive")
		}
		if st := h.m.Status(); st.PendingUploads == 0 {
			t.Fatalf("status %+v: local edits not reported", st)
		}
	}},
}

// TestRefusedPageToken: when Drive refuses the saved page token, the
// engine lists the mirror again and picks up what changed, deletes
// included.
func TestRefusedPageToken(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	seedFiles(h, 4)
	if err := h.store.SetPageToken("", "not-a-token"); err != nil {
		t.Fatal(err)
	}
	h.rput("f00.txt", "changed")
	h.rput("new.txt", "new")
	h.rtrash("f01.txt")
	h.reopen()
	h.once()
	h.wantLocal("f00.txt", "changed")
	h.wantLocal("new.txt", "new")
	h.wantNoLocal("f01.txt")
	if tok, _ := h.store.PageToken(""); tok == "not-a-token" || tok == "" {
		t.Fatalf("page token %q not renewed", tok)
	}
}

// TestNewChecks: a Config that cannot work is refused with a message
// naming what is wrong.
func TestNewChecks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	for name, tc := range map[string]struct {
		tweak func(*Config)
		want  string
	}{
		"relative root":     {func(c *Config) { c.Root = "rel" }, "absolute"},
		"no remote":         {func(c *Config) { c.Remote = nil }, "Remote"},
		"no remote root":    {func(c *Config) { c.RemoteRoot = "" }, "RemoteRoot"},
		"no state dir":      {func(c *Config) { c.StateDir = "" }, "StateDir"},
		"state inside root": {func(c *Config) { c.StateDir = filepath.Join(c.Root, "st") }, "inside the mount root"},
		"state is root":     {func(c *Config) { c.StateDir = c.Root }, "inside the mount root"},
	} {
		cfg := h.cfg
		tc.tweak(&cfg)
		if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error about %q", name, err, tc.want)
		}
	}
}

// TestLocalFolderDelete: a folder deleted locally is one trash call on
// Drive, however many files it held.
func TestLocalFolderDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, func(c *Config) { c.AllowMassDelete = true })
	for i := range 5 {
		h.rput(fmt.Sprintf("dir/f%d.txt", i), "x")
	}
	h.rput("keep.txt", "k")
	h.once()
	dir, _ := h.remote("dir")
	os.RemoveAll(filepath.Join(h.root, "dir"))
	before := h.sv.Stats().Methods["files.update"]
	h.once()
	if n := h.sv.Stats().Methods["files.update"] - before; n != 1 {
		t.Fatalf("%d metadata updates, want one trash of the folder", n)
	}
	if g, err := h.other.Get(context.Background(), dir.ID); err != nil || !g.Trashed {
		t.Fatalf("folder %+v (%v) not in Drive's trash", g, err)
	}
	if n, _ := h.store.Len(); n != 1 {
		t.Fatalf("%d entries left, want keep.txt only", n)
	}
}

// failDownloads is a Remote whose downloads all fail.
type failDownloads struct{ Remote }

func (failDownloads) Download(context.Context, drive.File, string, drive.DownloadOptions) (drive.File, error) {
	return drive.File{}, errors.New("injected download failure")
}

// TestPlacedBeforeDownload: Drive items not downloaded yet are in the
// index at the path they will take, so glob and Fetch see them; a failed
// download is reported and leaves no file.
func TestPlacedBeforeDownload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fakedrive.Options{}, nil)
	f := h.rput("a/b.txt", "b")
	h.cfg.Remote = failDownloads{h.c}
	h.reopen()
	sum, err := h.m.Once(context.Background())
	if err == nil || sum.Failed != 1 || !strings.Contains(err.Error(), "injected") {
		t.Fatalf("Once = %v (%s), want the download failure", err, sum)
	}
	e, err := h.store.ByPath("a/b.txt")
	if err != nil || e.ID != f.ID || e.Synced() {
		t.Fatalf("entry at a/b.txt: %+v (%v), want %s not synced", e, err, f.ID)
	}
	h.wantNoLocal("a/b.txt")
}
