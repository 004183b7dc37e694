package fakedrive

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/drivesync/drivesync/drive/fakedrive/fields"
)

// chunkQuantum is the granularity Google's upload server commits in.
const chunkQuantum = 256 << 10

// uploadSession is one resumable upload. It lives in the server, not the
// connection, so a client whose connection drops resumes it.
type uploadSession struct {
	mu        sync.Mutex
	id        string
	user      string
	fileID    string // "" for create
	meta      *fileMeta
	mime      string
	total     int64 // -1 until known
	data      []byte
	mask      fields.Mask
	query     url.Values // the initiating request's parameters
	done      bool
	result    string // file ID once finalized
	committed int64
	hash      hasher // digests of data[:committed], kept as bytes arrive
}

func (sv *Server) uploadCreate(c *call) *apiError { return sv.upload(c, "") }

func (sv *Server) uploadUpdate(c *call) *apiError { return sv.upload(c, c.r.PathValue("fileId")) }

// upload starts an upload: media and multipart in one request, resumable
// by opening a session.
func (sv *Server) upload(c *call, fileID string) *apiError {
	if e := c.canWrite(); e != nil {
		return e
	}
	m, e := fileMask(c)
	if e != nil {
		return e
	}
	body := io.Reader(&mediaReader{r: c.r.Body, k: sv.knobs, ctx: c.r.Context()})
	switch ut := c.q("uploadType"); ut {
	case "media":
		data, e := readMedia(c, body)
		if e != nil {
			return e
		}
		return sv.finish(c, fileID, &fileMeta{}, &content{data: data, mime: c.r.Header.Get("Content-Type")}, m, http.StatusOK)
	case "multipart", "related":
		meta, media, e := readMultipart(c, body)
		if e != nil {
			return e
		}
		return sv.finish(c, fileID, meta, media, m, http.StatusOK)
	case "resumable":
		return sv.startSession(c, fileID, m)
	case "":
		return errRequired("uploadType")
	default:
		return errInvalid("uploadType", "Invalid value for uploadType: "+ut)
	}
}

// readMedia reads a whole media body; the truncation fault drops the
// connection halfway through.
func readMedia(c *call, r io.Reader) ([]byte, *apiError) {
	if c.fault == faultTruncate {
		n := c.r.ContentLength / 2
		io.CopyN(io.Discard, r, max(n, 0))
		return nil, errAbort
	}
	var buf bytes.Buffer
	if c.r.ContentLength > 0 && c.r.ContentLength < 1<<30 {
		buf.Grow(int(c.r.ContentLength))
	}
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, errAbort
	}
	return buf.Bytes(), nil
}

func readMultipart(c *call, r io.Reader) (*fileMeta, *content, *apiError) {
	mt, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		return nil, nil, errBadRequest("Multipart upload needs a multipart/related body with a boundary.")
	}
	data, e := readMedia(c, r)
	if e != nil {
		return nil, nil, e
	}
	mr := multipart.NewReader(bytes.NewReader(data), params["boundary"])
	var parts [][]byte
	var types []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, errBadRequest("Malformed multipart body: " + err.Error())
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, errBadRequest("Malformed multipart body: " + err.Error())
		}
		parts = append(parts, b)
		types = append(types, p.Header.Get("Content-Type"))
	}
	if len(parts) != 2 {
		return nil, nil, errBadRequest(fmt.Sprintf("Multipart upload needs exactly 2 parts (metadata, media); got %d.", len(parts)))
	}
	meta, e := parseMeta(parts[0])
	if e != nil {
		return nil, nil, e
	}
	return meta, &content{data: parts[1], mime: types[1]}, nil
}

// finish creates or updates the file with the uploaded content and replies.
func (sv *Server) finish(c *call, fileID string, meta *fileMeta, body *content, m fields.Mask, code int) *apiError {
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	var f *file
	var e *apiError
	if fileID == "" {
		f, e = sv.createFile(c, meta, body)
	} else {
		f, e = sv.updateFile(c, fileID, meta, body)
	}
	if e != nil {
		return e
	}
	sv.replyFile(c, code, f, m)
	return nil
}

func (sv *Server) startSession(c *call, fileID string, m fields.Mask) *apiError {
	data, err := io.ReadAll(io.LimitReader(c.r.Body, 8<<20))
	if err != nil {
		return errAbort
	}
	meta, e := parseMeta(data)
	if e != nil {
		return e
	}
	s := &uploadSession{id: newID(), user: c.user, fileID: fileID, meta: meta, mask: m, total: -1, query: c.r.URL.Query(), hash: newHasher()}
	s.mime = c.r.Header.Get("X-Upload-Content-Type")
	if v := c.r.Header.Get("X-Upload-Content-Length"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errBadRequest("Invalid X-Upload-Content-Length: " + v)
		}
		if n > sv.opt.MaxUploadSize {
			return &apiError{Code: 403, Reason: "maxUploadSizeExceeded", Message: "The file exceeds the maximum upload size."}
		}
		s.total = n
		if n < 1<<30 {
			s.data = make([]byte, 0, n)
		}
	}
	if fileID != "" { // the file must exist now, as with Drive
		sv.st.mu.RLock()
		_, e := sv.visible(c, fileID)
		sv.st.mu.RUnlock()
		if e != nil {
			return e
		}
	}
	sv.upMu.Lock()
	sv.uploads[s.id] = s
	sv.upMu.Unlock()
	q := url.Values{}
	for k, v := range c.r.URL.Query() {
		q[k] = v
	}
	q.Set("upload_id", s.id)
	path := "/upload/drive/v3/files"
	if fileID != "" {
		path += "/" + url.PathEscape(fileID)
	}
	c.w.Header().Set("Location", c.base+path+"?"+q.Encode())
	c.w.Header().Set("X-GUploader-UploadID", s.id)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// uploadChunk takes one chunk of a resumable upload, or answers a status
// query (Content-Range: bytes */N with an empty body).
func (sv *Server) uploadChunk(c *call) *apiError {
	id := c.q("upload_id")
	sv.upMu.Lock()
	s := sv.uploads[id]
	sv.upMu.Unlock()
	if s == nil {
		return &apiError{Code: 404, Reason: "notFound", Message: "No upload session with ID " + id + ": it has expired or was never started."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return sv.replyDone(c, s)
	}
	start, total, query, e := parseContentRange(c.r.Header.Get("Content-Range"), c.r.ContentLength)
	if e != nil {
		return e
	}
	if total >= 0 {
		if s.total >= 0 && total != s.total {
			return errBadRequest(fmt.Sprintf("Invalid request. The total size %d in Content-Range differs from the declared size %d.", total, s.total))
		}
		s.total = total
	}
	if !query {
		if start > s.committed {
			return errBadRequest(fmt.Sprintf("Invalid request.  According to the Content-Range header, the upload offset is %d byte(s), which exceeds already uploaded size of %d byte(s).", start, s.committed))
		}
		body := io.Reader(&mediaReader{r: c.r.Body, k: sv.knobs, ctx: c.r.Context()})
		limit := int64(-1)
		if c.fault == faultTruncate {
			limit = c.r.ContentLength / 2
			body = io.LimitReader(body, limit)
		}
		// Read straight into the session's buffer past what is committed;
		// only whole quanta (or the final bytes) become committed.
		data, err := s.readChunk(body, c.r.ContentLength)
		broken := err != nil || limit >= 0
		final := s.total >= 0 && start+int64(len(data)) >= s.total && !broken
		if !final {
			// Google commits whole quanta only; the rest is sent again.
			keep := (start + int64(len(data))) / chunkQuantum * chunkQuantum
			data = data[:max(0, min(int64(len(data)), keep-start))]
		}
		if skip := s.committed - start; skip < int64(len(data)) {
			fresh := data[skip:]
			s.hash.write(fresh)
			base := len(s.data)
			if len(fresh) > 0 && cap(s.data) > base && &s.data[:base+1][base] == &fresh[0] {
				s.data = s.data[:base+len(fresh)] // read in place: nothing to copy
			} else {
				s.data = append(s.data, fresh...)
			}
			s.committed = int64(len(s.data))
		}
		if broken {
			return errAbort
		}
	}
	if s.total >= 0 && s.committed >= s.total {
		if s.committed > s.total {
			return errBadRequest("Invalid request. The upload has more bytes than its declared size.")
		}
		return sv.finalize(c, s)
	}
	if s.committed > 0 {
		c.w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", s.committed-1))
	}
	if strings.EqualFold(c.r.Header.Get("X-GUploader-No-308"), "yes") {
		c.w.Header().Set("X-Http-Status-Code-Override", "308")
		c.w.Header().Set("Content-Length", "0")
		c.w.WriteHeader(http.StatusOK)
		return nil
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(http.StatusPermanentRedirect)
	return nil
}

// readChunk reads a chunk body into the free capacity after s.data (grown
// as append would), so a chunk of known length is read in place. It
// returns what arrived, and an error if the body broke off.
func (s *uploadSession) readChunk(body io.Reader, n int64) ([]byte, error) {
	base := len(s.data)
	if n < 0 || n > 1<<31 {
		var buf bytes.Buffer
		_, err := buf.ReadFrom(body)
		return buf.Bytes(), err
	}
	if int64(cap(s.data)-base) < n {
		grown := make([]byte, base, max(base+int(n), 2*cap(s.data)))
		copy(grown, s.data)
		s.data = grown
	}
	dst := s.data[base : base+int(n)]
	got, err := io.ReadFull(body, dst)
	if err == nil { // a body longer than its Content-Length is not ours to read
		return dst, nil
	}
	return dst[:got], err
}

// parseContentRange reads "bytes a-b/N", "bytes a-b/*", "bytes */N" or
// "bytes */*". No header means the body is the whole content.
func parseContentRange(h string, bodyLen int64) (start, total int64, query bool, e *apiError) {
	bad := errBadRequest("Failed to parse Content-Range header: " + h)
	if h == "" {
		if bodyLen < 0 {
			return 0, -1, false, errBadRequest("A chunk without Content-Range needs a Content-Length.")
		}
		return 0, bodyLen, false, nil
	}
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, 0, false, bad
	}
	rng, tot, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return 0, 0, false, bad
	}
	total = -1
	if tot != "*" {
		n, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, false, bad
		}
		total = n
	}
	if rng == "*" {
		return 0, total, true, nil
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, false, bad
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first || (total >= 0 && last >= total) {
		return 0, 0, false, bad
	}
	if bodyLen >= 0 && bodyLen != last-first+1 {
		return 0, 0, false, errBadRequest(fmt.Sprintf("Content-Range %s does not match the body's length %d.", h, bodyLen))
	}
	return first, total, false, nil
}

// finalize turns a complete session into a file. Caller holds s.mu.
func (sv *Server) finalize(c *call, s *uploadSession) *apiError {
	mt := s.mime
	if mt == "" {
		mt = c.r.Header.Get("Content-Type")
	}
	fc := &call{w: c.w, r: c.r, user: s.user, scopes: c.scopes, base: c.base}
	// The file is created with the initiating request's parameters
	// (supportsAllDrives, addParents, ...).
	r2 := c.r.Clone(c.r.Context())
	r2.URL.RawQuery = s.query.Encode()
	fc.r = r2
	sv.st.mu.Lock()
	defer sv.st.mu.Unlock()
	var f *file
	var e *apiError
	d := s.hash.sum()
	body := &content{data: s.data, mime: mt, sums: &d}
	if s.fileID == "" {
		f, e = sv.createFile(fc, s.meta, body)
	} else {
		f, e = sv.updateFile(fc, s.fileID, s.meta, body)
	}
	if e != nil {
		return e
	}
	s.done, s.result, s.data = true, f.ID, nil
	sv.replyFile(c, http.StatusOK, f, s.mask)
	return nil
}

func (sv *Server) replyDone(c *call, s *uploadSession) *apiError {
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	f := sv.st.files[s.result]
	if f == nil {
		return errNotFound(s.result)
	}
	sv.replyFile(c, http.StatusOK, f, s.mask)
	return nil
}

// uploadCancel ends a session (DELETE on its URI), as Google answers: 499.
func (sv *Server) uploadCancel(c *call) *apiError {
	id := c.q("upload_id")
	sv.upMu.Lock()
	s := sv.uploads[id]
	delete(sv.uploads, id)
	sv.upMu.Unlock()
	if s == nil {
		return &apiError{Code: 404, Reason: "notFound", Message: "No upload session with ID " + id + "."}
	}
	c.w.WriteHeader(499)
	return nil
}
