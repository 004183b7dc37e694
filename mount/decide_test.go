package mount

import (
	"path"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestDecide checks the pure decision table against docs/sync-semantics.md,
// one case per row it decides (the end-to-end tests are TestSync/<row>).
func TestDecide(t *testing.T) {
	cases := []struct {
		row  string
		s    situation
		want verb
	}{
		{"C1", situation{R: rNew, L: lAbsent, Settled: true}, actDownload},
		{"C2", situation{R: rAbsent, L: lNew, Settled: true}, actUpload},
		{"C2-dir", situation{R: rAbsent, L: lNew, Dir: true}, actUpload},
		{"C3", situation{R: rNew, L: lNew, SameMD5: true, Settled: true}, actAdopt},
		{"C4", situation{R: rNew, L: lNew, Settled: true}, actConflict},
		{"C4-unsettled", situation{R: rNew, L: lNew}, actWait},
		{"C5", situation{R: rEdited, L: lSame, Settled: true}, actDownload},
		{"C6", situation{R: rSame, L: lEdited, Settled: true}, actUpdate},
		{"C7", situation{R: rEdited, L: lEdited, SameMD5: true, Settled: true}, actAdopt},
		{"C8", situation{R: rEdited, L: lEdited, Settled: true}, actConflict},
		{"C9-new", situation{R: rAbsent, L: lNew}, actWait},
		{"C9-edit", situation{R: rSame, L: lEdited}, actWait},
		{"D1", situation{R: rGone, L: lSame, Settled: true}, actLocalTrash},
		{"D2", situation{R: rSame, L: lDeleted, Settled: true}, actRemoteTrash},
		{"D3", situation{R: rGone, L: lEdited, Settled: true}, actForget},
		{"D4", situation{R: rEdited, L: lDeleted, Settled: true}, actDownload},
		{"D4-moved", situation{R: rMovedEdited, L: lDeleted, Settled: true}, actDownload},
		{"D5", situation{R: rGone, L: lDeleted, Settled: true}, actForget},
		{"R1", situation{R: rMoved, L: lSame, Settled: true}, actLocalMove},
		{"R2", situation{R: rSame, L: lMoved, Settled: true}, actRemoteMove},
		{"R3", situation{R: rMoved, L: lEdited, Settled: true}, actLocalMove},
		{"R4", situation{R: rEdited, L: lMoved, Settled: true}, actDownloadMove},
		{"R5", situation{R: rMoved, L: lMoved, Settled: true}, actLocalMove},
		{"R6", situation{R: rGone, L: lMoved, Settled: true}, actLocalTrash},
		{"same", situation{R: rSame, L: lSame, Settled: true}, actNone},
	}
	for _, tc := range cases {
		t.Run(tc.row, func(t *testing.T) {
			if got := decide(tc.s); got != tc.want {
				t.Errorf("decide(%+v) = %s, want %s", tc.s, got, tc.want)
			}
		})
	}
}

// TestConflictName checks the conflict copy naming.
func TestConflictName(t *testing.T) {
	at := mustTime(t, "2026-03-04T05:06:07Z")
	for _, tc := range []struct{ name, host, want string }{
		{"model.h5", "gpu1", "model.conflict-20260304-050607-gpu1.h5"},
		{"README", "gpu1", "README.conflict-20260304-050607-gpu1"},
		{".bashrc", "a/b", ".bashrc.conflict-20260304-050607-a_b"},
		{"a.tar.gz", "h", "a.tar.conflict-20260304-050607-h.gz"},
		{"run.00000000000000000000000000000000", "h", "run.00000000000000000000000000000000.conflict-20260304-050607-h"}, // a 33-byte suffix is no extension (fuzz find)
	} {
		if got := conflictName(tc.name, at, tc.host); got != tc.want {
			t.Errorf("conflictName(%q, %q) = %q, want %q", tc.name, tc.host, got, tc.want)
		}
	}
}

// FuzzConflictName: a conflict copy's name is one valid path component,
// keeps the extension (up to maxExtBytes) and differs from the original.
func FuzzConflictName(f *testing.F) {
	for _, s := range []string{"model.h5", "README", ".bashrc", "a.tar.gz", "", "x.", "ü.ckpt"} {
		f.Add(s, "gpu1")
	}
	f.Fuzz(func(t *testing.T, name, host string) {
		if name == "" || strings.ContainsAny(name, "/\x00") || name == "." || name == ".." {
			return
		}
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		got := conflictName(name, at, host)
		if got == name || strings.ContainsAny(got, "/\x00") || got == "." || got == ".." || !utf8.ValidString(got) && utf8.ValidString(name) {
			t.Fatalf("conflictName(%q, %q) = %q", name, host, got)
		}
		if len(name) <= MaxNameBytes && len(got) > MaxNameBytes {
			t.Fatalf("conflictName(%q) = %q: %d bytes", name, got, len(got))
		}
		if ext := path.Ext(name); ext != "" && ext != name && len(ext) <= maxExtBytes && !strings.HasSuffix(got, ext) {
			t.Fatalf("conflictName(%q) = %q lost the extension %q", name, got, ext)
		}
		if !strings.Contains(got, ".conflict-20260102-030405-") {
			t.Fatalf("conflictName(%q) = %q", name, got)
		}
	})
}
