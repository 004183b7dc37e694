package imageload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// The listing semantics of keras.utils.image_dataset_from_directory
// (keras/src/utils/dataset_utils.py): index_directory, the seeded shuffle
// and get_training_or_validation_split.

// KerasFormats returns the extensions image_dataset_from_directory lists.
func KerasFormats() []string { return []string{".bmp", ".gif", ".jpeg", ".jpg", ".png"} }

// Dataset is a list of image paths with their labels.
type Dataset struct {
	Paths []string
	// Labels are class indices into ClassNames (nil when not inferred).
	Labels     []int
	ClassNames []string
}

// IndexOptions are index_directory's arguments.
type IndexOptions struct {
	// Inferred labels: one class per non-hidden subdirectory of the root,
	// sorted, unless ClassNames gives them (and their order).
	Inferred   bool
	ClassNames []string
	// Formats is the extension allowlist (nil: KerasFormats()).
	Formats []string
}

// IndexDirectory lists root in fsys the way index_directory does: with
// inferred labels, each class subfolder is walked recursively (directories
// in sorted order, files sorted within each) and labelled by its class's
// index; without, the whole tree is walked from the root. Paths are
// joined with "/" onto root. Files that are not listed in Formats are
// skipped. fsys nil means the OS file system.
func IndexDirectory(fsys fs.FS, root string, o IndexOptions) (Dataset, error) {
	if fsys != nil {
		return indexFS(fsys, root, o)
	}
	d, err := indexFS(os.DirFS(root), ".", o)
	for i, p := range d.Paths {
		d.Paths[i] = filepath.Join(root, filepath.FromSlash(p))
	}
	return d, err
}

func indexFS(fsys fs.FS, root string, o IndexOptions) (Dataset, error) {
	formats := o.Formats
	if formats == nil {
		formats = KerasFormats()
	}
	var d Dataset
	subdirs := []string{""}
	if o.Inferred {
		ents, err := fs.ReadDir(fsys, root)
		if err != nil {
			return d, fmt.Errorf("index %s: %w", root, err)
		}
		var found []string
		for _, e := range ents {
			if isDir(fsys, path.Join(root, e.Name()), e) && !strings.HasPrefix(e.Name(), ".") {
				found = append(found, e.Name())
			}
		}
		sort.Strings(found)
		subdirs = found
		if o.ClassNames != nil {
			have := map[string]bool{}
			for _, s := range found {
				have[s] = true
			}
			for _, c := range o.ClassNames {
				if !have[c] {
					return d, fmt.Errorf("index %s: class name %q is not a subdirectory (have %v)", root, c, found)
				}
			}
			subdirs = o.ClassNames
		}
		d.ClassNames = append([]string(nil), subdirs...)
	} else if o.ClassNames != nil {
		return d, errors.New("index: class names need inferred labels")
	}
	for label, sub := range subdirs {
		dir := path.Join(root, sub)
		files, err := walkSorted(fsys, dir, formats)
		if err != nil {
			return d, err
		}
		d.Paths = append(d.Paths, files...)
		if o.Inferred {
			for range files {
				d.Labels = append(d.Labels, label)
			}
		}
	}
	return d, nil
}

func isDir(fsys fs.FS, name string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		st, err := fs.Stat(fsys, name)
		return err == nil && st.IsDir()
	}
	return false
}

// walkSorted is iter_valid_files: os.walk's directories sorted by path
// (symlinked directories not followed), files sorted within each.
func walkSorted(fsys fs.FS, dir string, formats []string) ([]string, error) {
	type entry struct {
		root  string
		files []string
	}
	var dirs []entry
	var walk func(d string) error
	walk = func(d string) error {
		ents, err := fs.ReadDir(fsys, d)
		if err != nil {
			return fmt.Errorf("index %s: %w", d, err)
		}
		e := entry{root: d}
		for _, ent := range ents {
			p := path.Join(d, ent.Name())
			switch {
			case ent.IsDir():
				if err := walk(p); err != nil {
					return err
				}
			case isDir(fsys, p, ent): // a symlink to a directory: os.walk lists it as a dir, not descended
			default:
				e.files = append(e.files, ent.Name())
			}
		}
		dirs = append(dirs, e)
		return nil
	}
	if err := walk(dir); err != nil {
		return nil, err
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].root < dirs[j].root })
	var out []string
	for _, e := range dirs {
		sort.Strings(e.files)
		for _, f := range e.files {
			if hasFormat(f, formats) {
				out = append(out, path.Join(e.root, f))
			}
		}
	}
	return out, nil
}

func hasFormat(name string, formats []string) bool {
	l := strings.ToLower(name)
	for _, f := range formats {
		if strings.HasSuffix(l, f) {
			return true
		}
	}
	return false
}

// Shuffle permutes paths and labels as index_directory does:
// np.random.RandomState(seed).shuffle on each.
func (d *Dataset) Shuffle(seed uint32) {
	perm := shufflePermutation(len(d.Paths), seed)
	d.Paths = permute(d.Paths, perm)
	if d.Labels != nil {
		d.Labels = permute(d.Labels, perm)
	}
}

func permute[T any](s []T, perm []int) []T {
	out := make([]T, len(s))
	for i, p := range perm {
		out[i] = s[p]
	}
	return out
}

// shufflePermutation returns where each position's element comes from
// after RandomState(seed).shuffle(list(range(n))).
func shufflePermutation(n int, seed uint32) []int {
	x := make([]int, n)
	for i := range x {
		x[i] = i
	}
	r := newMT19937(seed)
	for i := n - 1; i >= 1; i-- {
		j := r.interval(uint32(i))
		x[i], x[j] = x[j], x[i]
	}
	return x
}

// Split is get_training_or_validation_split: the last
// int(validationSplit × N) items are the validation subset, the rest
// training. subset is "training" or "validation".
func (d Dataset) Split(validationSplit float64, subset string) (Dataset, error) {
	if validationSplit == 0 {
		if subset != "" {
			return d, errors.New("a subset needs a validation split")
		}
		return d, nil
	}
	if !(validationSplit > 0 && validationSplit < 1) {
		return d, fmt.Errorf("validation split %v: must be between 0 and 1", validationSplit)
	}
	nval := int(validationSplit * float64(len(d.Paths)))
	out := Dataset{ClassNames: d.ClassNames}
	// Python's samples[:-0] is empty and samples[-0:] is everything.
	cut := len(d.Paths) - nval
	if nval == 0 {
		cut = 0
	}
	switch subset {
	case "training":
		out.Paths = d.Paths[:cut:cut]
		if d.Labels != nil {
			out.Labels = d.Labels[:cut:cut]
		}
	case "validation":
		out.Paths = d.Paths[cut:]
		if d.Labels != nil {
			out.Labels = d.Labels[cut:]
		}
	default:
		return d, fmt.Errorf("subset %q: want training or validation", subset)
	}
	return out, nil
}

// mt19937 is NumPy's legacy RandomState generator (Mersenne Twister,
// init_genrand seeding) with its random_interval (masked rejection).
type mt19937 struct {
	mt  [624]uint32
	idx int
}

func newMT19937(seed uint32) *mt19937 {
	r := &mt19937{idx: 624}
	r.mt[0] = seed
	for i := 1; i < 624; i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	return r
}

func (r *mt19937) uint32() uint32 {
	if r.idx >= 624 {
		for i := 0; i < 624; i++ {
			y := (r.mt[i] & 0x80000000) | (r.mt[(i+1)%624] & 0x7fffffff)
			v := r.mt[(i+397)%624] ^ (y >> 1)
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[i] = v
		}
		r.idx = 0
	}
	y := r.mt[r.idx]
	r.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// interval returns a uniform integer in [0, max].
func (r *mt19937) interval(max uint32) int {
	if max == 0 {
		return 0
	}
	mask := max
	mask |= mask >> 1
	mask |= mask >> 2
	mask |= mask >> 4
	mask |= mask >> 8
	mask |= mask >> 16
	for {
		if v := r.uint32() & mask; v <= max {
			return int(v)
		}
	}
}
