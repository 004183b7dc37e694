package glob

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// node is one entry of a generated test tree.
type node struct {
	path string
	dir  bool
}

// Names chosen to hit every corner of the matching rules: hidden names, wildcard and brace
// characters, spaces, backslashes, control characters, NFC and NFD spellings of the same word,
// the fullwidth slash drivesync maps "/" to, and names that differ only in case.
var (
	treeDirNames = []string{
		"data", "images", "train", "val", "test", "cat", "Cat", "dog", "a", "b", "ab", "abc",
		"x1", "x10", "with space", "[brackets]", "br[a", "b]r", "star*", "what?", "braces{a,b}",
		"{x}", "-dash", "!bang", "^caret", "a,b", `back\slash`, "caf\u00e9", "cafe\u0301", "日本語",
		"emoji😀", "a／b", "ａｂｃ", ".hidden", ".git", "..dots", ".cache", "tab\tdir", "ß", "İ", "ﬁle",
		"saved", "models", "ckpts", "empty",
	}
	treeStems = []string{
		"img", "IMG", "photo (1)", "photo", "a", "b", "readme", "README", "Readme", "notes", "model",
		".env", ".a", "x?y", "x*y", "[1]", "q[", "]", "caf\u00e9", "cafe\u0301", "日本", "nl\nname",
		"tab\tname", "dot.dot", "-f", "!f", "{a,b}", "ends.", "ckpt-7", "model.ckpt-100", "weights",
		"a／b", "Ω", "zz",
	}
	treeExts = []string{
		".jpg", ".JPG", ".jpeg", ".png", ".PNG", ".gif", ".webp", ".tiff", ".txt", ".json", ".h5",
		".ckpt", ".pt", ".safetensors", "", ".tar.gz", ".index", ".data-00000-of-00001",
	}
)

// genTree returns a deterministic tree of roughly n entries, parents before children.
func genTree(seed uint64, n int) []node {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []node
	seen := map[string]bool{}
	add := func(p string, dir bool) bool {
		if seen[p] {
			return false
		}
		seen[p] = true
		out = append(out, node{p, dir})
		return true
	}
	join := func(d, name string) string {
		if d == "" {
			return name
		}
		return d + "/" + name
	}
	// Fixed landmarks: a deep chain, empty folders, hidden folders, a SavedModel.
	deep := "deep"
	add(deep, true)
	for i := 1; i <= 12; i++ {
		deep += "/d" + strconv.Itoa(i)
		add(deep, true)
	}
	add(deep+"/leaf.jpg", false)
	for _, l := range []node{
		{"empty", true}, {"emptyparent", true}, {"emptyparent/empty1", true}, {"emptyparent/empty2", true},
		{".hidden", true}, {".hidden/sub", true}, {".hidden/sub/x.jpg", false}, {".hidden/y.jpg", false},
		{"data", true}, {"data/.git", true}, {"data/.git/config", false}, {"data/x.txt", false},
		{"saved", true}, {"saved/m1", true}, {"saved/m1/saved_model.pb", false},
		{"saved/m1/variables", true}, {"saved/m1/variables/variables.index", false},
	} {
		add(l.path, l.dir)
	}
	var grow func(dir string, depth int)
	grow = func(dir string, depth int) {
		if len(out) >= n {
			return
		}
		for range rng.IntN(10) {
			name := treeStems[rng.IntN(len(treeStems))] + treeExts[rng.IntN(len(treeExts))]
			add(join(dir, name), false)
		}
		if depth >= 6 {
			return
		}
		k := rng.IntN(5)
		if depth == 0 {
			k = 30
		}
		for range k {
			name := treeDirNames[rng.IntN(len(treeDirNames))]
			p := join(dir, name)
			if add(p, true) && name != "empty" {
				grow(p, depth+1)
			}
		}
	}
	grow("", 0)
	return out
}

// writeTree creates nodes under root, every file with a distinct size and modification time.
func writeTree(t *testing.T, root string, nodes []node) {
	t.Helper()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, nd := range nodes {
		p := filepath.Join(root, filepath.FromSlash(nd.path))
		if nd.dir {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, make([]byte, i%97), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

// indexFromDisk builds an index by walking root, the way a complete mirror would be indexed.
func indexFromDisk(t *testing.T, root string) *MemIndex {
	t.Helper()
	var es []Entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := Entry{Path: filepath.ToSlash(rel), Dir: d.IsDir(), ModTime: info.ModTime(), ID: "id:" + rel}
		if !e.Dir {
			e.Size = info.Size()
		}
		es = append(es, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := NewMemIndex(es)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// indexFromNodes builds the same index without touching the disk.
func indexFromNodes(t testing.TB, nodes []node) *MemIndex {
	t.Helper()
	es := make([]Entry, len(nodes))
	for i, nd := range nodes {
		es[i] = Entry{Path: nd.path, Dir: nd.dir}
	}
	ix, err := NewMemIndex(es)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestGenTreeOnDiskRoundTrip(t *testing.T) {
	nodes := genTree(1, 600)
	root := t.TempDir()
	writeTree(t, root, nodes)
	got := indexFromDisk(t, root)
	want := indexFromNodes(t, nodes)
	if got.Len() != want.Len() {
		t.Fatalf("disk has %d entries, generated %d", got.Len(), want.Len())
	}
	for i := range got.entries {
		g, w := got.entries[i], want.entries[i]
		if g.Path != w.Path || g.Dir != w.Dir {
			t.Fatalf("entry %d: disk %q dir=%v, generated %q dir=%v", i, g.Path, g.Dir, w.Path, w.Dir)
		}
	}
	if !slices.ContainsFunc(got.entries, func(e Entry) bool { return strings.Contains(e.Path, "cafe\u0301") }) {
		t.Fatal("tree lacks the NFD name")
	}
}
