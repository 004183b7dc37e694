package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

// errNoRanges is a server that answered a ranged request with the whole
// content.
var errNoRanges = errors.New("server ignores Range")

// fetchRanged downloads f in parallel ranged streams written in place,
// each resuming after a break, then hashes the result.
func (c *Client) fetchRanged(ctx context.Context, f File, tmp *os.File) (string, error) {
	if err := tmp.Truncate(f.Size); err != nil {
		return "", localError{err}
	}
	const align = 1 << 20
	part := (f.Size + int64(c.opt.RangedStreams) - 1) / int64(c.opt.RangedStreams)
	part = (part + align - 1) / align * align
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for from := int64(0); from < f.Size; from += part {
		to := min(from+part, f.Size)
		wg.Go(func() {
			if err := c.fetchRange(ctx, f, tmp, from, to); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		})
	}
	wg.Wait()
	if first != nil {
		return "", first
	}
	return hashFile(tmp, f.Size)
}

// fetchRange downloads bytes [from, to) of f into tmp at the same offsets.
func (c *Client) fetchRange(ctx context.Context, f File, tmp *os.File, from, to int64) error {
	off := from
	return c.pacer.do(ctx, false, func(ctx context.Context) error {
		if off >= to {
			return nil
		}
		g := c.guard(ctx)
		defer g.stop()
		call := c.svc.Files.Get(f.ID).SupportsAllDrives(true).Context(g.ctx)
		call.Header().Set("Range", fmt.Sprintf("bytes=%d-%d", off, to-1))
		resp, err := call.Download()
		if err != nil {
			if classify(err, false).status == http.StatusRequestedRangeNotSatisfiable {
				return errorf("download", f.ID, ErrChecksum, "", "content is shorter than the %d bytes listed", f.Size)
			}
			return g.cause(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent {
			return errNoRanges
		}
		n, err := copyAt(tmp, off, resp.Body, nil, g)
		off += n
		if err == nil && off < to {
			err = fmt.Errorf("range %d-%d ended at %d: %w", from, to, off, io.ErrUnexpectedEOF)
		}
		if err != nil {
			err = g.cause(err)
			if n > 0 {
				return progressError{err}
			}
		}
		return err
	})
}
