package drive

import (
	"errors"
	"io/fs"
	"sort"
	"sync"
)

// Tree is a listing of everything below a folder. Children and Walk may
// be called from several goroutines; Files must not change once they are.
type Tree struct {
	Root       File
	Files      []File // every item below Root, not trashed, in no particular order
	Incomplete bool   // Drive said some results may be missing (incompleteSearch)

	// FollowedShortcuts says the folders that folder shortcuts point to
	// were listed too (ListOptions.FollowShortcuts), so Walk enters them.
	FollowedShortcuts bool

	once     sync.Once
	children map[string][]int // parent ID -> indexes in Files, sorted by name
}

// Children returns the items directly in folder id, sorted by name.
func (t *Tree) Children(id string) []File {
	t.index()
	idx := t.children[id]
	out := make([]File, len(idx))
	for i, j := range idx {
		out[i] = t.Files[j]
	}
	return out
}

// index builds the parent index once; Files must not change afterwards.
func (t *Tree) index() { t.once.Do(t.build) }

func (t *Tree) build() {
	t.children = map[string][]int{}
	for i, f := range t.Files {
		for _, p := range f.Parents {
			t.children[p] = append(t.children[p], i)
		}
	}
	for _, idx := range t.children {
		sort.Slice(idx, func(a, b int) bool {
			fa, fb := t.Files[idx[a]], t.Files[idx[b]]
			if fa.Name != fb.Name {
				return fa.Name < fb.Name
			}
			return fa.ID < fb.ID
		})
	}
}

// Walk calls fn for every item in the tree, depth first, children sorted
// by name, with its slash-separated path below the root. A folder comes
// before its contents; fn returning fs.SkipDir for a folder skips them
// (for anything else it is ignored),
// any other error stops the walk and is returned. When the tree was
// listed with FollowShortcuts, a shortcut to a folder is descended into
// like the folder, unless that folder is already on the path (a loop).
// Names are joined with "/" as Drive has them, never cleaned: names that
// local paths cannot hold ("a/b", "..", "", duplicates) reach fn as they
// are, and mapping them safely is the caller's business.
func (t *Tree) Walk(fn func(path string, f File) error) error {
	t.index()
	onPath := map[string]bool{t.Root.ID: true}
	var walk func(dir, id string) error
	walk = func(dir, id string) error {
		for _, j := range t.children[id] {
			f := t.Files[j]
			p := f.Name // raw: path.Join would clean "..", hiding it from the caller
			if dir != "" {
				p = dir + "/" + f.Name
			}
			err := fn(p, f)
			into := ""
			switch {
			case f.IsFolder():
				into = f.ID
			case t.FollowedShortcuts && f.IsShortcut() && f.ShortcutTargetMime == FolderMime:
				into = f.ShortcutTarget
			}
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			if err != nil {
				return err
			}
			if into == "" || onPath[into] {
				continue
			}
			onPath[into] = true
			err = walk(p, into)
			delete(onPath, into)
			if err != nil {
				return err
			}
		}
		return nil
	}
	return walk("", t.Root.ID)
}
