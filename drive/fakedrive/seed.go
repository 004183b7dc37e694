package fakedrive

import (
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Import copies a local folder tree into My Drive (under parentID, or the
// root when empty): folders become folders, files become files with their
// content and modification time. It returns how many items it created.
// A drive restored from StateDir is not seeded again by the CLI; Import
// itself always adds.
func (sv *Server) Import(dir string, parentID string) (int, error) {
	return sv.ImportFS(os.DirFS(dir), parentID)
}

// ImportFS is Import over any fs.FS (the demo seeds from an embedded one).
func (sv *Server) ImportFS(fsys fs.FS, parentID string) (int, error) {
	st := sv.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if parentID == "" {
		parentID = st.rootID
	}
	parentID = st.resolve(parentID)
	if p := st.files[parentID]; p == nil || !p.isFolder() {
		return 0, fmt.Errorf("fakedrive: import: parent %q is not a folder", parentID)
	}
	ids := map[string]string{".": parentID}
	n := 0
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("fakedrive: import %s: %w", p, err)
		}
		if p == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("fakedrive: import %s: %w", p, err)
		}
		parent := ids[path.Dir(p)]
		mt := info.ModTime().UTC().Truncate(time.Millisecond)
		f := &file{ID: newID(), Name: d.Name(), Parents: []string{parent}, CreatedTime: mt, ModifiedTime: mt, Owner: sv.opt.User}
		switch {
		case d.IsDir():
			f.MimeType = FolderMime
			ids[p] = f.ID
		case d.Type().IsRegular():
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("fakedrive: import %s: %w", p, err)
			}
			f.MimeType = mimeByName(d.Name())
			if e := sv.setContent(f, &content{data: data, mime: f.MimeType}, false); e != nil {
				return fmt.Errorf("fakedrive: import %s: %w", filepath.FromSlash(p), e)
			}
		default:
			return nil // symlinks and devices are not Drive content
		}
		st.insert(f)
		st.touched(f)
		n++
		return nil
	})
	return n, err
}

// mimeByName guesses a type from the extension, as Drive does for uploads
// that name none.
func mimeByName(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".h5", ".hdf5", ".keras", ".pt", ".pth", ".ckpt", ".safetensors", ".npy", ".npz":
		return "application/octet-stream"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		return t
	}
	return "application/octet-stream"
}

// Empty reports whether My Drive holds nothing yet.
func (sv *Server) Empty() bool {
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	return len(sv.st.children[sv.st.rootID]) == 0
}
