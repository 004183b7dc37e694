package drive

import (
	"context"
	"errors"
	"strings"
	"time"

	drive "google.golang.org/api/drive/v3"
)

// SharedDrive is a shared drive the account can see.
type SharedDrive struct {
	ID          string
	Name        string
	CreatedTime time.Time
}

// SharedDrive finds a shared drive by its ID or, failing that, by its exact
// name. Several drives with that name are ErrAmbiguous (the error lists
// their IDs); none is ErrNotFound.
func (c *Client) SharedDrive(ctx context.Context, idOrName string) (SharedDrive, error) {
	var d *drive.Drive
	err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
		d, err = nonNil(c.svc.Drives.Get(idOrName).Fields("id,name,createdTime").Context(ctx).Do())
		return err
	})
	if err == nil {
		if d.Id == "" {
			return SharedDrive{}, badReply("shared drive", idOrName, "the drive has no ID")
		}
		return fromDrive(d), nil
	}
	if e := wrap("shared drive", idOrName, err, false); !errors.Is(e, ErrNotFound) {
		return SharedDrive{}, e
	}
	var found []SharedDrive
	token, seen := "", tokens{}
	for {
		var l *drive.DriveList
		err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
			l, err = nonNil(c.svc.Drives.List().Q("name = " + quote(idOrName)).PageSize(100).PageToken(token).
				Fields("nextPageToken,drives(id,name,createdTime)").Context(ctx).Do())
			return err
		})
		if err != nil {
			return SharedDrive{}, wrap("shared drive", idOrName, err, false)
		}
		for _, d := range l.Drives {
			if d == nil || d.Id == "" {
				return SharedDrive{}, badReply("shared drive", idOrName, "a shared drive without an ID in the list")
			}
			if d.Name == idOrName { // Drive's name = is case-insensitive
				found = append(found, fromDrive(d))
			}
		}
		if token = l.NextPageToken; token == "" {
			break
		}
		if err := seen.next(token); err != nil {
			return SharedDrive{}, badReply("shared drive", idOrName, "%w", err)
		}
	}
	switch len(found) {
	case 0:
		return SharedDrive{}, errorf("shared drive", idOrName, ErrNotFound, "check the name with the Drive web app, or pass the drive's ID", "no shared drive has that ID or name")
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, d := range found {
		ids[i] = d.ID
	}
	return SharedDrive{}, errorf("shared drive", idOrName, ErrAmbiguous, "pass one of the IDs instead", "%d shared drives have that name: %s", len(found), strings.Join(ids, ", "))
}

func fromDrive(d *drive.Drive) SharedDrive {
	t, _ := time.Parse(time.RFC3339, d.CreatedTime)
	return SharedDrive{ID: d.Id, Name: d.Name, CreatedTime: t}
}
