package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
	"golang.org/x/oauth2"
)

// deliver plays the browser's second step: GET the loopback redirect.
func deliver(loc string) (int, error) {
	resp, err := http.Get(loc)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestLoginRejects: redirects that do not belong to this login are refused
// by the client (state) or by the authority (PKCE), and the user's refusal
// comes back as a DeniedError.
func TestLoginRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		browser func(t *testing.T, e *env, authURL string) error
		check   func(t *testing.T, err error)
	}{
		{
			name: "state mismatch",
			browser: func(t *testing.T, e *env, authURL string) error {
				loc, err := approve(authURL)
				if err != nil {
					return err
				}
				u, _ := url.Parse(loc)
				q := u.Query()
				q.Set("state", "forged")
				u.RawQuery = q.Encode()
				if st, err := deliver(u.String()); err != nil || st != http.StatusBadRequest {
					t.Errorf("loopback answered a forged state with %d %v, want 400", st, err)
				}
				return nil
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrStateMismatch) {
					t.Fatalf("Login = %v, want ErrStateMismatch", err)
				}
			},
		},
		{
			name: "missing state",
			browser: func(t *testing.T, e *env, authURL string) error {
				loc, err := approve(authURL)
				if err != nil {
					return err
				}
				u, _ := url.Parse(loc)
				q := u.Query()
				q.Del("state")
				u.RawQuery = q.Encode()
				_, err = deliver(u.String())
				return err
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrStateMismatch) {
					t.Fatalf("Login = %v, want ErrStateMismatch", err)
				}
			},
		},
		{
			// An attacker's code, obtained with the attacker's own PKCE
			// challenge, injected into our loopback with our state: only
			// PKCE can tell, and the authority does.
			name: "injected code fails PKCE",
			browser: func(t *testing.T, e *env, authURL string) error {
				u, _ := url.Parse(authURL)
				q := u.Query()
				q.Set("code_challenge", oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()))
				u.RawQuery = q.Encode()
				loc, err := approve(u.String())
				if err != nil {
					return err
				}
				_, err = deliver(loc)
				return err
			},
			check: func(t *testing.T, err error) {
				var te *TokenError
				if !errors.As(err, &te) || te.Status != 400 || te.Code != "invalid_grant" || te.Description != "Invalid code verifier." {
					t.Fatalf("Login = %v, want 400 invalid_grant Invalid code verifier.", err)
				}
			},
		},
		{
			name: "user declines",
			browser: func(t *testing.T, e *env, authURL string) error {
				u, _ := url.Parse(authURL)
				q := u.Query()
				back := q.Get("redirect_uri") + "?error=access_denied&state=" + url.QueryEscape(q.Get("state"))
				_, err := deliver(back)
				return err
			},
			check: func(t *testing.T, err error) {
				var de *DeniedError
				if !errors.As(err, &de) || de.Code != "access_denied" {
					t.Fatalf("Login = %v, want DeniedError access_denied", err)
				}
			},
		},
		{
			name: "no browser, then context ends",
			browser: func(t *testing.T, e *env, authURL string) error {
				return ErrNoBrowser
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Login = %v, want context.Canceled", err)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, oauth.Options{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := newURLWriter()
			out.watch = "Could not open a browser"
			go func() {
				select {
				case <-out.seen: // Login printed its advice; the user gives up
					cancel()
				case <-ctx.Done():
				}
			}()
			open := func(u string) error { return tc.browser(t, e, u) }
			_, err := Login(ctx, LoginOptions{Endpoint: e.url, ClientSecrets: e.client, Open: open, Out: out, Logger: e.log})
			tc.check(t, err)
		})
	}
}

// TestPasteRejects: the --no-browser path checks the state too.
func TestPasteRejects(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	in, paste := io.Pipe()
	out := newURLWriter()
	done := make(chan error, 1)
	go func() {
		_, err := Login(context.Background(), LoginOptions{Endpoint: e.url, NoBrowser: true, In: in, Out: out})
		done <- err
	}()
	loc, err := approve(<-out.urls)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(loc)
	q := u.Query()
	q.Set("state", "someone-elses")
	u.RawQuery = q.Encode()
	io.WriteString(paste, u.String()+"\n")
	paste.Close()
	err = <-done
	if !errors.Is(err, ErrStateMismatch) {
		t.Fatalf("Login = %v, want ErrStateMismatch", err)
	}
	if strings.Contains(err.Error(), q.Get("code")) {
		t.Fatalf("error repeats the code: %v", err)
	}
}
