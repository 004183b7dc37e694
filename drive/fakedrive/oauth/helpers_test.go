package oauth

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const (
	scopeDrive    = "https://www.googleapis.com/auth/drive"
	scopeReadonly = "https://www.googleapis.com/auth/drive.readonly"
)

// clock is a settable time source for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects log output from concurrent handlers.
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

type fixture struct {
	a    *Authority
	srv  *httptest.Server
	clk  *clock
	logs *syncBuffer
}

// newFixture runs an Authority behind a real HTTP server.
func newFixture(t *testing.T, o Options) *fixture {
	t.Helper()
	f := &fixture{clk: newClock(), logs: &syncBuffer{}}
	o.Now = f.clk.Now
	o.Logger = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.a = New(o)
	f.srv = httptest.NewServer(f.a.Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) config(clientID, secret string, style oauth2.AuthStyle, scopes ...string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  "http://127.0.0.1:9/cb",
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   f.srv.URL + "/o/oauth2/auth",
			TokenURL:  f.srv.URL + "/token",
			AuthStyle: style,
		},
	}
}

// noFollow is an HTTP client that returns redirects instead of following
// them, so a test can read where the authority sends the browser.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize performs the browser's GET on authURL and returns the status and
// the parsed redirect (nil when there is none).
func authorize(t *testing.T, authURL string) (int, *url.URL) {
	t.Helper()
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatalf("GET auth URL: %v", err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		return resp.StatusCode, nil
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("Location %q: %v", loc, err)
	}
	return resp.StatusCode, u
}

// getCode runs the authorization step and returns the code.
func getCode(t *testing.T, c *oauth2.Config, state string, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	status, u := authorize(t, c.AuthCodeURL(state, opts...))
	if status != http.StatusFound || u == nil {
		t.Fatalf("authorize: status %d, no redirect", status)
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("authorize: error=%s (%s)", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		t.Fatalf("authorize: state %q, want %q", q.Get("state"), state)
	}
	return q.Get("code")
}

// bearer builds a request carrying tok.
func bearer(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/drive/v3/files", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

// postForm posts v to the fixture's path and returns status and body.
func (f *fixture) postForm(t *testing.T, path string, v url.Values) (int, string) {
	t.Helper()
	resp, err := http.Post(f.srv.URL+path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatalf("read %s reply: %v", path, err)
	}
	return resp.StatusCode, b.String()
}
