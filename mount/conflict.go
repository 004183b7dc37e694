package mount

import (
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drivesync/drivesync/cache"
)

// maxExtBytes is the longest suffix conflictName keeps as an extension
// (dot included). A longer one is not a real extension ("run.00000…") and
// keeping it whole could leave no room to shorten the name to 255 bytes.
const maxExtBytes = 32

// conflictName is the name of the conflict copy of name, detected at t on
// host: "name.conflict-YYYYMMDD-HHMMSS-HOST.ext" (UTC), the extension (up
// to maxExtBytes) kept last so the copy still opens with the same program.
func conflictName(name string, t time.Time, host string) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" { // ".bashrc": all extension
		stem, ext = name, ""
	}
	host = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, host)
	for len(host) > 32 {
		_, n := utf8.DecodeLastRuneInString(host)
		host = host[:len(host)-n]
	}
	tag := fmt.Sprintf(".conflict-%s-%s", t.UTC().Format("20060102-150405"), host)
	if len(ext) > maxExtBytes {
		stem, ext = stem+ext, ""
	}
	// Keep within MaxNameBytes: shorten the stem at a character boundary.
	for over := len(stem) + len(tag) + len(ext) - MaxNameBytes; over > 0 && stem != ""; over = len(stem) + len(tag) + len(ext) - MaxNameBytes {
		_, n := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-n]
	}
	return stem + tag + ext
}

var conflictRE = regexp.MustCompile(`\.conflict-\d{8}-\d{6}-`)

// isConflictCopy reports whether name is a conflict copy's. A file
// renamed to one is never taken for a user's rename (R2): after a crash
// between the rename and the store update it must stay a new file.
func isConflictCopy(name string) bool { return conflictRE.MatchString(name) }

// conflict renames the local version at a.path to a conflict copy beside
// it (C4, C8). The next round downloads Drive's version to the name and
// uploads the copy as a new file.
func (m *Mount) conflict(a action, e *cache.Entry, r *result) error {
	src, err := m.abs(a.path)
	if err != nil {
		return err
	}
	now := m.cfg.Now()
	var rel string
	for i := 0; ; i++ {
		name := conflictName(path.Base(a.path), now, m.cfg.Host)
		if i > 0 {
			name = conflictName(path.Base(a.path), now, fmt.Sprintf("%s-%d", m.cfg.Host, i))
		}
		rel = path.Join(path.Dir(a.path), name)
		dst, err := m.abs(rel)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(dst); os.IsNotExist(err) {
			if err := os.Rename(src, dst); err != nil {
				return err
			}
			if exported(e) {
				// The user's copy of an export is theirs to edit (N7).
				os.Chmod(dst, 0o644)
			}
			break
		}
		if i > 100 {
			return fmt.Errorf("no free conflict name for %s", a.path)
		}
	}
	m.log.Warn("conflict: both sides changed; Drive's version keeps the name", "path", a.path, "copy", rel)
	r.conflict = rel
	if e.ID != "" && synced(e) {
		// The local side is gone from the name: not a rename (R2) to the
		// copy, just Drive's version to fetch again.
		e.Local = cache.LocalBase{}
		return m.put(*e, r)
	}
	return nil
}
