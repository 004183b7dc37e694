package fakedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

// Options configure a Server. The zero value is a fast, fault-free,
// in-memory drive.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time // clock; time.Now if nil

	// StateDir persists the drive (metadata and content) across restarts.
	// Empty: memory only.
	StateDir string

	// User is the account's email address (default "user@example.com").
	User string

	// PublicURL is the base URL clients reach the server by, for absolute
	// links (upload sessions, webContentLink). Empty: taken from each
	// request's Host and X-Forwarded-Proto, which also serves clients behind
	// a TLS-terminating proxy.
	PublicURL string

	// Realism knobs.
	Latency   time.Duration // added to every API request
	QPS       float64       // per-user request rate; above it 403 userRateLimitExceeded (sometimes 429); 0 = unlimited
	Bandwidth int64         // media bytes per second, both directions, shared; 0 = unlimited
	Faults    float64       // fraction of API requests that fail: 500/503, reset, truncated media
	FaultSeed int64         // seeds the fault sequence so a failing run replays

	// MaxUploadSize is reported by about.get and enforced (default 5 TiB).
	MaxUploadSize int64
	// StorageLimit is the quota in bytes (default 15 GiB); uploads past it
	// get 403 storageQuotaExceeded.
	StorageLimit int64
	// LegacyMultiParent lets a file have several parents, as files created
	// before Drive's 2020 single-parent rule still do. Off: adding a second
	// parent is refused like Drive does today.
	LegacyMultiParent bool
	// OAuthClients, when set, are the only OAuth clients (id -> secret)
	// the token endpoint accepts.
	OAuthClients map[string]string
}

// Server is the emulator. It is an http.Handler; Close flushes state.
type Server struct {
	opt   Options
	log   *slog.Logger
	st    *store
	auth  *oauth.Authority
	mux   *http.ServeMux
	knobs *knobs
	stats *stats

	upMu    sync.Mutex
	uploads map[string]*uploadSession

	persist *persister
}

// New returns a Server. With Options.StateDir it loads the drive saved there.
func New(opt Options) (*Server, error) {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.User == "" {
		opt.User = "user@example.com"
	}
	if opt.MaxUploadSize == 0 {
		opt.MaxUploadSize = 5 << 40
	}
	if opt.StorageLimit == 0 {
		opt.StorageLimit = 15 << 30
	}
	if opt.Faults < 0 || opt.Faults > 1 {
		return nil, fmt.Errorf("fakedrive: faults %v: want a fraction in [0, 1]", opt.Faults)
	}
	sv := &Server{
		opt:     opt,
		log:     opt.Logger,
		auth:    oauth.New(oauth.Options{Now: opt.Now, Logger: opt.Logger, Clients: opt.OAuthClients, User: opt.User}),
		uploads: map[string]*uploadSession{},
		stats:   newStats(),
	}
	sv.knobs = newKnobs(opt, sv.stats)
	sv.st = newStore(opt.Now, blobStore{dir: opt.StateDir}, opt.User)
	if opt.StateDir != "" {
		p, err := openPersister(opt.StateDir, sv.st, opt.Logger)
		if err != nil {
			return nil, err
		}
		sv.persist = p
	}
	sv.routes()
	return sv, nil
}

// Close writes any unsaved state. The Server still serves afterwards.
func (sv *Server) Close() error {
	if sv.persist != nil {
		return sv.persist.close()
	}
	return nil
}

// Authority is the emulator's OAuth server, for minting tokens in tests
// and the demo.
func (sv *Server) Authority() *oauth.Authority { return sv.auth }

// Token mints an access token with full Drive scope for the drive's user.
func (sv *Server) Token() string {
	return sv.auth.Mint(sv.opt.User, []string{"https://www.googleapis.com/auth/drive"}, 24*time.Hour)
}

// RootID is My Drive's folder ID.
func (sv *Server) RootID() string { return sv.st.rootID }

// call is one API request in flight.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	user   string
	scopes []string
	base   string // scheme://host the client used
	fault  fault
	log    *slog.Logger
}

func (c *call) q(name string) string { return c.r.URL.Query().Get(name) }

func (c *call) boolParam(name string) (bool, *apiError) {
	switch v := c.q(name); v {
	case "", "false", "False", "FALSE":
		return false, nil
	case "true", "True", "TRUE":
		return true, nil
	default:
		return false, errInvalid(name, fmt.Sprintf("Invalid value '%s'. Values must match the following regular expression: '(true|false)'", v))
	}
}

// canWrite reports whether the token's scopes allow changes.
func (c *call) canWrite() *apiError {
	for _, s := range c.scopes {
		switch strings.TrimPrefix(s, "https://www.googleapis.com/auth/") {
		case "drive", "drive.file", "drive.appdata":
			return nil
		}
	}
	return &apiError{Code: 403, Reason: "insufficientPermissions", Message: "Insufficient Permission: Request had insufficient authentication scopes."}
}

func (c *call) writeJSON(code int, b []byte) {
	h := c.w.Header()
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	c.w.WriteHeader(code)
	c.w.Write(b)
	c.w.Write([]byte{'\n'})
}

// handler is an API method: it either writes its reply or returns an error.
type handler func(c *call) *apiError

func (sv *Server) routes() {
	mux := http.NewServeMux()
	api := func(pattern, method string, h handler) {
		mux.Handle(pattern, sv.api(method, h))
	}
	api("GET /drive/v3/files", "files.list", sv.filesList)
	api("POST /drive/v3/files", "files.create", sv.filesCreate)
	api("GET /drive/v3/files/generateIds", "files.generateIds", sv.filesGenerateIDs)
	api("DELETE /drive/v3/files/trash", "files.emptyTrash", sv.filesEmptyTrash)
	api("GET /drive/v3/files/{fileId}", "files.get", sv.filesGet)
	api("PATCH /drive/v3/files/{fileId}", "files.update", sv.filesUpdate)
	api("DELETE /drive/v3/files/{fileId}", "files.delete", sv.filesDelete)
	api("POST /drive/v3/files/{fileId}/copy", "files.copy", sv.filesCopy)
	api("GET /drive/v3/files/{fileId}/export", "files.export", sv.filesExport)
	api("POST /upload/drive/v3/files", "files.create.upload", sv.uploadCreate)
	api("PUT /upload/drive/v3/files", "upload.chunk", sv.uploadChunk)
	api("PATCH /upload/drive/v3/files/{fileId}", "files.update.upload", sv.uploadUpdate)
	api("PUT /upload/drive/v3/files/{fileId}", "upload.chunk", sv.uploadChunk)
	api("POST /upload/drive/v3/files/{fileId}", "upload.chunk", sv.uploadChunk)
	api("DELETE /upload/drive/v3/files", "upload.cancel", sv.uploadCancel)
	api("DELETE /upload/drive/v3/files/{fileId}", "upload.cancel", sv.uploadCancel)
	api("GET /drive/v3/changes", "changes.list", sv.changesList)
	api("GET /drive/v3/changes/startPageToken", "changes.getStartPageToken", sv.changesStartPageToken)
	api("GET /drive/v3/about", "about.get", sv.aboutGet)
	api("GET /drive/v3/drives", "drives.list", sv.drivesList)
	api("POST /drive/v3/drives", "drives.create", sv.drivesCreate)
	api("GET /drive/v3/drives/{driveId}", "drives.get", sv.drivesGet)
	oh := sv.auth.Handler()
	for _, p := range []string{"/o/oauth2/auth", "/o/oauth2/v2/auth", "/token", "/revoke"} {
		mux.Handle(p, sv.knobs.count("oauth", oh))
	}
	// Other methods on API paths: Drive's JSON 405, not the mux's plain text.
	for _, p := range []string{"/drive/v3/files", "/drive/v3/files/{fileId}", "/drive/v3/files/{fileId}/copy",
		"/drive/v3/files/{fileId}/export", "/drive/v3/changes",
		"/drive/v3/changes/startPageToken", "/drive/v3/about", "/drive/v3/drives", "/drive/v3/drives/{driveId}",
		"/upload/drive/v3/files", "/upload/drive/v3/files/{fileId}"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { errMethodNotAllowed().write(w) })
	}
	mux.HandleFunc("GET /fakedrive/stats", sv.serveStats)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		(&apiError{Code: 404, Reason: "notFound", Message: "Not Found: " + r.Method + " " + r.URL.Path}).write(w)
	})
	sv.mux = mux
}

func (sv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { sv.mux.ServeHTTP(w, r) }

// api wraps a method: knobs (latency, rate, faults), auth, then the method.
func (sv *Server) api(method string, h handler) http.Handler {
	route, routeH := method, h
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Per request: the route's own method and handler are shared by
		// every request to it and must not be overwritten.
		method, h := route, routeH
		// Google's upload session URIs and chunk requests share paths with
		// the initial requests; upload_id tells them apart.
		if r.URL.Query().Get("upload_id") != "" && strings.HasPrefix(r.URL.Path, "/upload/") && method != "upload.cancel" {
			method, h = "upload.chunk", sv.uploadChunk
		}
		if r.Method == http.MethodGet && r.URL.Query().Get("alt") == "media" && method == "files.get" {
			method = "files.get.media"
		}
		route := r.Pattern // "GET /drive/v3/files"; method-less patterns get the method added
		if !strings.Contains(route, " ") {
			route = r.Method + " " + route
		}
		sv.stats.request(route, method)
		c := &call{w: w, r: r, base: sv.baseURL(r), log: sv.log}
		if id, err := sv.auth.Check(r); err != nil {
			errUnauthorized(authMessage(err)).write(w)
			return
		} else {
			c.user, c.scopes = id.Email, id.Scopes
		}
		var e *apiError
		if c.fault, e = sv.knobs.before(r.Context(), c.user, method); e != nil {
			if e == errAbort {
				panic(http.ErrAbortHandler)
			}
			e.write(w)
			return
		}
		if e := h(c); e != nil {
			if e == errAbort {
				panic(http.ErrAbortHandler) // drop the connection, as a broken network would
			}
			e.write(w)
		}
	})
}

func authMessage(err error) string {
	if err == oauth.ErrMissingToken {
		return "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
	}
	return "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
}

func (sv *Server) baseURL(r *http.Request) string {
	if sv.opt.PublicURL != "" {
		return strings.TrimSuffix(sv.opt.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// readJSON decodes a metadata body; an empty body is an empty object.
func readJSON(r io.Reader, v any) *apiError {
	data, err := io.ReadAll(io.LimitReader(r, 8<<20))
	if err != nil {
		return errBadRequest("reading request body: " + err.Error())
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return errParse(err.Error())
	}
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
