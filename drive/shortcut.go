package drive

import (
	"context"
	"strings"
)

// maxShortcutHops bounds a chain of shortcuts to shortcuts.
const maxShortcutHops = 8

// resolveShortcut follows f (a shortcut) to the file it points to,
// through further shortcuts, refusing loops and overlong chains.
func (c *Client) resolveShortcut(ctx context.Context, f File) (File, error) {
	seen := map[string]bool{f.ID: true}
	chain := []string{f.ID}
	for f.IsShortcut() {
		if f.ShortcutTarget == "" {
			return File{}, errorf("follow shortcut", f.ID, ErrNotFound, "", "shortcut %q has no target", f.Name)
		}
		if seen[f.ShortcutTarget] || len(chain) > maxShortcutHops {
			return File{}, errorf("follow shortcut", chain[0], ErrShortcutLoop, "replace the shortcut with one to the file itself",
				"%s -> %s", strings.Join(chain, " -> "), f.ShortcutTarget)
		}
		t, err := c.Get(ctx, f.ShortcutTarget)
		if err != nil {
			return File{}, err
		}
		seen[t.ID] = true
		chain = append(chain, t.ID)
		f = t
	}
	return f, nil
}
