package drive

import (
	"context"
	"strings"

	drive "google.golang.org/api/drive/v3"
)

// quote writes s as a string literal of files.list's q language:
// single-quoted, with backslash and quote escaped.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\'' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
	return b.String()
}

// splitPath cuts a slash-separated path into names, ignoring empty and
// "." components.
func splitPath(p string) []string {
	var out []string
	for _, n := range strings.Split(p, "/") {
		if n != "" && n != "." {
			out = append(out, n)
		}
	}
	return out
}

// scope is the corpus queries about a folder's children run in.
type scope struct{ driveID string }

func (s scope) apply(call *drive.FilesListCall) *drive.FilesListCall {
	call = call.SupportsAllDrives(true)
	if s.driveID != "" {
		call = call.Corpora("drive").DriveId(s.driveID).IncludeItemsFromAllDrives(true)
	}
	return call
}

// ResolvePath implements Remote.
func (c *Client) ResolvePath(ctx context.Context, rootID, path string) (File, error) {
	cur, err := c.Get(ctx, rootID)
	if err != nil {
		return File{}, err
	}
	names := splitPath(path)
	for i, name := range names {
		if cur.IsShortcut() && cur.ShortcutTargetMime == FolderMime {
			if cur, err = c.resolveShortcut(ctx, cur); err != nil {
				return File{}, wrap("resolve", path, err, false)
			}
		}
		if !cur.IsFolder() {
			return File{}, errorf("resolve", path, ErrNotFound, "", "%q is not a folder", strings.Join(names[:i], "/"))
		}
		// Drive compares names case-insensitively: keep exact matches.
		q := "name = " + quote(name) + " and " + quote(cur.ID) + " in parents and trashed = false"
		var found []*drive.File
		tok, seen := "", tokens{}
		for {
			var res *drive.FileList
			err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
				call := c.svc.Files.List().Q(q).PageSize(100).Fields("nextPageToken,files(" + fileFields + ")").Context(ctx)
				if tok != "" {
					call = call.PageToken(tok)
				}
				res, err = nonNil(scope{cur.DriveID}.apply(call).Do())
				return err
			})
			if err != nil {
				return File{}, wrap("resolve", path, err, false)
			}
			if err := checkItems(res.Files); err != nil {
				return File{}, badReply("resolve", path, "%w", err)
			}
			for _, f := range res.Files {
				if f.Name == name {
					found = append(found, f)
				}
			}
			if tok = res.NextPageToken; tok == "" {
				break
			}
			if err := seen.next(tok); err != nil {
				return File{}, badReply("resolve", path, "%w", err)
			}
		}
		switch len(found) {
		case 0:
			return File{}, errorf("resolve", path, ErrNotFound, "check the path; names are case-sensitive", "no %q in %q", name, strings.Join(names[:i], "/"))
		case 1:
			cur = fromAPI(found[0])
		default:
			ids := make([]string, len(found))
			for j, f := range found {
				ids[j] = f.Id
			}
			return File{}, errorf("resolve", path, ErrAmbiguous, "rename the duplicates in Drive, or use an ID", "%d items are named %q: %s", len(ids), strings.Join(names[:i+1], "/"), strings.Join(ids, ", "))
		}
	}
	return cur, nil
}
