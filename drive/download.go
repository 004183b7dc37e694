package drive

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"os"
)

// Download implements Remote.
//
// Files of at least Options.RangedMin bytes are fetched in
// Options.RangedStreams parallel ranged streams and hashed once complete;
// smaller ones in one stream hashed on the fly. Either way a broken
// stream resumes with Range from the last byte written.
func (c *Client) Download(ctx context.Context, f File, dst string, opt DownloadOptions) (File, error) {
	var err error
	if f.MimeType == "" { // only an ID: fetch the metadata
		if f, err = c.Get(ctx, f.ID); err != nil {
			return File{}, err
		}
	}
	if f.IsShortcut() {
		if f, err = c.resolveShortcut(ctx, f); err != nil {
			return File{}, err
		}
	}
	switch {
	case f.IsFolder():
		return File{}, errorf("download", f.ID, ErrNotDownloadable, "", "%q is a folder", f.Name)
	case f.IsNative() && !opt.Export:
		return File{}, errorf("download", f.ID, ErrNotDownloadable, "ask for an export (DownloadOptions.Export)",
			"%q is a Google Docs Editors file (%s) with no content of its own", f.Name, f.MimeType)
	case f.IsNative():
		return f, wrap("export", f.ID, c.export(ctx, f, dst), false)
	}
	for try := 0; ; try++ {
		err := c.fetch(ctx, f, dst)
		if !errors.Is(err, ErrChecksum) || try > 0 {
			return f, wrap("download", f.ID, err, false)
		}
		// The content may have changed on Drive since f was listed: take
		// the current metadata and try once more.
		fresh, gerr := c.Get(ctx, f.ID)
		if gerr != nil {
			return f, err
		}
		c.log.Debug("drive: md5 mismatch; downloading again", "file", f.ID, "was", f.MD5, "now", fresh.MD5)
		f = fresh
	}
}

// fetch downloads f's content into a temp file beside dst, checks it and
// renames it into place.
func (c *Client) fetch(ctx context.Context, f File, dst string) error {
	tmp, err := tempBeside(dst)
	if err != nil {
		return err
	}
	var sum string
	if f.Size >= c.opt.RangedMin && c.opt.RangedStreams > 1 {
		sum, err = c.fetchRanged(ctx, f, tmp)
		if errors.Is(err, errNoRanges) {
			c.log.Debug("drive: server ignores Range; downloading in one stream", "file", f.ID)
			if err = tmp.Truncate(0); err == nil {
				sum, err = c.fetchStream(ctx, f, tmp)
			}
		}
	} else {
		sum, err = c.fetchStream(ctx, f, tmp)
	}
	if err == nil && f.MD5 != "" && sum != f.MD5 {
		err = errorf("download", f.ID, ErrChecksum, "the transfer was corrupted; sync again",
			"content of %q has md5 %s, Drive says %s", f.Name, sum, f.MD5)
	}
	if err != nil {
		discard(tmp)
		return err
	}
	return commit(tmp, dst, f.ModTime)
}

// fetchStream downloads f in one stream, resuming with Range after a
// break, and returns the content's md5.
func (c *Client) fetchStream(ctx context.Context, f File, tmp *os.File) (string, error) {
	var off int64
	h := md5.New()
	err := c.pacer.do(ctx, false, func(ctx context.Context) error {
		if off > 0 && off >= f.Size {
			return nil
		}
		g := c.guard(ctx)
		defer g.stop()
		call := c.svc.Files.Get(f.ID).SupportsAllDrives(true).Context(g.ctx)
		if off > 0 {
			call.Header().Set("Range", fmt.Sprintf("bytes=%d-", off))
		}
		resp, err := call.Download()
		if err != nil {
			if off > 0 && classify(err, false).status == http.StatusRequestedRangeNotSatisfiable {
				return nil // nothing after off: the md5 check decides
			}
			return g.cause(err)
		}
		defer resp.Body.Close()
		if off > 0 && resp.StatusCode != http.StatusPartialContent {
			// The whole content came again: start over.
			if err := tmp.Truncate(0); err != nil {
				return localError{err}
			}
			off = 0
			h.Reset()
		}
		n, err := copyAt(tmp, off, resp.Body, h, g)
		off += n
		if err != nil {
			err = g.cause(err)
			if n > 0 {
				return progressError{err}
			}
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// export writes a native file's Office rendering to dst. Exports are made
// on the fly, so a broken one starts again from the beginning.
func (c *Client) export(ctx context.Context, f File, dst string) error {
	mt, _, ok := ExportFormat(f.MimeType)
	if !ok {
		return errorf("export", f.ID, ErrNotDownloadable, "", "no Office format for %s", f.MimeType)
	}
	tmp, err := tempBeside(dst)
	if err != nil {
		return err
	}
	err = c.pacer.do(ctx, false, func(ctx context.Context) error {
		if err := tmp.Truncate(0); err != nil {
			return localError{err}
		}
		g := c.guard(ctx)
		defer g.stop()
		resp, err := c.svc.Files.Export(f.ID, mt).Context(g.ctx).Download()
		if err != nil {
			return g.cause(err)
		}
		defer resp.Body.Close()
		_, err = copyAt(tmp, 0, resp.Body, nil, g)
		return g.cause(err)
	})
	if err != nil {
		discard(tmp)
		return err
	}
	return commit(tmp, dst, f.ModTime)
}

// hashFile returns the md5 of the first n bytes of f.
func hashFile(f *os.File, n int64) (string, error) {
	h := md5.New()
	if err := hashRange(h, f, 0, n); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashRange feeds bytes [from, to) of f into h.
func hashRange(h hash.Hash, f *os.File, from, to int64) error {
	buf := make([]byte, 1<<20)
	for off := from; off < to; {
		n, err := f.ReadAt(buf[:min(int64(len(buf)), to-off)], off)
		h.Write(buf[:n])
		off += int64(n)
		if err != nil && off < to {
			return localError{err}
		}
	}
	return nil
}
