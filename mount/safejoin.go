package mount

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrEscapesRoot is wrapped by SafeJoin's errors for paths that are absolute,
// climb out with "..", or pass through a symbolic link.
var ErrEscapesRoot = errors.New("path escapes the mount root")

// SafeJoin joins rel, a slash- or OS-separated path of local names, under
// root and returns the result, refusing anything that could land outside
// root: absolute paths, ".." climbing above root, NUL bytes, and any
// existing component that is a symbolic link (inside or outside pointing:
// the engine never follows links it did not make). Components that do not
// exist yet are fine. An empty rel is an error; "." is root itself.
//
// The existing components are examined through an os.Root opened on root, so
// the check itself cannot be redirected outside root by a link or a
// concurrent rename. The returned string is only as safe as the moment of the
// check; code that writes should do so through an os.Root as well.
func SafeJoin(root, rel string) (string, error) {
	if rel == "" {
		return "", fmt.Errorf("mount: empty path under %q", root)
	}
	if strings.IndexByte(rel, 0) >= 0 {
		return "", fmt.Errorf("mount: path %q under %q: contains NUL: %w", rel, root, ErrEscapesRoot)
	}
	clean := filepath.Clean(filepath.FromSlash(rel))
	if !filepath.IsLocal(clean) {
		return "", fmt.Errorf("mount: path %q under %q: %w", rel, root, ErrEscapesRoot)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return "", fmt.Errorf("mount: path %q: open root: %w", rel, err)
	}
	defer r.Close()
	prefix := ""
	for _, part := range strings.Split(clean, string(filepath.Separator)) {
		if part == "." {
			continue
		}
		prefix = filepath.Join(prefix, part)
		fi, err := r.Lstat(prefix)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", fmt.Errorf("mount: path %q under %q: %w", rel, root, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return "", fmt.Errorf("mount: path %q under %q: %q is a symbolic link: %w", rel, root, prefix, ErrEscapesRoot)
		}
		if !fi.IsDir() {
			break // a later component cannot exist under a file
		}
	}
	return filepath.Join(root, clean), nil
}
