package auth

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

const (
	testClientID     = "cid.apps.googleusercontent.com"
	testClientSecret = "GOCSPX-notsecret"
	testUser         = "ada@example.com"
)

// syncBuffer collects log lines from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is an emulator authority behind real HTTP, with everything the client
// and the server log captured in one buffer.
type env struct {
	a      *oauth.Authority
	url    string
	logs   *syncBuffer
	log    *slog.Logger
	dir    string // a fresh config dir (not yet created)
	client string // path of a credentials.json for testClientID
}

func newEnv(t *testing.T, o oauth.Options) *env {
	t.Helper()
	e := &env{logs: &syncBuffer{}}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if o.Clients == nil {
		o.Clients = map[string]string{testClientID: testClientSecret}
	}
	if o.User == "" {
		o.User = testUser
	}
	o.Logger = e.log
	e.a = oauth.New(o)
	srv := httptest.NewServer(e.a.Handler())
	t.Cleanup(srv.Close)
	e.url = srv.URL
	tmp := t.TempDir()
	e.dir = filepath.Join(tmp, "config")
	e.client = filepath.Join(tmp, "credentials.json")
	writeJSON(t, e.client, map[string]any{"installed": map[string]any{
		"client_id": testClientID, "client_secret": testClientSecret, "project_id": "p",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
		"redirect_uris": []string{"http://localhost"},
	}})
	return e
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// config is the auth.Config drivesync would build for this env.
func (e *env) config() Config {
	return Config{Endpoint: e.url, ConfigDir: e.dir, Logger: e.log}
}

// check asks the authority whether tok is a valid access token.
func (e *env) check(tok string) (oauth.Identity, error) {
	r := httptest.NewRequest(http.MethodGet, "/drive/v3/about", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return e.a.Check(r)
}

// noSecrets fails the test if any secret appears in the captured logs or in s.
func (e *env) noSecrets(t *testing.T, where string, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		if strings.Contains(e.logs.String(), sec) {
			t.Fatalf("a token or code appears in the logs:\n%s", e.logs.String())
		}
		if strings.Contains(s, sec) {
			t.Fatalf("a token or code appears in %s: %s", where, s)
		}
	}
}

// noFollow returns redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// approve is the browser's first step: GET the consent URL and return where
// the authority redirects to.
func approve(authURL string) (string, error) {
	resp, err := noFollow.Get(authURL)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", &httpStatusError{resp.StatusCode}
	}
	return resp.Header.Get("Location"), nil
}

type httpStatusError struct{ status int }

func (e *httpStatusError) Error() string { return http.StatusText(e.status) }

// urlWriter is Login's Out: it passes the first URL it sees to urls, and
// closes seen once the output contains watch (when set).
type urlWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	sent  bool
	urls  chan string
	watch string
	seen  chan struct{}
	shut  bool
}

func newURLWriter() *urlWriter {
	return &urlWriter{urls: make(chan string, 1), seen: make(chan struct{})}
}

func (w *urlWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		for _, f := range strings.Fields(w.buf.String()) {
			if strings.HasPrefix(f, "http://") || strings.HasPrefix(f, "https://") {
				w.urls <- f
				w.sent = true
				break
			}
		}
	}
	if w.watch != "" && !w.shut && strings.Contains(w.buf.String(), w.watch) {
		close(w.seen)
		w.shut = true
	}
	return len(p), nil
}

func (w *urlWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
