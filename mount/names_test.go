package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkLocal fails t unless local is usable as one local path component.
func checkLocal(t testing.TB, drive, local string) {
	t.Helper()
	switch {
	case local == "" || local == "." || local == "..":
		t.Errorf("LocalName(%q) = %q: not a usable name", drive, local)
	case strings.ContainsAny(local, "/\x00"):
		t.Errorf("LocalName(%q) = %q: contains '/' or NUL", drive, local)
	case len(local) > MaxNameBytes:
		t.Errorf("LocalName(%q) = %d bytes, over %d", drive, len(local), MaxNameBytes)
	case !utf8.ValidString(local):
		t.Errorf("LocalName(%q) = %q: not valid UTF-8", drive, local)
	}
}

func TestLocalNameHostile(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		drive string
		want  string // "" = only check validity and round trip
	}{
		{"plain.txt", "plain.txt"},
		{"../x", "..／x"},
		{"a/b", "a／b"},
		{"/", "／"},
		{"a\x00b", "a␀b"},
		{"\x00", "␀"},
		{"tab\there\n", "tab␉here␊"},
		{"del\x7f", "del␡"},
		{".", "．"},
		{"..", "．．"},
		{"...", "..."},
		{"", "‛"},
		{"‛", "‛‛"},
		{"‛‛", "‛‛‛"},
		{"a‛b", "a‛b"},
		{"a／b", "a‛／b"},
		{"‛／", "‛‛‛／"},
		{"‛/", "‛‛／"},
		{"．", "‛．"},
		{"．．", "‛．．"},
		{".．", ".．"},
		{"x．y", "x．y"},
		{"‛．x", "‛‛．x"},
		{"␀", "‛␀"},
		{"␡", "‛␡"},
		{"␠ space symbol", "␠ space symbol"},
		{"bad\xffbyte", "bad‛FFbyte"},
		{"\xc3", "‛C3"},
		{"‛FF", "‛‛FF"},
		{"‛ff", "‛ff"},
		{"‛12", "‛12"},
		{"‛8", "‛8"},
		{"\xff\xfe", "‛FF‛FE"},
		{"日本語/ファイル", "日本語／ファイル"},
		{"\uFFFD", "\uFFFD"},
		{long, ""},
		{long + ".pdf", ""},
		{strings.Repeat("é", 150), ""},
		{strings.Repeat("/", 100), ""},
		{strings.Repeat("\xff", 100), ""},
		{strings.Repeat("‛", 100) + "/", ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%.40q", tc.drive), func(t *testing.T) {
			local, short := localName(tc.drive)
			checkLocal(t, tc.drive, local)
			if tc.want != "" && local != tc.want {
				t.Errorf("LocalName(%q) = %q, want %q", tc.drive, local, tc.want)
			}
			if got := LocalName(tc.drive); got != local {
				t.Errorf("LocalName(%q) not deterministic: %q then %q", tc.drive, local, got)
			}
			if short {
				if len(tc.drive) <= MaxNameBytes/5 {
					t.Errorf("LocalName(%q) shortened a short name", tc.drive)
				}
				return
			}
			if back := DriveName(local); back != tc.drive {
				t.Errorf("DriveName(LocalName(%q)) = DriveName(%q) = %q", tc.drive, local, back)
			}
		})
	}
}

func TestLocalNameLong(t *testing.T) {
	base := strings.Repeat("x", 300)
	tests := []struct {
		drive   string
		wantExt string
	}{
		{base + ".pdf", ".pdf"},
		{base + ".tar.gz", ".gz"},
		{base, ""},
		{base + ". not an extension", ""},
		{base + "." + strings.Repeat("e", 40), ""},
		{strings.Repeat("日", 100) + ".txt", ".txt"},
		{strings.Repeat("a/", 150) + ".md", ".md"},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		local, short := localName(tc.drive)
		checkLocal(t, tc.drive, local)
		if !short {
			t.Errorf("LocalName(%.30q…): %d bytes, not reported as shortened", tc.drive, len(tc.drive))
		}
		if !strings.HasSuffix(local, tc.wantExt) || !strings.Contains(local, "~") {
			t.Errorf("LocalName(%.30q…) = %q, want a ~hash suffix and extension %q", tc.drive, local, tc.wantExt)
		}
		if len(local) < MaxNameBytes-12 {
			t.Errorf("LocalName(%.30q…) = %d bytes, cut more than needed", tc.drive, len(local))
		}
		if other, dup := seen[local]; dup {
			t.Errorf("LocalName(%.30q…) = LocalName(%.30q…) = %q", tc.drive, other, local)
		}
		seen[local] = tc.drive
	}
	// Names equal up to the cut differ by their hash.
	a, b := LocalName(base+"1.pdf"), LocalName(base+"2.pdf")
	if a == b {
		t.Errorf("two long names share the local name %q", a)
	}
	// A cut never splits an escape: "／" (3 bytes) tokens stay whole.
	if local := LocalName(strings.Repeat("/", 100)); strings.Count(local, "／")*3+9 != len(local) {
		t.Errorf("LocalName(100 slashes) = %q: escape split by the cut", local)
	}
}

func TestDriveNameOfLocalNames(t *testing.T) {
	// Names typed locally map to Drive names and back unchanged.
	tests := []struct{ local, drive string }{
		{"notes.txt", "notes.txt"},
		{"a／b", "a/b"},
		{"．", "."},
		{"．．", ".."},
		{"．hidden", "．hidden"},
		{"it‛s", "it‛s"},
		{"‛", ""},
		{"end‛", "end‛"},
		{"x␀y", "x\x00y"},
		{"price ‛42", "price ‛42"},
		{"‛99", "\x99"},        // a byte code, as LocalName writes it
		{"‛C3‛A9", "\xc3\xa9"}, // decodes to "é": LocalName then gives "é"
	}
	for _, tc := range tests {
		if got := DriveName(tc.local); got != tc.drive {
			t.Errorf("DriveName(%q) = %q, want %q", tc.local, got, tc.drive)
		}
		if utf8.ValidString(tc.drive) && !strings.Contains(tc.local, "‛C3") {
			if back := LocalName(tc.drive); back != tc.local {
				t.Errorf("LocalName(DriveName(%q)) = %q", tc.local, back)
			}
		}
	}
	// Raw bytes that a local FS allowed pass through.
	if got := DriveName("raw\xe9"); got != "raw\xe9" {
		t.Errorf("DriveName(raw latin-1) = %q", got)
	}
}

// ids returns n deterministic Drive-like IDs sharing no 6-char prefix.
func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%02d%04xQwErTy0123456789abcdefg", i, i*7919)
	}
	return out
}

func siblingsNamed(name string, idList []string) []Sibling {
	out := make([]Sibling, len(idList))
	for i, id := range idList {
		out[i] = Sibling{ID: id, Name: name}
	}
	return out
}

// checkDistinct fails t unless got has a name for every sibling, all valid
// and distinct (under case folding when ci).
func checkDistinct(t *testing.T, sibs []Sibling, got map[string]string, ci bool) {
	t.Helper()
	if len(got) != len(sibs) {
		t.Fatalf("Dedupe returned %d names for %d siblings", len(got), len(sibs))
	}
	seen := map[string]string{}
	for _, s := range sibs {
		name, ok := got[s.ID]
		if !ok {
			t.Fatalf("no name for %q", s.ID)
		}
		checkLocal(t, s.Name, name)
		k := name
		if ci {
			k = foldKey(name)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("%q and %q both named %q", other, s.ID, name)
		}
		seen[k] = s.ID
	}
}

func mustDedupe(t *testing.T, sibs []Sibling, prev map[string]string, opts Options) map[string]string {
	t.Helper()
	got, err := Dedupe(sibs, prev, opts)
	if err != nil {
		t.Fatalf("Dedupe: %v", err)
	}
	checkDistinct(t, sibs, got, opts.CaseInsensitive)
	return got
}

func TestDedupeTwenty(t *testing.T) {
	idl := ids(20)
	sibs := siblingsNamed("report.pdf", idl)
	got := mustDedupe(t, sibs, nil, Options{})
	if got[idl[0]] != "report.pdf" {
		t.Errorf("lowest ID got %q, want the plain name", got[idl[0]])
	}
	for _, id := range idl[1:] {
		if want := "report (" + id[:6] + ").pdf"; got[id] != want {
			t.Errorf("%s: got %q, want %q", id, got[id], want)
		}
	}
	// Order of the listing does not matter.
	rev := make([]Sibling, len(sibs))
	for i, s := range sibs {
		rev[len(sibs)-1-i] = s
	}
	if again := mustDedupe(t, rev, nil, Options{}); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("reversed listing: %v, want %v", again, got)
	}
	// A new sibling with a lower ID does not take the plain name.
	added := append([]Sibling{{ID: "00000-new", Name: "report.pdf"}}, sibs...)
	after := mustDedupe(t, added, got, Options{})
	for id, name := range got {
		if after[id] != name {
			t.Errorf("adding a sibling renamed %s: %q -> %q", id, name, after[id])
		}
	}
	if after["00000-new"] != "report (00000-).pdf" {
		t.Errorf("new sibling got %q", after["00000-new"])
	}
	// Removing the plain-name holder renames nobody.
	removed := mustDedupe(t, sibs[1:], got, Options{})
	for _, s := range sibs[1:] {
		if removed[s.ID] != got[s.ID] {
			t.Errorf("removing a sibling renamed %s: %q -> %q", s.ID, got[s.ID], removed[s.ID])
		}
	}
	// Long names: 20 duplicates of a 300-byte name stay distinct and short.
	mustDedupe(t, siblingsNamed(strings.Repeat("z", 300)+".bin", idl), nil, Options{})
	mustDedupe(t, siblingsNamed(strings.Repeat("z", 300), idl), nil, Options{})
}

func TestDedupeCase(t *testing.T) {
	sibs := []Sibling{
		{ID: "idA11111", Name: "Report.txt"},
		{ID: "idB22222", Name: "report.txt"},
		{ID: "idC33333", Name: "REPORT.TXT"},
		{ID: "idD44444", Name: "other"},
	}
	sensitive := mustDedupe(t, sibs, nil, Options{})
	for _, s := range sibs {
		if sensitive[s.ID] != s.Name {
			t.Errorf("case-sensitive: %q got %q, want its own name", s.Name, sensitive[s.ID])
		}
	}
	insensitive := mustDedupe(t, sibs, nil, Options{CaseInsensitive: true})
	want := map[string]string{
		"idA11111": "Report.txt",
		"idB22222": "report (idB222).txt",
		"idC33333": "REPORT (idC333).TXT",
		"idD44444": "other",
	}
	if fmt.Sprint(insensitive) != fmt.Sprint(want) {
		t.Errorf("case-insensitive: %v, want %v", insensitive, want)
	}
	// IDs equal in their first 6 chars up to case, and non-ASCII case pairs.
	tricky := []Sibling{
		{ID: "abcdefXY1", Name: "ä.txt"},
		{ID: "ABCDEFxy2", Name: "Ä.txt"},
		{ID: "AbCdEfxY3", Name: "Ä.TXT"},
		{ID: "q4", Name: "ǅ"},
		{ID: "q5", Name: "ǆ"},
		{ID: "q6", Name: "Ǆ"},
	}
	got := mustDedupe(t, tricky, nil, Options{CaseInsensitive: true})
	seen := map[string]bool{}
	for _, n := range got {
		k := foldKey(n)
		if seen[k] {
			t.Errorf("names equal under case folding: %v", got)
		}
		seen[k] = true
	}
	// Stable when a case twin disappears and comes back.
	less := mustDedupe(t, sibs[1:], insensitive, Options{CaseInsensitive: true})
	for _, s := range sibs[1:] {
		if less[s.ID] != insensitive[s.ID] {
			t.Errorf("removing a twin renamed %s: %q -> %q", s.ID, insensitive[s.ID], less[s.ID])
		}
	}
}

func TestDedupeEdges(t *testing.T) {
	// A hostile sibling already holds the name a duplicate would get.
	sibs := []Sibling{
		{ID: "abcdef111", Name: "a.txt"},
		{ID: "abcdef222", Name: "a.txt"},
		{ID: "zzz", Name: "a (abcdef).txt"},
		{ID: "yyy", Name: "a (abcdef22).txt"},
	}
	got := mustDedupe(t, sibs, nil, Options{})
	if got["abcdef222"] != "a (abcdef222).txt" {
		t.Errorf("collision with a hostile name: got %q", got["abcdef222"])
	}
	// Folders keep dots in the stem.
	dirs := []Sibling{{ID: "d1xxxxx", Name: "v1.2", IsDir: true}, {ID: "d2xxxxx", Name: "v1.2", IsDir: true}}
	if got := mustDedupe(t, dirs, nil, Options{}); got["d2xxxxx"] != "v1.2 (d2xxxx)" {
		t.Errorf("folder duplicate: %q", got["d2xxxxx"])
	}
	// A rename on Drive drops the old disambiguated name.
	prev := map[string]string{"id1": "old.txt", "id2": "old (id2).txt"}
	ren := mustDedupe(t, []Sibling{{ID: "id1", Name: "old.txt"}, {ID: "id2", Name: "new.txt"}}, prev, Options{})
	if ren["id2"] != "new.txt" {
		t.Errorf("renamed sibling kept %q", ren["id2"])
	}
	// Hostile IDs: long, with '/' and NUL, sharing a 64-char prefix.
	pre := strings.Repeat("/\x00", 40)
	hostile := []Sibling{{ID: pre + "1", Name: "n"}, {ID: pre + "2", Name: "n"}, {ID: pre + "3", Name: "n"}, {ID: "..", Name: "n"}}
	mustDedupe(t, hostile, nil, Options{})
	// Short IDs and dot-only names.
	mustDedupe(t, []Sibling{{ID: "a", Name: ".."}, {ID: "b", Name: ".."}, {ID: "c", Name: "．．"}, {ID: "d", Name: "."}}, nil, Options{})
	// Bad input is an error naming it.
	for _, bad := range [][]Sibling{
		{{ID: "x", Name: "a"}, {ID: "x", Name: "b"}},
		{{ID: "", Name: "a"}},
	} {
		if _, err := Dedupe(bad, nil, Options{}); err == nil || !strings.Contains(err.Error(), "mount: dedupe") {
			t.Errorf("Dedupe(%v) error = %v, want one naming the problem", bad, err)
		}
	}
}

// tree builds root/{dir/, file, out -> outside, dir/in -> root/dir} and
// returns root.
func tree(t testing.TB, base string) string {
	t.Helper()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "dir"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink("..", filepath.Join(root, "dir", "up")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../..", filepath.Join(root, "dir", "upup")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestSafeJoin(t *testing.T) {
	root := tree(t, t.TempDir())
	tests := []struct {
		rel  string
		want string // "" = error
	}{
		{"a", "a"},
		{"dir/new/deeper", "dir/new/deeper"},
		{"./dir", "dir"},
		{"dir/../file", "file"},
		{".", "."},
		{"file/x", "file/x"},
		{"../x", ""},
		{"..", ""},
		{"dir/../../x", ""},
		{"/abs", ""},
		{"/etc/passwd", ""},
		{"a\x00b", ""},
		{"out", ""},
		{"out/x", ""},
		{"dir/up/file", ""},
		{"dir/upup/outside", ""},
	}
	for _, tc := range tests {
		got, err := SafeJoin(root, tc.rel)
		if tc.want == "" {
			if err == nil {
				t.Errorf("SafeJoin(%q) = %q, want an error", tc.rel, got)
			} else if !errors.Is(err, ErrEscapesRoot) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.rel)) {
				t.Errorf("SafeJoin(%q) error %v: want ErrEscapesRoot naming the path", tc.rel, err)
			}
			continue
		}
		if want := filepath.Join(root, tc.want); err != nil || got != want {
			t.Errorf("SafeJoin(%q) = %q, %v; want %q", tc.rel, got, err, want)
		}
	}
	if _, err := SafeJoin(root, ""); err == nil {
		t.Errorf("SafeJoin(empty): no error")
	}
	if _, err := SafeJoin(filepath.Join(root, "missing"), "a"); err == nil {
		t.Errorf("SafeJoin under a missing root: no error")
	}
}

func TestDetectCaseInsensitive(t *testing.T) {
	dir := t.TempDir()
	ci, err := DetectCaseInsensitive(dir)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "linux" && ci {
		t.Errorf("DetectCaseInsensitive(%q) = true on Linux", dir)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("probe left %d files behind", len(ents))
	}
	if _, err := DetectCaseInsensitive(filepath.Join(dir, "missing")); err == nil {
		t.Error("DetectCaseInsensitive(missing dir): no error")
	}
}

func FuzzLocalNameRoundTrip(f *testing.F) {
	for _, s := range []string{"", ".", "..", "../x", "a/b", "\x00", "‛", "‛／", "．．", "\xff", "‛FF", strings.Repeat("é", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, drive string) {
		local, short := localName(drive)
		checkLocal(t, drive, local)
		if LocalName(drive) != local {
			t.Fatalf("LocalName(%q) not deterministic", drive)
		}
		if !short {
			if back := DriveName(local); back != drive {
				t.Fatalf("DriveName(LocalName(%q)) = DriveName(%q) = %q", drive, local, back)
			}
		} else if len(drive) <= MaxNameBytes/5 {
			t.Fatalf("LocalName(%q) shortened a %d-byte name", drive, len(drive))
		}
		// Any string read as a local name maps to a Drive name whose
		// mapping is valid again.
		d := DriveName(drive)
		checkLocal(t, d, LocalName(d))
	})
}

func FuzzDedupe(f *testing.F) {
	f.Add("a.txt\na.txt\nA.TXT\n..\n．．", "abcdef\nABCDEF\nabcdeg", true)
	f.Add("x\nx (abcdef0).txt\nx\nx", "abcdef\n/\x00", false)
	f.Fuzz(func(t *testing.T, names, idStems string, ci bool) {
		list := strings.Split(names, "\n")
		if len(list) > 40 {
			list = list[:40]
		}
		stems := strings.Split(idStems, "\n")
		sibs := make([]Sibling, len(list))
		for i, n := range list {
			sibs[i] = Sibling{ID: fmt.Sprintf("%s%d", stems[i%len(stems)], i), Name: n, IsDir: i%3 == 0}
		}
		opts := Options{CaseInsensitive: ci}
		got := mustDedupe(t, sibs, nil, opts)
		rev := make([]Sibling, len(sibs))
		for i, s := range sibs {
			rev[len(sibs)-1-i] = s
		}
		if again := mustDedupe(t, rev, nil, opts); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("order changed names: %v vs %v", again, got)
		}
		if again := mustDedupe(t, sibs, got, opts); fmt.Sprint(again) != fmt.Sprint(got) {
			t.Fatalf("re-run with prev changed names: %v vs %v", again, got)
		}
		for drop := range sibs {
			rest := append(append([]Sibling{}, sibs[:drop]...), sibs[drop+1:]...)
			after := mustDedupe(t, rest, got, opts)
			for _, s := range rest {
				if after[s.ID] != got[s.ID] {
					t.Fatalf("dropping %q renamed %q: %q -> %q", sibs[drop].ID, s.ID, got[s.ID], after[s.ID])
				}
			}
		}
	})
}

func FuzzSafeJoin(f *testing.F) {
	root := tree(f, f.TempDir())
	for _, s := range []string{"a", "../x", "/abs", "out/x", "dir/up/out", "dir/upup", "dir/./../file", "a\\..\\..\\b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		got, err := SafeJoin(root, rel)
		if err != nil {
			return
		}
		r, err := filepath.Rel(root, got)
		if err != nil || (r != "." && !filepath.IsLocal(r)) {
			t.Fatalf("SafeJoin(%q) = %q: outside %q", rel, got, root)
		}
		// No existing component is a link, so resolving what exists
		// stays under root.
		p := root
		for _, part := range strings.Split(r, string(filepath.Separator)) {
			p = filepath.Join(p, part)
			fi, err := os.Lstat(p)
			if err != nil {
				break
			}
			if fi.Mode()&os.ModeSymlink != 0 {
				t.Fatalf("SafeJoin(%q) = %q passes through link %q", rel, got, p)
			}
		}
	})
}

func BenchmarkLocalName(b *testing.B) {
	for _, name := range []string{"Quarterly report 2026.pdf", "a/b\x00c‛／．" + strings.Repeat("é", 200)} {
		b.Run(fmt.Sprintf("%dB", len(name)), func(b *testing.B) {
			b.SetBytes(int64(len(name)))
			for b.Loop() {
				DriveName(LocalName(name))
			}
		})
	}
}

func BenchmarkDedupe(b *testing.B) {
	for _, n := range []int{20, 1000} {
		sibs := siblingsNamed("report.pdf", ids(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			prev, _ := Dedupe(sibs, nil, Options{})
			for b.Loop() {
				if _, err := Dedupe(sibs, prev, Options{CaseInsensitive: true}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
