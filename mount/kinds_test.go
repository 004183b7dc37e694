package mount

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gdrive "google.golang.org/api/drive/v3"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func init() {
	syncRows = append(syncRows, kindRows...)
}

// rdoc creates a Google Docs file in parent whose text is text.
func (h *harness) rdoc(parent, name, text string) *gdrive.File {
	h.t.Helper()
	f, err := h.api().Files.Create(&gdrive.File{Name: name, MimeType: drive.DocumentMime, Parents: []string{parent}}).
		Media(strings.NewReader(text)).Do()
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// rshortcut creates a shortcut name in parent pointing to target.
func (h *harness) rshortcut(parent, name, target string) *gdrive.File {
	h.t.Helper()
	f, err := h.api().Files.Create(&gdrive.File{Name: name, MimeType: drive.ShortcutMime, Parents: []string{parent},
		ShortcutDetails: &gdrive.FileShortcutDetails{TargetId: target}}).Do()
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

// wantMode checks the permission bits of a local file.
func (h *harness) wantMode(rel string, want os.FileMode) {
	h.t.Helper()
	fi, err := os.Stat(filepath.Join(h.root, filepath.FromSlash(rel)))
	if err != nil {
		h.t.Fatal(err)
	}
	if fi.Mode().Perm() != want {
		h.t.Fatalf("%s mode %v, want %v", rel, fi.Mode().Perm(), want)
	}
}

// skippedFor returns the Status.Skipped reason of a Drive ID.
func (h *harness) skippedFor(id string) string {
	for _, s := range h.m.Status().Skipped {
		if s.DriveID == id {
			return s.Reason
		}
	}
	return ""
}

var kindRows = []syncRow{
	{row: "N7", run: func(t *testing.T, h *harness) {
		// Default: skipped and listed.
		doc := h.rdoc(h.rootID, "notes", "first")
		h.rput("plain.txt", "p")
		h.once()
		if got := h.localNames("."); len(got) != 1 || got[0] != "plain.txt" {
			t.Fatalf("local names %q", got)
		}
		if r := h.skippedFor(doc.Id); !strings.Contains(r, "export-docs") {
			t.Fatalf("status skipped %+v", h.m.Status().Skipped)
		}

		// --export-docs: exported as name.docx, read-only; with a Drive
		// file named notes.docx beside it, one of the two is deduped (N1).
		h = newHarness(t, fakedrive.Options{}, func(c *Config) { c.ExportDocs = true })
		doc = h.rdoc(h.rootID, "notes", "first")
		real := h.rcreate(h.rootID, "notes.docx", "a real docx")
		sheet, err := h.api().Files.Create(&gdrive.File{Name: "table", MimeType: drive.SheetMime, Parents: []string{h.rootID}}).
			Media(strings.NewReader("a,b")).Do()
		if err != nil {
			t.Fatal(err)
		}
		sum := h.once()
		if sum.Downloaded != 3 {
			t.Fatalf("summary %s, want 3 downloaded", sum)
		}
		re, err := h.store.ByID(real.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.wantLocal(re.Path, "a real docx")
		e, err := h.store.ByID(doc.Id)
		if err != nil || e.MimeType != drive.DocumentMime || !strings.HasSuffix(e.Path, ".docx") || e.Path == re.Path ||
			e.Path != "notes.docx" && re.Path != "notes.docx" {
			t.Fatalf("doc entry %+v (%v), real docx at %s", e, err, re.Path)
		}
		export := e.Path
		first, _ := h.get(export)
		if !strings.HasPrefix(first, "PK") {
			t.Fatalf("%s is not an Office file: %q", export, first)
		}
		h.wantMode(export, 0o444)
		if e, err := h.store.ByID(sheet.Id); err != nil || e.Path != "table.xlsx" {
			t.Fatalf("sheet entry %+v %v", e, err)
		}

		// A restart knows it is an export: nothing moves.
		h.reopen()
		if sum := h.once(); sum.Downloaded+sum.Uploaded+sum.Conflicts != 0 {
			t.Fatalf("after restart: %s, want nothing", sum)
		}

		// Edited on Drive: exported again (no md5: the version says).
		if _, err := h.api().Files.Update(doc.Id, &gdrive.File{}).Media(strings.NewReader("second, longer text")).Do(); err != nil {
			t.Fatal(err)
		}
		if sum := h.once(); sum.Downloaded != 1 || sum.Uploaded != 0 {
			t.Fatalf("after a Drive edit: %s, want 1 downloaded", sum)
		}
		second, _ := h.get(export)
		if second == first {
			t.Fatal("export not refreshed after the Drive edit")
		}

		// Edited locally anyway: never uploaded over the Doc; the user's
		// version is kept as a conflict copy (a file of its own on
		// Drive) and the export made again.
		p := filepath.Join(h.root, filepath.FromSlash(export))
		os.Chmod(p, 0o644)
		h.put(export, "my local edit")
		sum = h.once()
		cs := h.conflicts(export)
		if len(cs) != 1 || sum.Conflicts != 1 {
			t.Fatalf("conflict copies %v, summary %s", cs, sum)
		}
		h.wantLocal(cs[0], "my local edit")
		h.wantRemote(cs[0], "my local edit")
		h.wantLocal(export, second)
		h.wantMode(export, 0o444)
		if g, err := h.other.Get(context.Background(), doc.Id); err != nil || g.MimeType != drive.DocumentMime || g.Trashed {
			t.Fatalf("the Doc on Drive: %+v %v", g, err)
		}

		// Deleted locally: the Doc is not trashed, it is exported again.
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		sum = h.once()
		h.wantLocal(export, second)
		if g, err := h.other.Get(context.Background(), doc.Id); err != nil || g.Trashed || sum.Trashed != 0 {
			t.Fatalf("after a local delete: Doc %+v %v, summary %s", g, err, sum)
		}
	}},
	{row: "N8", run: func(t *testing.T, h *harness) {
		// Targets outside the mirror: a file and a folder with a file.
		out, err := h.other.Mkdir(context.Background(), "root", "elsewhere")
		if err != nil {
			t.Fatal(err)
		}
		target := h.rcreate(out.ID, "data.bin", "target v1")
		dir, err := h.other.Mkdir(context.Background(), out.ID, "shared")
		if err != nil {
			t.Fatal(err)
		}
		inner := h.rcreate(dir.ID, "inner.txt", "inner v1")
		sf := h.rshortcut(h.rootID, "link.bin", target.ID)
		h.rshortcut(h.rootID, "shared-link", dir.ID)
		// A loop: a shortcut inside the mirror to the mirror's folder a.
		a := h.rmkdirs("a")
		loop := h.rshortcut(a, "up", a)
		h.once()
		h.wantLocal("link.bin", "target v1")
		h.wantLocal("shared-link/inner.txt", "inner v1")
		if _, ok := h.get("a/up"); ok {
			t.Fatal("the loop a/up was followed")
		}
		if r := h.skippedFor(loop.Id); !strings.Contains(r, "loop") {
			t.Fatalf("loop not listed as skipped: %q (%+v)", r, h.m.Status().Skipped)
		}
		if e, err := h.store.ByID(sf.Id); err != nil || e.TargetID != target.ID || e.MimeType != drive.ShortcutMime {
			t.Fatalf("shortcut entry %+v %v", e, err)
		}

		// The target changes on Drive: the feed names the target, the
		// shortcut's local file follows.
		h.reopen()
		if _, err := h.other.Update(context.Background(), target.ID, writeTemp(t, "target v2")); err != nil {
			t.Fatal(err)
		}
		if _, err := h.other.Update(context.Background(), inner.ID, writeTemp(t, "inner v2")); err != nil {
			t.Fatal(err)
		}
		h.once()
		h.wantLocal("link.bin", "target v2")
		h.wantLocal("shared-link/inner.txt", "inner v2")

		// Local edits go to the target (the same Drive file); a new local
		// file under the folder shortcut lands in the target folder.
		h.put("link.bin", "edited through the shortcut")
		h.put("shared-link/inner.txt", "inner edited")
		h.put("shared-link/new.txt", "new in shared")
		h.once()
		for id, want := range map[string]string{target.ID: "edited through the shortcut", inner.ID: "inner edited"} {
			if g, err := h.other.Get(context.Background(), id); err != nil || g.MD5 != md5hex(want) {
				t.Fatalf("Drive %s: md5 %s, want that of %q (%v)", id, g.MD5, want, err)
			}
		}
		kids, err := h.other.ListTree(context.Background(), dir.ID, drive.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range kids.Files {
			found = found || f.Name == "new.txt" && f.MD5 == md5hex("new in shared")
		}
		if !found {
			t.Fatalf("new.txt not uploaded into the target folder: %+v", kids.Files)
		}
		if sum := h.once(); sum.Downloaded+sum.Uploaded+sum.Conflicts != 0 {
			t.Fatalf("second pass after the edits: %s, want nothing", sum)
		}
	}},
}

// writeTemp writes content to a temp file and returns its path.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "up")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
