package drive

import (
	"context"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

// errStalled is a transfer that moved no bytes for Options.StallTimeout.
var errStalled = errors.New("transfer stalled")

// stallGuard cancels a request that moves no bytes for a while, so a
// silent connection is retried instead of hanging.
type stallGuard struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	t      *time.Timer
	d      time.Duration
}

func (c *Client) guard(ctx context.Context) *stallGuard {
	g := &stallGuard{d: c.opt.StallTimeout}
	g.ctx, g.cancel = context.WithCancelCause(ctx)
	g.t = time.AfterFunc(g.d, func() { g.cancel(errStalled) })
	return g
}

// kick records progress.
func (g *stallGuard) kick() { g.t.Reset(g.d) }

// stop releases the guard.
func (g *stallGuard) stop() {
	g.t.Stop()
	g.cancel(nil)
}

// cause replaces the cancellation the guard caused with errStalled.
func (g *stallGuard) cause(err error) error {
	if err != nil && errors.Is(context.Cause(g.ctx), errStalled) {
		return errStalled
	}
	return err
}

// copyAt copies r into f from offset off, feeding h if not nil. Read
// errors come back as they are (the network's), write errors as
// localError.
func copyAt(f *os.File, off int64, r io.Reader, h hash.Hash, g *stallGuard) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		m, rerr := r.Read(buf)
		if m > 0 {
			g.kick()
			if _, err := f.WriteAt(buf[:m], off+n); err != nil {
				return n, localError{err}
			}
			if h != nil {
				h.Write(buf[:m])
			}
			n += int64(m)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// tempBeside creates the temp file a download is written to: hidden, in
// dst's directory, so the final rename stays on one file system.
// The name keeps a recognisable prefix of dst's but stays within the
// 255-byte limit of common file systems whatever dst's length.
func tempBeside(dst string) (*os.File, error) {
	base := filepath.Base(dst)
	const room = 255 - len("..drivesync-.part") - 20 // CreateTemp's random part is at most 20 digits
	if len(base) > room {
		cut := room
		for cut > 0 && !utf8.RuneStart(base[cut]) {
			cut--
		}
		base = base[:cut]
	}
	f, err := os.CreateTemp(filepath.Dir(dst), "."+base+".drivesync-*.part")
	if err != nil {
		return nil, localError{err}
	}
	return f, nil
}

// commit syncs tmp, gives it the file's modification time and renames it
// over dst. On failure tmp is removed.
func commit(tmp *os.File, dst string, mtime time.Time) error {
	err := tmp.Sync()
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	mode := os.FileMode(0o644)
	if st, serr := os.Stat(dst); serr == nil && st.Mode().IsRegular() {
		mode = st.Mode().Perm()
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), mode)
	}
	if err == nil && !mtime.IsZero() {
		err = os.Chtimes(tmp.Name(), mtime, mtime)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return localError{err}
	}
	return nil
}

// discard closes and removes an unfinished temp file.
func discard(tmp *os.File) {
	tmp.Close()
	os.Remove(tmp.Name())
}
