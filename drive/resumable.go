package drive

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
)

// sessionTTL is how long a saved session is trusted; Drive keeps them a
// week.
const sessionTTL = 6 * 24 * time.Hour

// resumable sends a large file through Google's resumable upload
// protocol: open a session (its URI saved in Options.Sessions), send
// chunks of Options.ChunkSize, and after any failure, in this process or
// a later one, ask the session what it committed and go on from there.
// It returns the file and the md5 of what was sent.
func (c *Client) resumable(ctx context.Context, t target, fh *os.File, size int64, mtime time.Time, mt string) (*drive.File, string, error) {
	u := &upload{c: c, t: t, f: fh, size: size, mtime: mtime, mime: mt, key: sessionKey(fh.Name(), t), h: md5.New()}
	resumed := u.load()
	for restarts := 0; ; restarts++ {
		if !resumed {
			if err := u.open(ctx); err != nil {
				return nil, "", err
			}
		}
		err := u.run(ctx, resumed)
		if err == nil {
			break
		}
		if s := classify(err, true).status; (s == 404 || s == 410) && restarts < 2 {
			// Drive forgot the session (expired or never finished): start over.
			c.log.Info("drive: upload session gone; starting a new one", "file", fh.Name(), "err", err)
			u.forget()
			resumed = false
			continue
		}
		return nil, "", err
	}
	u.forget()
	if err := u.hashTo(size); err != nil {
		return nil, "", err
	}
	return u.result, hex.EncodeToString(u.h.Sum(nil)), nil
}

// sessionKey names an upload in the SessionStore: the same source going
// to the same place is the same upload.
func sessionKey(src string, t target) string {
	if abs, err := filepath.Abs(src); err == nil {
		src = abs
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s", src, t.parentID, t.name, t.fileID)
	return "up-" + hex.EncodeToString(h.Sum(nil))[:40]
}

// upload is one resumable upload in progress.
type upload struct {
	c     *Client
	t     target
	f     *os.File
	size  int64
	mtime time.Time
	mime  string
	key   string

	s       UploadSession
	h       hash.Hash // md5 of the source's bytes [0, hashOff)
	hashOff int64
	result  *drive.File
}

// load picks up a saved session for the same source, unchanged since.
func (u *upload) load() bool {
	s, ok, err := u.c.opt.Sessions.Load(u.key)
	if err != nil {
		u.c.log.Warn("drive: ignoring unreadable upload session", "file", u.f.Name(), "err", err)
		return false
	}
	if !ok {
		return false
	}
	if s.Size != u.size || !s.ModTime.Equal(u.mtime) || time.Since(s.Started) > sessionTTL {
		u.c.log.Info("drive: source changed or session too old; uploading afresh", "file", u.f.Name())
		u.forget()
		return false
	}
	u.s = s
	if len(s.HashState) > 0 {
		h := md5.New()
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(s.HashState); err == nil {
			u.h, u.hashOff = h, s.HashOffset
		}
	}
	return true
}

func (u *upload) save() {
	u.s.HashOffset = u.hashOff
	u.s.HashState, _ = u.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err := u.c.opt.Sessions.Save(u.key, u.s); err != nil {
		u.c.log.Warn("drive: cannot save upload session; a restart will upload afresh", "file", u.f.Name(), "err", err)
	}
}

func (u *upload) forget() {
	if err := u.c.opt.Sessions.Delete(u.key); err != nil {
		u.c.log.Warn("drive: cannot delete upload session", "file", u.f.Name(), "err", err)
	}
}

// open starts a session and saves it.
func (u *upload) open(ctx context.Context) error {
	id := u.t.fileID
	method, target := http.MethodPost, u.c.uploadBase
	if id != "" {
		method, target = http.MethodPatch, target+"/"+url.PathEscape(id)
	} else {
		var err error
		if id, err = u.c.newID(ctx); err != nil {
			return err
		}
	}
	body, err := json.Marshal(apiMeta(u.t, id, u.mtime))
	if err != nil {
		return err
	}
	q := url.Values{"uploadType": {"resumable"}, "supportsAllDrives": {"true"}, "fields": {fileFields}}
	target += "?" + q.Encode()
	var loc string
	err = u.c.pacer.do(ctx, true, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
		req.Header.Set("X-Upload-Content-Type", u.mime)
		req.Header.Set("X-Upload-Content-Length", strconv.FormatInt(u.size, 10))
		resp, err := u.c.hc.Do(req)
		if err != nil {
			return err
		}
		defer closeBody(resp)
		if err := googleapi.CheckResponse(resp); err != nil {
			return err
		}
		l, err := resp.Location()
		if err != nil {
			return fmt.Errorf("opening an upload session: no session URI in the answer (%s): %w", resp.Status, err)
		}
		loc = l.String()
		return nil
	})
	if err != nil {
		return err
	}
	u.s = UploadSession{URI: loc, FileID: id, Size: u.size, ModTime: u.mtime, Started: time.Now()}
	u.h, u.hashOff = md5.New(), 0
	u.save()
	return nil
}

// run sends chunks until the upload completes. A resumed session first
// asks what Drive has.
func (u *upload) run(ctx context.Context, resumed bool) error {
	ask := resumed
	for u.result == nil {
		err := u.c.pacer.do(ctx, true, func(ctx context.Context) error {
			if ask {
				if err := u.status(ctx); err != nil {
					return err
				}
				ask = false
				if u.result != nil {
					return nil
				}
				if err := u.c.pacer.wait(ctx); err != nil {
					return err
				}
			}
			if err := u.chunk(ctx); err != nil {
				ask = true // learn what arrived before sending again
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := u.hashTo(u.s.Offset); err != nil {
			return err
		}
		u.save()
	}
	return nil
}

// status asks the session which bytes it has committed.
func (u *upload) status(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.s.URI, http.NoBody)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Range", "bytes */"+strconv.FormatInt(u.size, 10))
	return u.send(req, nil, nil)
}

// chunk sends the next chunk from the committed offset.
func (u *upload) chunk(ctx context.Context) error {
	off := u.s.Offset
	n := min(u.c.opt.ChunkSize, u.size-off)
	var body io.Reader = io.NewSectionReader(u.f, off, n)
	var tee *teeHash
	if h, ok := cloneMD5(u.h); ok && u.hashOff == off {
		// Hash the bytes as they go; kept if the whole chunk is committed.
		tee = &teeHash{h: h, end: off}
		body = io.TeeReader(body, tee)
	}
	g := u.c.guard(ctx)
	defer g.stop()
	req, err := http.NewRequestWithContext(g.ctx, http.MethodPut, u.s.URI, body)
	if err != nil {
		return err
	}
	req.ContentLength = n
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", off, off+n-1, u.size))
	req.Header.Set("Content-Type", u.mime)
	return g.cause(u.send(req, tee, g))
}

// send makes a request to the session and reads its answer: 308 (or 200
// with X-Http-Status-Code-Override: 308) with the committed Range, or the
// file once the upload is complete.
func (u *upload) send(req *http.Request, tee *teeHash, g *stallGuard) error {
	if g != nil {
		g.kick()
	}
	resp, err := u.c.hc.Do(req)
	if err != nil {
		return err
	}
	defer closeBody(resp)
	incomplete := resp.StatusCode == http.StatusPermanentRedirect ||
		(resp.StatusCode == http.StatusOK && resp.Header.Get("X-Http-Status-Code-Override") == "308")
	if !incomplete {
		if err := googleapi.CheckResponse(resp); err != nil {
			return err
		}
		var f drive.File
		if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
			return fmt.Errorf("reading the uploaded file's metadata: %w", err)
		}
		u.result = &f
		if tee != nil && tee.end == u.size {
			u.h, u.hashOff = tee.h, tee.end
		}
		u.s.Offset = u.size
		return nil
	}
	committed, err := parseCommitted(resp.Header.Get("Range"))
	if err != nil {
		return err
	}
	if committed > u.size {
		return fmt.Errorf("upload session reports %d bytes committed of %d", committed, u.size)
	}
	if tee != nil && tee.end == committed && committed > u.hashOff {
		u.h, u.hashOff = tee.h, tee.end
	}
	u.s.Offset = committed
	return nil
}

// hashTo brings the md5 up to byte n of the source, reading what was not
// hashed on the way out.
func (u *upload) hashTo(n int64) error {
	if u.hashOff > n {
		u.h, u.hashOff = md5.New(), 0
	}
	if err := hashRange(u.h, u.f, u.hashOff, n); err != nil {
		return err
	}
	u.hashOff = n
	return nil
}

// parseCommitted reads a resumable session's Range header, "bytes=0-N":
// N+1 bytes are committed. No header means none.
func parseCommitted(h string) (int64, error) {
	if h == "" {
		return 0, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok {
		return 0, fmt.Errorf("upload session Range %q: want bytes=0-N", h)
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok || first != "0" {
		return 0, fmt.Errorf("upload session Range %q: want bytes=0-N", h)
	}
	n, err := strconv.ParseInt(last, 10, 64)
	if err != nil || n < 0 || n == 1<<63-1 {
		return 0, fmt.Errorf("upload session Range %q: want bytes=0-N", h)
	}
	return n + 1, nil
}

// teeHash hashes a chunk's bytes as they are sent and counts them.
type teeHash struct {
	h   hash.Hash
	end int64 // offset after the last byte hashed
}

func (t *teeHash) Write(p []byte) (int, error) {
	t.h.Write(p)
	t.end += int64(len(p))
	return len(p), nil
}

// cloneMD5 copies an md5 in progress.
func cloneMD5(h hash.Hash) (hash.Hash, bool) {
	m, ok := h.(encoding.BinaryMarshaler)
	if !ok {
		return nil, false
	}
	state, err := m.MarshalBinary()
	c := md5.New()
	if err != nil || c.(encoding.BinaryUnmarshaler).UnmarshalBinary(state) != nil {
		return nil, false
	}
	return c, true
}

// closeBody drains a little of the body so the connection can be reused,
// and closes it.
func closeBody(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10)
	resp.Body.Close()
}
