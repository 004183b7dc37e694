package drive

import (
	"context"
	"sync"

	drive "google.golang.org/api/drive/v3"
)

// About implements Remote.
func (c *Client) About(ctx context.Context) (About, error) {
	var a *drive.About
	err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
		a, err = nonNil(c.svc.About.Get().Fields("user(emailAddress,displayName),storageQuota(limit,usage),maxUploadSize").Context(ctx).Do())
		return err
	})
	if err != nil {
		return About{}, wrap("about", "", err, false)
	}
	out := About{MaxUploadSize: a.MaxUploadSize}
	if a.User != nil {
		out.User, out.DisplayName = a.User.EmailAddress, a.User.DisplayName
	}
	if q := a.StorageQuota; q != nil {
		out.StorageLimit, out.StorageUsage = q.Limit, q.Usage
	}
	return out, nil
}

// Get implements Remote.
func (c *Client) Get(ctx context.Context, id string) (File, error) {
	var f *drive.File
	err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
		f, err = c.getAPI(ctx, id)
		return err
	})
	if err != nil {
		return File{}, wrap("get", id, err, false)
	}
	if err := checkItem(f); err != nil {
		return File{}, badReply("get", id, "%w", err)
	}
	return fromAPI(f), nil
}

// getAPI is one files.get, unpaced: callers pace it.
func (c *Client) getAPI(ctx context.Context, id string) (*drive.File, error) {
	return nonNil(c.svc.Files.Get(id).SupportsAllDrives(true).Fields(fileFields).Context(ctx).Do())
}

// Mkdir implements Remote.
func (c *Client) Mkdir(ctx context.Context, parentID, name string) (File, error) {
	id, err := c.newID(ctx)
	if err != nil {
		return File{}, wrap("mkdir", name, err, false)
	}
	meta := &drive.File{Id: id, Name: name, MimeType: FolderMime, Parents: []string{parentID}}
	f, err := c.create(ctx, id, false, func(ctx context.Context) (*drive.File, error) {
		return nonNil(c.svc.Files.Create(meta).SupportsAllDrives(true).Fields(fileFields).Context(ctx).Do())
	})
	if err != nil {
		return File{}, wrap("mkdir", name, err, false)
	}
	return fromAPI(f), nil
}

// create runs a files.create that names its own ID (from newID), so a
// retry after an attempt whose answer was lost cannot make a duplicate:
// Drive refuses the reused ID, and the file it names is the one the lost
// attempt made.
func (c *Client) create(ctx context.Context, id string, upload bool, fn func(ctx context.Context) (*drive.File, error)) (*drive.File, error) {
	var out *drive.File
	attempts := 0
	err := c.pacer.do(ctx, upload, func(ctx context.Context) error {
		attempts++
		f, err := fn(ctx)
		if err != nil && attempts > 1 {
			if s := classify(err, upload).status; s == 400 || s == 409 {
				if werr := c.pacer.wait(ctx); werr != nil {
					return werr
				}
				if got, gerr := c.getAPI(ctx, id); gerr == nil {
					f, err = got, nil
				}
			}
		}
		out = f
		return err
	})
	return out, err
}

// Move implements Remote.
func (c *Client) Move(ctx context.Context, id, fromParentID, toParentID, newName string) (File, error) {
	var f *drive.File
	err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
		call := c.svc.Files.Update(id, &drive.File{Name: newName}).SupportsAllDrives(true).Fields(fileFields).Context(ctx)
		if toParentID != "" && toParentID != fromParentID {
			call = call.AddParents(toParentID)
			if fromParentID != "" {
				call = call.RemoveParents(fromParentID)
			}
		}
		f, err = nonNil(call.Do())
		return err
	})
	if err != nil {
		return File{}, wrap("move", id, err, false)
	}
	return fromAPI(f), nil
}

// Trash implements Remote.
func (c *Client) Trash(ctx context.Context, id string) (File, error) {
	var f *drive.File
	err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
		f, err = nonNil(c.svc.Files.Update(id, &drive.File{Trashed: true}).SupportsAllDrives(true).Fields(fileFields).Context(ctx).Do())
		return err
	})
	if err != nil {
		return File{}, wrap("trash", id, err, false)
	}
	return fromAPI(f), nil
}

// idPool holds file IDs from files.generateIds, so creates can name their
// file and stay idempotent under retries.
type idPool struct {
	mu  sync.Mutex
	ids []string
}

const idBatch = 100

func (c *Client) newID(ctx context.Context) (string, error) {
	p := c.ids
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ids) == 0 {
		err := c.pacer.do(ctx, false, func(ctx context.Context) error {
			r, err := nonNil(c.svc.Files.GenerateIds().Count(idBatch).Space("drive").Type("files").Context(ctx).Do())
			if err != nil {
				return err
			}
			p.ids = append(p.ids, r.Ids...)
			return nil
		})
		if err != nil {
			return "", err
		}
		if len(p.ids) == 0 {
			return "", errorf("generate IDs", "", nil, "", "Drive returned no IDs")
		}
	}
	id := p.ids[len(p.ids)-1]
	p.ids = p.ids[:len(p.ids)-1]
	return id, nil
}
