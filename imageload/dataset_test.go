package imageload

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestShuffleMatchesNumPy: np.random.RandomState(seed).shuffle, recorded by
// gen_goldens.py.
func TestShuffleMatchesNumPy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "dataset.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Shuffles []struct {
			N    int
			Seed uint32
			Perm []int
		}
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Shuffles) == 0 {
		t.Fatal("no shuffles in dataset.json")
	}
	for _, s := range g.Shuffles {
		if got := shufflePermutation(s.N, s.Seed); !reflect.DeepEqual(got, s.Perm) {
			t.Errorf("n=%d seed=%d: %v..., numpy %v...", s.N, s.Seed, head(got), head(s.Perm))
		}
	}
}

func head(s []int) []int { return s[:min(len(s), 8)] }

func testTree() fstest.MapFS {
	f := &fstest.MapFile{Data: []byte("x")}
	return fstest.MapFS{
		"data/cats/b.jpg":         f,
		"data/cats/a.PNG":         f,
		"data/cats/notes.txt":     f,
		"data/cats/deep/z.jpg":    f,
		"data/cats/c.jpeg":        f,
		"data/dogs/1.bmp":         f,
		"data/dogs/0.gif":         f,
		"data/.hidden/x.jpg":      f,
		"data/top.jpg":            f,
		"data/birds/sub/more.jpg": f,
	}
}

func TestIndexDirectory(t *testing.T) {
	tests := []struct {
		name       string
		o          IndexOptions
		paths      []string
		labels     []int
		classNames []string
		wantErr    bool
	}{
		{
			name: "inferred",
			o:    IndexOptions{Inferred: true},
			// Classes sorted; within a class, the root's files first (sorted),
			// then each subdirectory's, as os.walk sorted by root gives them.
			paths:      []string{"data/birds/sub/more.jpg", "data/cats/a.PNG", "data/cats/b.jpg", "data/cats/c.jpeg", "data/cats/deep/z.jpg", "data/dogs/0.gif", "data/dogs/1.bmp"},
			labels:     []int{0, 1, 1, 1, 1, 2, 2},
			classNames: []string{"birds", "cats", "dogs"},
		},
		{
			name:       "class names give order and subset",
			o:          IndexOptions{Inferred: true, ClassNames: []string{"dogs", "cats"}},
			paths:      []string{"data/dogs/0.gif", "data/dogs/1.bmp", "data/cats/a.PNG", "data/cats/b.jpg", "data/cats/c.jpeg", "data/cats/deep/z.jpg"},
			labels:     []int{0, 0, 1, 1, 1, 1},
			classNames: []string{"dogs", "cats"},
		},
		{
			name:  "no labels walks everything",
			o:     IndexOptions{},
			paths: []string{"data/top.jpg", "data/.hidden/x.jpg", "data/birds/sub/more.jpg", "data/cats/a.PNG", "data/cats/b.jpg", "data/cats/c.jpeg", "data/cats/deep/z.jpg", "data/dogs/0.gif", "data/dogs/1.bmp"},
		},
		{name: "unknown class", o: IndexOptions{Inferred: true, ClassNames: []string{"fish"}}, wantErr: true},
		{name: "class names without labels", o: IndexOptions{ClassNames: []string{"cats"}}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := IndexDirectory(testTree(), "data", tt.o)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(d.Paths, tt.paths) {
				t.Errorf("paths\n got %q\nwant %q", d.Paths, tt.paths)
			}
			if !reflect.DeepEqual(d.Labels, tt.labels) {
				t.Errorf("labels %v, want %v", d.Labels, tt.labels)
			}
			if !reflect.DeepEqual(d.ClassNames, tt.classNames) {
				t.Errorf("class names %v, want %v", d.ClassNames, tt.classNames)
			}
		})
	}
}

func TestIndexDirectoryOS(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/1.jpg", "a/2.png", "b/3.gif"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte("x"), 0o644)
	}
	d, err := IndexDirectory(nil, dir, IndexOptions{Inferred: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a/1.jpg"), filepath.Join(dir, "a/2.png"), filepath.Join(dir, "b/3.gif")}
	if !reflect.DeepEqual(d.Paths, want) || !reflect.DeepEqual(d.Labels, []int{0, 0, 1}) {
		t.Errorf("got %v %v", d.Paths, d.Labels)
	}
}

func TestSplit(t *testing.T) {
	d := Dataset{Paths: []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}, Labels: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	tests := []struct {
		split   float64
		subset  string
		want    []string
		wantErr bool
	}{
		{0.2, "training", []string{"0", "1", "2", "3", "4", "5", "6", "7"}, false},
		{0.2, "validation", []string{"8", "9"}, false},
		{0.25, "validation", []string{"8", "9"}, false}, // int(2.5) = 2
		{0.05, "training", []string{}, false},           // samples[:-0] is empty in Python
		{0.05, "validation", d.Paths, false},            // samples[-0:] is everything
		{0, "", d.Paths, false},
		{1.5, "training", nil, true},
		{0.2, "both", nil, true},
		{0, "training", nil, true},
	}
	for _, tt := range tests {
		got, err := d.Split(tt.split, tt.subset)
		if (err != nil) != tt.wantErr {
			t.Errorf("Split(%v, %q): err %v", tt.split, tt.subset, err)
			continue
		}
		if err == nil && !reflect.DeepEqual(got.Paths, tt.want) && !(len(got.Paths) == 0 && len(tt.want) == 0) {
			t.Errorf("Split(%v, %q) = %v, want %v", tt.split, tt.subset, got.Paths, tt.want)
		}
		if err == nil && len(got.Labels) != len(got.Paths) {
			t.Errorf("Split(%v, %q): %d labels for %d paths", tt.split, tt.subset, len(got.Labels), len(got.Paths))
		}
	}
}

func TestShuffleKeepsPairs(t *testing.T) {
	d := Dataset{Paths: []string{"a", "b", "c", "d", "e"}, Labels: []int{0, 1, 2, 3, 4}}
	d.Shuffle(1)
	for i, p := range d.Paths {
		if int(p[0]-'a') != d.Labels[i] {
			t.Fatalf("pair broken at %d: %s/%d", i, p, d.Labels[i])
		}
	}
}
