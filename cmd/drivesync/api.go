package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/drivesync/drivesync/glob"
)

// The local API: HTTP and JSON over a Unix socket (mode 0600, in a 0700
// runtime dir), for the CLI and for training scripts in any language. See
// docs/api.md. A browser page must never reach it (DNS rebinding, a
// fetch() to a local port through a proxy), so a request with an Origin
// header or a Host other than a loopback name is refused.

// mountService is what the API handlers need of a running mount.
type mountService interface {
	Status() apiStatus
	Flush(ctx context.Context) error
	Fetch(ctx context.Context, paths []string) error
	// Index is the mount's index as it stands now (a glob that fetches
	// asks again afterwards). PathIndex may know only each entry's path,
	// folder bit and state, which is all a glob.Query.PathsOnly query reads,
	// and be cheaper to walk.
	Index() (glob.Index, error)
	PathIndex() (glob.Index, error)
}

// apiStatus is the answer of GET /v1/status and `drivesync status --json`.
type apiStatus struct {
	Root             string       `json:"root"`
	Remote           string       `json:"remote"`
	Phase            string       `json:"phase"`
	PID              int          `json:"pid,omitempty"`
	Demo             bool         `json:"demo,omitempty"`
	ReadOnly         bool         `json:"readOnly,omitempty"`
	Files            int          `json:"files"`
	Dirs             int          `json:"dirs"`
	Bytes            int64        `json:"bytes"`
	PendingUploads   int          `json:"pendingUploads"`
	PendingDownloads int          `json:"pendingDownloads"`
	Conflicts        []string     `json:"conflicts"`
	Skipped          []apiSkipped `json:"skipped"`
	HeldOpen         []string     `json:"heldOpen,omitempty"` // settled files waiting for another process to close them
	LastPoll         time.Time    `json:"lastPoll,omitzero"`
	LastError        string       `json:"lastError,omitempty"`
	LastErrorTime    time.Time    `json:"lastErrorTime,omitzero"`
	Progress         *apiProgress `json:"progress,omitempty"`
	Running          bool         `json:"running"` // false when read from the state of a stopped mount
}

type apiSkipped struct {
	Path    string `json:"path"`
	DriveID string `json:"driveId,omitempty"`
	Reason  string `json:"reason"`
}

type apiProgress struct {
	Phase      string `json:"phase"`
	Files      int    `json:"files"`
	TotalFiles int    `json:"totalFiles"`
	Bytes      int64  `json:"bytes"`
	TotalBytes int64  `json:"totalBytes"`
}

// globRequest is the body of POST /v1/glob and the flags of `drivesync glob`.
type globRequest struct {
	Patterns    []string `json:"patterns"`
	Exclude     []string `json:"exclude,omitempty"`
	Images      bool     `json:"images,omitempty"`
	Checkpoints bool     `json:"checkpoints,omitempty"`
	Newest      int      `json:"newest,omitempty"`
	Shard       string   `json:"shard,omitempty"` // "I/N"
	Sort        string   `json:"sort,omitempty"`  // name, mtime, size
	Reverse     bool     `json:"reverse,omitempty"`
	Limit       int      `json:"limit,omitempty"`
	NoFetch     bool     `json:"noFetch,omitempty"`
	// Format of the answer: "json" (the default, a globResponse), "lines"
	// (text: each match's absolute path and "\n") or "nul" (each path and
	// a NUL byte), what `drivesync glob` prints without --json.
	Format string `json:"format,omitempty"`
}

// query checks r and turns it into a glob.Query.
func (r globRequest) query() (glob.Query, error) {
	q := glob.Query{Patterns: r.Patterns, Exclude: r.Exclude, Newest: r.Newest, Reverse: r.Reverse, Limit: r.Limit}
	if r.Images {
		q.Kinds |= glob.Images
	}
	if r.Checkpoints {
		q.Kinds |= glob.Checkpoints
	}
	var err error
	if r.Sort != "" {
		if q.Sort, err = glob.ParseOrder(r.Sort); err != nil {
			return q, err
		}
	}
	if r.Shard != "" {
		if q.Shard, err = glob.ParseShard(r.Shard); err != nil {
			return q, err
		}
	}
	if r.Newest < 0 || r.Limit < 0 {
		return q, errors.New("glob: --newest and --limit must not be negative")
	}
	switch r.Format {
	case "", "json", "lines", "nul":
	default:
		return q, fmt.Errorf("glob: format %q: want json, lines or nul", r.Format)
	}
	return q, q.Validate()
}

// globMatch is one result of a glob.
type globMatch struct {
	Path         string    `json:"path"` // absolute local path; folders end in "/"
	Rel          string    `json:"rel"`  // relative to the mount root, as Python's glob spells it
	ID           string    `json:"id,omitempty"`
	MD5          string    `json:"md5,omitempty"`
	Size         int64     `json:"size"`
	ModifiedTime time.Time `json:"modifiedTime,omitzero"`
	Dir          bool      `json:"dir,omitempty"`
	State        string    `json:"state"` // local (on disk, verified), remote (not downloaded yet), pending (local change not on Drive yet)
}

type globResponse struct {
	Root    string      `json:"root"`
	Matches []globMatch `json:"matches"`
	Fetched int         `json:"fetched"`
}

// runGlob answers r from the index; unless r.NoFetch it first makes fetch
// download the matched files that are not local yet, then answers again
// from the index as it is then.
func runGlob(ctx context.Context, root string, index func() (glob.Index, error), fetch func(context.Context, []string) error, r globRequest) (globResponse, error) {
	q, err := r.query()
	if err != nil {
		return globResponse{}, err
	}
	ix, err := index()
	if err != nil {
		return globResponse{}, err
	}
	ms, err := q.Run(ctx, ix)
	if err != nil {
		return globResponse{}, err
	}
	resp := globResponse{Root: root}
	if !r.NoFetch && fetch != nil {
		if resp.Fetched, err = fetchRemote(ctx, ms, fetch); err != nil {
			return globResponse{}, err
		}
		if resp.Fetched > 0 {
			if ix, err = index(); err != nil {
				return globResponse{}, err
			}
			if ms, err = q.Run(ctx, ix); err != nil {
				return globResponse{}, err
			}
		}
	}
	resp.Matches = make([]globMatch, len(ms))
	for i, m := range ms {
		resp.Matches[i] = globMatch{Path: absName(root, m.Name()), Rel: m.Name(), ID: m.ID, MD5: m.MD5, Size: m.Size, ModifiedTime: m.ModTime, Dir: m.Dir, State: m.State}
	}
	return resp, nil
}

// fetchRemote makes fetch download the files among ms that are not local
// yet and returns how many there were.
func fetchRemote(ctx context.Context, ms []glob.Match, fetch func(context.Context, []string) error) (int, error) {
	var want []string
	for _, m := range ms {
		if !m.Dir && m.State == stateRemote {
			want = append(want, m.Path)
		}
	}
	if len(want) == 0 {
		return 0, nil
	}
	if err := fetch(ctx, want); err != nil {
		return 0, fmt.Errorf("glob: fetching %d matched files: %w", len(want), err)
	}
	return len(want), nil
}

// globNames answers r with the result names only (glob.Query.EachName:
// what `drivesync glob` prints), handing each to emit in order, from
// pathIndex when the query needs no more, else from index. Unless
// r.NoFetch it first fetches the matched files that are not local yet,
// which needs the matches' states, unless the index says that it has no
// such file at all.
func globNames(ctx context.Context, index, pathIndex func() (glob.Index, error), fetch func(context.Context, []string) error, r globRequest, emit func(name string) error) (fetched int, err error) {
	q, err := r.query()
	if err != nil {
		return 0, err
	}
	if q.PathsOnly() {
		index = pathIndex
	}
	ix, err := index()
	if err != nil {
		return 0, err
	}
	if rc, ok := ix.(interface{ RemoteFiles() int }); !r.NoFetch && fetch != nil && (!ok || rc.RemoteFiles() > 0) {
		ms, err := q.Run(ctx, ix)
		if err != nil {
			return 0, err
		}
		if fetched, err = fetchRemote(ctx, ms, fetch); err != nil {
			return 0, err
		}
		if fetched == 0 {
			for i := range ms {
				if err := emit(ms[i].Name()); err != nil {
					return 0, err
				}
			}
			return 0, nil
		}
		if ix, err = index(); err != nil {
			return 0, err
		}
	}
	return fetched, q.EachName(ctx, ix, emit)
}

// absName is the local path of a result name (relative, slash-separated,
// clean; a folder's may end in "/") under the mount root.
func absName(root, name string) string {
	if strings.HasSuffix(root, string(filepath.Separator)) {
		return root + filepath.FromSlash(name)
	}
	return root + string(filepath.Separator) + filepath.FromSlash(name)
}

// pathWriter returns an emit function for globNames that writes the local
// path of each result name to w, followed by end: the "lines" and "nul"
// answers and `drivesync glob`'s output.
func pathWriter(w *bufio.Writer, root string, end byte) func(name string) error {
	prefix := root
	if !strings.HasSuffix(prefix, string(filepath.Separator)) {
		prefix += string(filepath.Separator)
	}
	return func(name string) error {
		w.WriteString(prefix)
		w.WriteString(filepath.FromSlash(name))
		return w.WriteByte(end)
	}
}

// nameEnd is the byte that ends each path in a glob answer of format f.
func nameEnd(f string) byte {
	if f == "nul" {
		return 0
	}
	return '\n'
}

type fetchRequest struct {
	Paths []string `json:"paths"` // relative to the mount root
}

// apiServer serves one mount's API.
type apiServer struct {
	svc     mountService
	log     *slog.Logger
	stop    func() // POST /v1/stop: ask the daemon to exit
	started time.Time
	metrics apiMetrics
}

type apiMetrics struct {
	requests, refused, errors atomic.Int64
}

func newAPIServer(svc mountService, log *slog.Logger, stop func()) *apiServer {
	return &apiServer{svc: svc, log: log, stop: stop, started: time.Now()}
}

func (s *apiServer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("POST /v1/flush", s.flush)
	mux.HandleFunc("POST /v1/glob", s.glob)
	mux.HandleFunc("POST /v1/fetch", s.fetch)
	mux.HandleFunc("POST /v1/stop", s.stopHandler)
	mux.HandleFunc("GET /metrics", s.metricsHandler)
	return s.guard(mux)
}

// localHost reports whether host (a Host header, port optional) names the
// loopback: what curl --unix-socket http://localhost/... and the docs'
// Python client send.
func localHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch strings.ToLower(host) {
	case "", "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

func (s *apiServer) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.metrics.requests.Add(1)
		if r.Header.Get("Origin") != "" {
			s.metrics.refused.Add(1)
			writeError(w, http.StatusForbidden, errors.New("requests from web pages (with an Origin header) are refused"))
			return
		}
		if !localHost(r.Host) {
			s.metrics.refused.Add(1)
			writeError(w, http.StatusForbidden, fmt.Errorf("host %q is not local; use http://localhost/", r.Host))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}

func (s *apiServer) fail(w http.ResponseWriter, code int, err error) {
	s.metrics.errors.Add(1)
	s.log.Debug("api error", "code", code, "err", err)
	writeError(w, code, err)
}

func (s *apiServer) status(w http.ResponseWriter, _ *http.Request) {
	st := s.svc.Status()
	st.Running = true
	st.PID = os.Getpid()
	writeJSON(w, http.StatusOK, st)
}

// flush waits for the mount to flush, at most ?timeout= (a Go duration).
func (s *apiServer) flush(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if t := r.URL.Query().Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			s.fail(w, http.StatusBadRequest, fmt.Errorf("flush: timeout %q: want a positive duration such as 30s", t))
			return
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	start := time.Now()
	if err := s.svc.Flush(ctx); err != nil {
		code := http.StatusInternalServerError
		if errors.Is(err, context.DeadlineExceeded) {
			code = http.StatusGatewayTimeout
			st := s.svc.Status()
			err = fmt.Errorf("flush: timed out with %d uploads pending: %w", st.PendingUploads, err)
		}
		s.fail(w, code, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"flushed": true, "seconds": time.Since(start).Seconds()})
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

func (s *apiServer) glob(w http.ResponseWriter, r *http.Request) {
	var req globRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	if _, err := req.query(); err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	root := s.svc.Status().Root
	if req.Format == "lines" || req.Format == "nul" {
		// globNames calls emit only once the matches are known (and fetched),
		// so an error before the first path is still a 500 with a message.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		bw := bufio.NewWriterSize(w, 64<<10)
		write, started := pathWriter(bw, root, nameEnd(req.Format)), false
		emit := func(name string) error { started = true; return write(name) }
		if _, err := globNames(r.Context(), s.svc.Index, s.svc.PathIndex, s.svc.Fetch, req, emit); err != nil {
			if !started {
				s.fail(w, http.StatusInternalServerError, err)
			} // else the client went away mid-answer
			return
		}
		_ = bw.Flush()
		return
	}
	resp, err := runGlob(r.Context(), root, s.svc.Index, s.svc.Fetch, req)
	if err != nil {
		s.fail(w, http.StatusInternalServerError, err)
		return
	}
	// Compact: a large answer costs a third less to write and read without
	// the indentation (pipe it through python3 -m json.tool to read it).
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := json.NewEncoder(bw).Encode(resp); err == nil {
		_ = bw.Flush()
	}
}

func (s *apiServer) fetch(w http.ResponseWriter, r *http.Request) {
	var req fetchRequest
	if err := decodeBody(r, &req); err != nil {
		s.fail(w, http.StatusBadRequest, err)
		return
	}
	for _, p := range req.Paths {
		if !fsValidRel(p) {
			s.fail(w, http.StatusBadRequest, fmt.Errorf("fetch: path %q: want a clean slash-separated path relative to the mount root", p))
			return
		}
	}
	if err := s.svc.Fetch(r.Context(), req.Paths); err != nil {
		s.fail(w, http.StatusInternalServerError, fmt.Errorf("fetch: %w", err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"fetched": len(req.Paths)})
}

func fsValidRel(p string) bool {
	return p != "" && p != "." && !strings.HasPrefix(p, "/") && path.Clean(p) == p && !strings.HasPrefix(p, "../") && p != ".." && !strings.ContainsRune(p, 0)
}

func (s *apiServer) stopHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"stopping": true, "pid": os.Getpid()})
	if s.stop != nil {
		s.stop()
	}
}

// listenUnix listens on the socket at sock with mode 0600, replacing a
// stale socket file left by a killed daemon (the caller holds the mount's
// lock, so no live daemon owns it).
func listenUnix(sock string) (net.Listener, error) {
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("api: remove stale socket: %w", err)
	}
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("api: listen %s: %w", sock, err)
	}
	if err := os.Chmod(sock, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("api: %w", err)
	}
	return ln, nil
}
