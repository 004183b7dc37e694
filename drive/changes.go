package drive

import (
	"context"
	"time"

	drive "google.golang.org/api/drive/v3"
)

const changeFields = "nextPageToken,newStartPageToken,changes(changeType,time,removed,fileId,driveId,file(" + fileFields + "))"

// StartPageToken implements Remote.
func (c *Client) StartPageToken(ctx context.Context, driveID string) (string, error) {
	var tok string
	err := c.pacer.do(ctx, false, func(ctx context.Context) error {
		call := c.svc.Changes.GetStartPageToken().SupportsAllDrives(true).Context(ctx)
		if driveID != "" {
			call = call.DriveId(driveID)
		}
		r, err := nonNil(call.Do())
		if err == nil {
			tok = r.StartPageToken
		}
		return err
	})
	if err != nil {
		return "", wrap("start page token", driveID, err, false)
	}
	if tok == "" {
		return "", badReply("start page token", driveID, "no startPageToken in the reply")
	}
	return tok, nil
}

// Changes implements Remote.
func (c *Client) Changes(ctx context.Context, driveID, token string) (ChangeSet, error) {
	var out ChangeSet
	at := map[string]int{} // file ID -> index in out.Changes, to keep one entry per file
	seen := tokens{}
	for token != "" {
		if err := seen.next(token); err != nil {
			return ChangeSet{}, badReply("changes", token, "%w", err)
		}
		var res *drive.ChangeList
		err := c.pacer.do(ctx, false, func(ctx context.Context) (err error) {
			call := c.svc.Changes.List(token).PageSize(pageSize).IncludeRemoved(true).SupportsAllDrives(true).
				Fields(changeFields).Context(ctx)
			if driveID != "" {
				call = call.DriveId(driveID).IncludeItemsFromAllDrives(true)
			}
			res, err = nonNil(call.Do())
			return err
		})
		if err != nil {
			return ChangeSet{}, wrap("changes", token, err, false)
		}
		for _, ch := range res.Changes {
			if err := checkChange(ch); err != nil {
				return ChangeSet{}, badReply("changes", token, "%w", err)
			}
			if ch.ChangeType != "" && ch.ChangeType != "file" {
				continue // a shared drive's own settings changed
			}
			out.add(at, toChange(ch))
		}
		if res.NextPageToken == "" && res.NewStartPageToken == "" {
			return ChangeSet{}, badReply("changes", token, "the last page has no newStartPageToken")
		}
		token = res.NextPageToken
		if token == "" {
			out.NewStartToken = res.NewStartPageToken
		}
	}
	return out, nil
}

// add appends ch, replacing an earlier entry for the same file (Drive may
// list a file again on a later page when it changed while we paged).
func (s *ChangeSet) add(at map[string]int, ch Change) {
	if i, ok := at[ch.FileID]; ok {
		s.Changes[i] = ch
		return
	}
	at[ch.FileID] = len(s.Changes)
	s.Changes = append(s.Changes, ch)
}

func toChange(ch *drive.Change) Change {
	out := Change{FileID: ch.FileId, Removed: ch.Removed || ch.File == nil, DriveID: ch.DriveId}
	if t, err := time.Parse(time.RFC3339Nano, ch.Time); err == nil {
		out.Time = t
	}
	if !out.Removed {
		out.File = fromAPI(ch.File)
	}
	return out
}
