package mount

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	gdrive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive"
)

func init() {
	syncRows = append(syncRows, nameRows...)
}

// rcreate makes a Drive file named name (any bytes) in the mirror's top
// folder.
func (h *harness) rcreate(parent, name, content string) drive.File {
	h.t.Helper()
	src := filepath.Join(h.t.TempDir(), "up")
	os.WriteFile(src, []byte(content), 0o644)
	f, err := h.other.Create(context.Background(), parent, name, src)
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// api is the official client on the emulator, for what Remote cannot make.
func (h *harness) api() *gdrive.Service {
	h.t.Helper()
	svc, err := gdrive.NewService(context.Background(), option.WithEndpoint(h.ts.URL+"/drive/v3/"),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: h.sv.Token()})))
	if err != nil {
		h.t.Fatal(err)
	}
	return svc
}

// localNames lists the names in a local folder, minus the marker.
func (h *harness) localNames(dir string) []string {
	h.t.Helper()
	ents, err := os.ReadDir(filepath.Join(h.root, filepath.FromSlash(dir)))
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() != Marker {
			out = append(out, e.Name())
		}
	}
	return out
}

var nameRows = []syncRow{
	{row: "N1", run: func(t *testing.T, h *harness) {
		a := h.rcreate(h.rootID, "dup.txt", "first")
		b := h.rcreate(h.rootID, "dup.txt", "second")
		h.once()
		lo, hi := a, b
		if b.ID < a.ID {
			lo, hi = b, a
		}
		plain, _ := h.get("dup.txt")
		if want := map[string]string{a.ID: "first", b.ID: "second"}[lo.ID]; plain != want {
			t.Fatalf("dup.txt = %q, want the lowest ID's %q", plain, want)
		}
		other := "dup (" + hi.ID[:6] + ").txt"
		h.wantLocal(other, map[string]string{a.ID: "first", b.ID: "second"}[hi.ID])
		// A third sibling changes nothing for the others.
		h.rcreate(h.rootID, "dup.txt", "third")
		h.once()
		h.wantLocal("dup.txt", plain)
		if names := h.localNames("."); len(names) != 3 {
			t.Fatalf("local names %v", names)
		}
		// A local edit of the deduplicated copy goes to its own Drive file.
		h.put(other, "edited")
		h.once()
		f, err := h.other.Get(context.Background(), hi.ID)
		if err != nil || f.MD5 != md5hex("edited") || f.Name != "dup.txt" {
			t.Fatalf("Drive file %+v (%v)", f, err)
		}
	}},
	{row: "N2", run: func(t *testing.T, h *harness) {
		f := h.rcreate(h.rootID, "a/b", "slash")
		g := h.rcreate(h.rootID, "c／d", "fullwidth")
		h.once()
		h.wantLocal("a／b", "slash")
		h.wantLocal("c‛／d", "fullwidth")
		h.put("a／b", "slash edited")
		h.put("new／name", "x")
		h.once()
		for id, want := range map[string]string{f.ID: "a/b", g.ID: "c／d"} {
			if got, _ := h.other.Get(context.Background(), id); got.Name != want {
				t.Fatalf("Drive name %q, want %q", got.Name, want)
			}
		}
		kids, _ := h.other.ListTree(context.Background(), h.rootID, drive.ListOptions{})
		found := false
		for _, k := range kids.Files {
			found = found || k.Name == "new/name"
		}
		if !found {
			t.Fatal(`local "new／name" did not become Drive "new/name"`)
		}
	}},
	{row: "N3", run: func(t *testing.T, h *harness) {
		names := []string{"..", ".", "tab\there", "nul\x00x", "bad\xffutf8"}
		ids := map[string]string{}
		content := map[string]string{}
		for i, n := range names {
			// Drive may clean a name up (invalid UTF-8): its name is the truth.
			f := h.rcreate(h.rootID, n, "c "+n)
			names[i], ids[f.ID] = f.Name, f.Name
			content[f.Name] = "c " + n
		}
		h.once()
		if got := h.localNames("."); len(got) != len(names) {
			t.Fatalf("local names %q", got)
		}
		for _, n := range names {
			h.wantLocal(LocalName(n), content[n])
		}
		// Nothing was written beside the root.
		if ents, _ := os.ReadDir(filepath.Dir(h.root)); len(ents) != 2 {
			t.Fatalf("outside the root: %v", ents)
		}
		// Local edits round-trip to the same Drive names.
		for _, n := range names {
			h.put(LocalName(n), "edited "+n)
		}
		h.once()
		for id, n := range ids {
			f, _ := h.other.Get(context.Background(), id)
			if f.Name != n || f.MD5 != md5hex("edited "+n) {
				t.Fatalf("Drive %q: %+v", n, f)
			}
		}
	}},
	{row: "N4", run: func(t *testing.T, h *harness) {
		long := strings.Repeat("ü", 200) + ".ckpt"
		f := h.rcreate(h.rootID, long, "long")
		h.once()
		got := h.localNames(".")
		if len(got) != 1 || len(got[0]) > MaxNameBytes || !strings.HasSuffix(got[0], ".ckpt") {
			t.Fatalf("local names %q", got)
		}
		h.put(got[0], "long edited")
		h.once()
		if g, _ := h.other.Get(context.Background(), f.ID); g.Name != long || g.MD5 != md5hex("long edited") {
			t.Fatalf("Drive file %q %s", g.Name, g.MD5)
		}
		if e, _ := h.store.ByID(f.ID); e.Name != long {
			t.Fatalf("index Drive name %q", e.Name)
		}
	}},
	{row: "N5", tweak: func(c *Config) { c.CaseInsensitive = true }, run: func(t *testing.T, h *harness) {
		h.rcreate(h.rootID, "Data.csv", "upper")
		h.rcreate(h.rootID, "data.csv", "lower")
		h.once()
		got := h.localNames(".")
		if len(got) != 2 || strings.EqualFold(got[0], got[1]) {
			t.Fatalf("local names %q: want two names distinct under case folding", got)
		}
	}},
	{row: "N6", run: func(t *testing.T, h *harness) {
		h.rput("link/inside.txt", "payload")
		outside := t.TempDir()
		os.MkdirAll(h.root, 0o755)
		if err := os.Symlink(outside, filepath.Join(h.root, "link")); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(h.root, Marker), nil, 0o644)
		_, err := h.m.Once(context.Background())
		if !errors.Is(err, ErrEscapesRoot) || !strings.Contains(err.Error(), "link") {
			t.Fatalf("Once = %v, want ErrEscapesRoot naming the item", err)
		}
		if ents, _ := os.ReadDir(outside); len(ents) != 0 {
			t.Fatalf("wrote outside the root: %v", ents)
		}
	}},
}
