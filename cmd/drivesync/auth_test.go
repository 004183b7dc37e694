package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/auth"
	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

// authTestEnv is an OAuth authority behind real HTTP and a --home for drivesync.
type authTestEnv struct {
	a    *oauth.Authority
	url  string
	home string
}

func newAuthTestEnv(t *testing.T) *authTestEnv {
	t.Helper()
	for _, k := range []string{"DRIVESYNC_TOKEN", "DRIVESYNC_SERVICE_ACCOUNT", "DRIVESYNC_CLIENT_SECRETS", "BROWSER"} {
		t.Setenv(k, "")
	}
	a := oauth.New(oauth.Options{User: "cli@example.com"})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	return &authTestEnv{a: a, url: srv.URL, home: t.TempDir()}
}

// authStderr is a command's stderr; it hands the first URL printed to urls.
type authStderr struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	sent bool
	urls chan string
}

func (w *authStderr) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.sent {
		for _, f := range strings.Fields(w.buf.String()) {
			if strings.HasPrefix(f, "http://") {
				w.urls <- f
				w.sent = true
				break
			}
		}
	}
	return len(p), nil
}

func (w *authStderr) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// run executes drivesync with args against the env and returns stdout,
// stderr and the error. stdin may be nil.
func (e *authTestEnv) run(t *testing.T, stdin io.Reader, stderr *authStderr, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	root.SetArgs(append([]string{"--home", e.home, "--endpoint", e.url, "--log-level", "debug"}, args...))
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(stderr)
	if stdin != nil {
		root.SetIn(stdin)
	}
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func newAuthStderr() *authStderr { return &authStderr{urls: make(chan string, 1)} }

// approveAuthURL is the user's browser clicking "Allow": it returns the
// redirect the authority answers with.
func approveAuthURL(t *testing.T, authURL string) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatalf("GET %s: %v", authURL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorization: status %d", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// TestAuthCommands: login --no-browser, status, status --token, logout, as
// a user on a GPU box would run them; no token is ever printed.
func TestAuthCommands(t *testing.T) {
	e := newAuthTestEnv(t)
	stderr := newAuthStderr()
	stdin, paste := io.Pipe()
	type result struct {
		out string
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := e.run(t, stdin, stderr, "auth", "login", "--no-browser", "--read-only")
		done <- result{out, err}
	}()
	loc := approveAuthURL(t, <-stderr.urls)
	io.WriteString(paste, loc+"\n")
	paste.Close()
	r := <-done
	if r.err != nil {
		t.Fatalf("auth login: %v\n%s", r.err, stderr.String())
	}
	tokenFile := filepath.Join(e.home, "config", auth.TokenFileName)
	if !strings.Contains(r.out, "Logged in as cli@example.com") || !strings.Contains(r.out, tokenFile) {
		t.Fatalf("auth login printed:\n%s", r.out)
	}
	creds, err := auth.LoadCredentials(tokenFile)
	if err != nil {
		t.Fatalf("token file: %v", err)
	}
	if st, err := os.Stat(tokenFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode: %v %v", st.Mode(), err)
	}
	code := func() string { u, _ := url.Parse(loc); return u.Query().Get("code") }()
	secrets := []string{creds.AccessToken, creds.RefreshToken, code}

	status, err := e.run(t, nil, newAuthStderr(), "auth", "status")
	if err != nil {
		t.Fatalf("auth status: %v", err)
	}
	for _, want := range []string{"stored login", "cli@example.com", auth.ScopeDriveReadonly, tokenFile, "expiry:", e.url + "/token"} {
		if !strings.Contains(status, want) {
			t.Errorf("auth status lacks %q:\n%s", want, status)
		}
	}

	// The stored login works for the commands that talk to Drive.
	g := &globals{home: e.home, endpoint: e.url, logLevel: "info"}
	ts, err := g.tokenSource(context.Background(), newAuthCmd(g), &credFlags{}, true)
	if err != nil {
		t.Fatalf("tokenSource: %v", err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	req := httptest.NewRequest(http.MethodGet, "/drive/v3/about", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if id, err := e.a.Check(req); err != nil || id.Email != "cli@example.com" {
		t.Fatalf("Check = %+v, %v", id, err)
	}

	minted := e.a.Mint("ci@example.com", []string{auth.ScopeDrive}, time.Hour)
	statusTok, err := e.run(t, nil, newAuthStderr(), "auth", "status", "--token", minted)
	if err != nil || !strings.Contains(statusTok, "static access token") {
		t.Fatalf("auth status --token: %v\n%s", err, statusTok)
	}
	t.Setenv("DRIVESYNC_TOKEN", minted)
	statusEnv, err := e.run(t, nil, newAuthStderr(), "auth", "status")
	if err != nil || !strings.Contains(statusEnv, "static access token") {
		t.Fatalf("auth status with DRIVESYNC_TOKEN: %v\n%s", err, statusEnv)
	}
	t.Setenv("DRIVESYNC_TOKEN", "")
	help, _ := e.run(t, nil, newAuthStderr(), "auth", "status", "--help")

	logoutErr := newAuthStderr()
	out, err := e.run(t, nil, logoutErr, "auth", "logout")
	if err != nil || !strings.Contains(out, "Logged out") {
		t.Fatalf("auth logout: %v\n%s", err, out)
	}
	if _, err := os.Stat(tokenFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("token file after logout: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+creds.AccessToken)
	if _, err := e.a.Check(req); !errors.Is(err, oauth.ErrInvalidToken) {
		t.Fatalf("access token alive after logout: %v", err)
	}
	if _, err := e.run(t, nil, newAuthStderr(), "auth", "status"); !errors.Is(err, auth.ErrNotLoggedIn) {
		t.Fatalf("auth status after logout = %v, want ErrNotLoggedIn", err)
	}

	for name, text := range map[string]string{
		"login stdout": r.out, "login stderr": stderr.String(), "status": status, "status --token": statusTok,
		"status with env": statusEnv, "help": help, "logout": out + logoutErr.String(),
	} {
		for _, s := range append(secrets, minted) {
			if strings.Contains(text, s) {
				t.Fatalf("%s shows a token or code:\n%s", name, text)
			}
		}
	}
}

// TestAuthLoginBrowser: the browser path through the command, with a fake
// browser that approves and follows the redirect to the loopback listener.
func TestAuthLoginBrowser(t *testing.T) {
	e := newAuthTestEnv(t)
	browser := func(u string) error {
		resp, err := http.Get(u) // follows the 302 to 127.0.0.1
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	g := &globals{home: e.home, endpoint: e.url, logLevel: "info"}
	cmd := authCommand(g, browser)
	cmd.SetArgs([]string{"login"})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("auth login: %v", err)
	}
	if !strings.Contains(out.String(), "Logged in as cli@example.com ("+auth.ScopeDrive) {
		t.Fatalf("auth login printed %q", out.String())
	}
}

// TestAuthLoginGoogleNeedsClient: against Google without a client file the
// command says what to pass.
func TestAuthLoginGoogleNeedsClient(t *testing.T) {
	e := newAuthTestEnv(t)
	root := newRootCmd()
	root.SetArgs([]string{"--home", e.home, "--endpoint", "", "auth", "login", "--no-browser"})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	if err := root.ExecuteContext(context.Background()); !errors.Is(err, auth.ErrNoClient) {
		t.Fatalf("auth login without client = %v, want ErrNoClient", err)
	}
}
