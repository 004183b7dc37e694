package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

// TestLoginEndToEnd: browser login against the emulator's authority, token
// file, use, refresh, logout — with real HTTP all the way, and no token in
// any log line or error.
func TestLoginEndToEnd(t *testing.T) {
	e := newEnv(t, oauth.Options{})
	ctx := context.Background()
	var code string
	browser := func(authURL string) error {
		loc, err := approve(authURL) // the user clicks "Allow"
		if err != nil {
			return err
		}
		u, err := url.Parse(loc)
		if err != nil {
			return err
		}
		if u.Hostname() != "127.0.0.1" {
			return fmt.Errorf("redirected off loopback to %s", u.Host)
		}
		code = u.Query().Get("code")
		resp, err := http.Get(loc) // the browser follows the redirect to drivesync
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "signed in") {
			return fmt.Errorf("loopback page: %d %s", resp.StatusCode, page)
		}
		return nil
	}
	out := newURLWriter()
	creds, err := Login(ctx, LoginOptions{Endpoint: e.url, ClientSecrets: e.client, Open: browser, Out: out, Logger: e.log})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if creds.Account != testUser || creds.ClientID != testClientID || creds.TokenURI != e.url+"/token" || creds.RevokeURI != e.url+"/revoke" {
		t.Fatalf("credentials: account %q client %q token_uri %q revoke_uri %q", creds.Account, creds.ClientID, creds.TokenURI, creds.RevokeURI)
	}
	if !slices.Contains(creds.Scopes, ScopeDrive) || slices.Contains(creds.Scopes, ScopeDriveReadonly) {
		t.Fatalf("scopes = %q", creds.Scopes)
	}
	authURL := <-out.urls
	if !strings.HasPrefix(authURL, e.url+"/o/oauth2/auth?") || !strings.Contains(authURL, "code_challenge_method=S256") {
		t.Fatalf("auth URL %s", authURL)
	}

	path := TokenFile(e.dir)
	if err := SaveCredentials(path, creds); err != nil {
		t.Fatalf("SaveCredentials: %v", err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, e.dir: 0o700 | os.ModeDir} {
		if st, err := os.Stat(p); err != nil || st.Mode() != want {
			t.Fatalf("%s: mode %v (%v), want %v", p, st.Mode(), err, want)
		}
	}

	// drivesync uses the stored login.
	ts, err := TokenSource(ctx, e.config())
	if err != nil {
		t.Fatalf("TokenSource: %v", err)
	}
	first, err := ts.Token()
	if err != nil || first.AccessToken != creds.AccessToken {
		t.Fatalf("Token() = %v, want the stored token", err)
	}
	if id, err := e.check(first.AccessToken); err != nil || id.Email != testUser || !id.HasScope(ScopeDrive) {
		t.Fatalf("Check = %+v, %v", id, err)
	}

	// The stored access token has run out: the source refreshes and saves.
	stale, _ := LoadCredentials(path)
	stale.Expiry = time.Now().Add(-time.Minute)
	if err := SaveCredentials(path, stale); err != nil {
		t.Fatal(err)
	}
	ts, err = TokenSource(ctx, e.config())
	if err != nil {
		t.Fatalf("TokenSource: %v", err)
	}
	fresh, err := ts.Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == first.AccessToken {
		t.Fatalf("expired token was not refreshed")
	}
	saved, err := LoadCredentials(path)
	if err != nil || saved.AccessToken != fresh.AccessToken || saved.RefreshToken != creds.RefreshToken || !saved.Expiry.After(time.Now()) {
		t.Fatalf("token file after refresh: %v (same access token: %t)", err, saved != nil && saved.AccessToken == fresh.AccessToken)
	}
	if st, err := os.Stat(path); err != nil || st.Mode() != 0o600 {
		t.Fatalf("token file mode after refresh: %v %v", st.Mode(), err)
	}
	if _, err := e.check(fresh.AccessToken); err != nil {
		t.Fatalf("Check refreshed: %v", err)
	}
	info, err := Describe(e.config())
	if err != nil || info.Method != MethodLogin || info.Account != testUser || info.File != path || !info.Expiry.Equal(saved.Expiry) {
		t.Fatalf("Describe = %+v, %v", info, err)
	}

	// Logout revokes at the authority and removes the file.
	if _, err := Logout(ctx, e.config()); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("token file still there after logout: %v", err)
	}
	if _, err := e.check(fresh.AccessToken); !errors.Is(err, oauth.ErrInvalidToken) {
		t.Fatalf("access token alive after logout: %v", err)
	}
	_, err = TokenSource(ctx, e.config())
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("TokenSource after logout = %v, want ErrNotLoggedIn", err)
	}
	_, err = Logout(ctx, e.config())
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("second Logout = %v, want ErrNotLoggedIn", err)
	}
	e.noSecrets(t, "Login's output", out.String(), code, creds.AccessToken, creds.RefreshToken, fresh.AccessToken)
}

// TestLoginNoBrowser: the user opens the URL elsewhere and pastes back the
// address the browser could not load, as a URL or as its bare query.
func TestLoginNoBrowser(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paste func(loc string) string
	}{
		{"whole URL", func(loc string) string { return loc + "\n" }},
		{"quoted, no newline", func(loc string) string { return ` "` + loc + `" ` }},
		{"query only", func(loc string) string { _, q, _ := strings.Cut(loc, "?"); return q + "\r\n" }},
		{"without scheme", func(loc string) string { return strings.TrimPrefix(loc, "http://") + "\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oauth.Options{Clients: map[string]string{}}) // any client, for EmulatorClientID
			in, paste := io.Pipe()
			out := newURLWriter()
			done := make(chan error, 1)
			var creds *Credentials
			go func() {
				var err error
				creds, err = Login(context.Background(), LoginOptions{
					Endpoint: e.url, NoBrowser: true, ReadOnly: true, In: in, Out: out, Logger: e.log,
				})
				done <- err
			}()
			loc, err := approve(<-out.urls)
			if err != nil {
				t.Fatalf("approve: %v", err)
			}
			if !strings.HasPrefix(loc, pasteRedirect+"?") {
				t.Fatalf("redirected to %s, want %s", loc, pasteRedirect)
			}
			if _, err := io.WriteString(paste, tc.paste(loc)); err != nil {
				t.Fatal(err)
			}
			paste.Close()
			if err := <-done; err != nil {
				t.Fatalf("Login: %v", err)
			}
			if creds.ClientID != EmulatorClientID || !slices.Contains(creds.Scopes, ScopeDriveReadonly) || slices.Contains(creds.Scopes, ScopeDrive) {
				t.Fatalf("client %q scopes %q", creds.ClientID, creds.Scopes)
			}
			if id, err := e.check(creds.AccessToken); err != nil || !id.HasScope(ScopeDriveReadonly) {
				t.Fatalf("Check = %+v, %v", id, err)
			}
		})
	}
}
