package drive

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
)

// Create implements Remote.
func (c *Client) Create(ctx context.Context, parentID, name, src string) (File, error) {
	return c.upload(ctx, target{parentID: parentID, name: name}, src)
}

// Update implements Remote.
func (c *Client) Update(ctx context.Context, id, src string) (File, error) {
	return c.upload(ctx, target{fileID: id}, src)
}

// target is where an upload goes: a new file, or new content for one.
type target struct {
	parentID, name string // create
	fileID         string // update
}

func (t target) String() string {
	if t.fileID != "" {
		return t.fileID
	}
	return t.name
}

// upload sends src: in one multipart request when small, else through a
// resumable session. Either way the md5 Drive computes must match.
func (c *Client) upload(ctx context.Context, t target, src string) (File, error) {
	fh, err := os.Open(src)
	if err != nil {
		return File{}, wrap("upload", t.String(), localError{err}, true)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return File{}, wrap("upload", t.String(), localError{err}, true)
	}
	if !st.Mode().IsRegular() {
		return File{}, errorf("upload", t.String(), nil, "", "%s is not a regular file", src)
	}
	mt := mimeType(src)
	var res *drive.File
	var sum string
	if st.Size() <= c.opt.MultipartMax {
		res, sum, err = c.multipart(ctx, t, fh, st.Size(), st.ModTime(), mt)
	} else {
		res, sum, err = c.resumable(ctx, t, fh, st.Size(), st.ModTime(), mt)
	}
	if err != nil {
		return File{}, wrap("upload", t.String(), err, true)
	}
	f := fromAPI(res)
	if f.MD5 != sum {
		return f, errorf("upload", t.String(), ErrChecksum, "the file may have changed while it was sent; upload it again",
			"Drive has md5 %q for %s, the local file %s", f.MD5, src, sum)
	}
	return f, nil
}

// mimeType guesses a content type from the file name, as Drive would.
func mimeType(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// apiMeta is the metadata sent with new content.
func apiMeta(t target, id string, mtime time.Time) *drive.File {
	m := &drive.File{ModifiedTime: mtime.UTC().Format(time.RFC3339Nano)}
	if t.fileID == "" {
		m.Id, m.Name, m.Parents = id, t.name, []string{t.parentID}
	}
	return m
}

// multipart sends a small file in one request.
func (c *Client) multipart(ctx context.Context, t target, fh *os.File, size int64, mtime time.Time, mt string) (*drive.File, string, error) {
	data := make([]byte, size)
	if _, err := io.ReadFull(fh, data); err != nil {
		return nil, "", localError{fmt.Errorf("reading %s: %w", fh.Name(), err)}
	}
	s := md5.Sum(data)
	sum := hex.EncodeToString(s[:])
	media := func() (io.Reader, googleapi.MediaOption, googleapi.MediaOption) {
		return bytes.NewReader(data), googleapi.ContentType(mt), googleapi.ChunkSize(0)
	}
	if t.fileID != "" {
		var res *drive.File
		err := c.pacer.do(ctx, true, func(ctx context.Context) (err error) {
			r, o1, o2 := media()
			res, err = nonNil(c.svc.Files.Update(t.fileID, apiMeta(t, "", mtime)).Media(r, o1, o2).
				SupportsAllDrives(true).Fields(fileFields).Context(ctx).Do())
			return err
		})
		return res, sum, err
	}
	id, err := c.newID(ctx)
	if err != nil {
		return nil, "", err
	}
	meta := apiMeta(t, id, mtime)
	res, err := c.create(ctx, id, true, func(ctx context.Context) (*drive.File, error) {
		r, o1, o2 := media()
		return nonNil(c.svc.Files.Create(meta).Media(r, o1, o2).SupportsAllDrives(true).Fields(fileFields).Context(ctx).Do())
	})
	return res, sum, err
}
