package auth

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// pasteRedirect is the redirect URI of a --no-browser login. Nothing listens
// there: the browser, on whatever machine, fails to load it and shows the
// URL with the code, which the user copies back.
const pasteRedirect = "http://127.0.0.1:1/"

// LoginOptions configure Login.
type LoginOptions struct {
	// Endpoint is drivesync's --endpoint: "" for Google, else the emulator's
	// base URL.
	Endpoint string
	// ClientSecrets is a Google Cloud credentials.json; may be "" with an
	// Endpoint (see ClientConfig).
	ClientSecrets string
	// ReadOnly asks for drive.readonly instead of drive.
	ReadOnly bool
	// NoBrowser prints the URL and reads the redirected URL from In instead
	// of listening on 127.0.0.1.
	NoBrowser bool
	// Open shows a URL in a browser; OpenBrowser when nil. If it fails the
	// user is asked to open the printed URL.
	Open func(url string) error
	// In is where the pasted URL is read from (NoBrowser).
	In io.Reader
	// Out gets the instructions and the URL to open; io.Discard when nil.
	Out io.Writer
	// Logger gets progress lines, never tokens; discarded when nil.
	Logger *slog.Logger
}

// Login runs the installed-app authorization code flow with PKCE and a
// random state and returns the credentials to save with SaveCredentials.
// It waits until the user is done or ctx ends.
func Login(ctx context.Context, o LoginOptions) (*Credentials, error) {
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Open == nil {
		o.Open = OpenBrowser
	}
	client, err := ClientConfig(o.ClientSecrets, o.Endpoint)
	if err != nil {
		return nil, err
	}
	client.Scopes = LoginScopes(o.ReadOnly)
	verifier, state := oauth2.GenerateVerifier(), rand.Text()
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(verifier),
		oauth2.AccessTypeOffline,
		oauth2.SetAuthURLParam("prompt", "consent"), // so a new login gets a refresh token again
	}
	var code string
	if o.NoBrowser {
		client.RedirectURL = pasteRedirect
		code, err = pasteCode(ctx, o, client.AuthCodeURL(state, opts...), state)
	} else {
		code, err = loopbackCode(ctx, o, client, state, opts)
	}
	if err != nil {
		return nil, err
	}
	tok, err := client.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("auth: exchange the authorization code at %s: %w", client.Endpoint.TokenURL, clean(err))
	}
	if tok.RefreshToken == "" {
		return nil, fmt.Errorf("auth: %s returned no refresh token", client.Endpoint.TokenURL)
	}
	c := &Credentials{
		Type:         authorizedUser,
		ClientID:     client.ClientID,
		ClientSecret: client.ClientSecret,
		TokenURI:     client.Endpoint.TokenURL,
		RevokeURI:    RevokeURL(o.Endpoint),
		Endpoint:     strings.TrimRight(o.Endpoint, "/"),
		Scopes:       client.Scopes,
	}
	c.update(tok)
	if id, ok := tok.Extra("id_token").(string); ok {
		c.Account = accountFromIDToken(id)
	}
	if !grants(c.Scopes, DriveScope(o.ReadOnly)) {
		// Useless to drivesync; do not leave it valid behind the user's back.
		if err := Revoke(ctx, c.RevokeURI, c.RefreshToken); err != nil {
			o.Logger.Warn("auth: could not revoke the login without Drive access", "err", err)
		}
		return nil, fmt.Errorf("auth: the login was not granted %s (granted: %s); allow Drive access when signing in", DriveScope(o.ReadOnly), strings.Join(c.Scopes, " "))
	}
	o.Logger.Info("auth: logged in", "account", c.Account, "scopes", strings.Join(c.Scopes, " "), "expiry", c.Expiry)
	return c, nil
}

// grants reports whether scopes covers want; drive covers drive.readonly.
func grants(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want || (s == ScopeDrive && want == ScopeDriveReadonly) {
			return true
		}
	}
	return false
}

// loopbackCode listens on 127.0.0.1, has the browser open the consent page
// and waits for the redirect back.
func loopbackCode(ctx context.Context, o LoginOptions, client *oauth2.Config, state string, opts []oauth2.AuthCodeOption) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("auth: listen for the redirect: %w", err)
	}
	client.RedirectURL = "http://" + ln.Addr().String() + "/"
	type result struct {
		code string
		err  error
	}
	results := make(chan result, 1)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			code, err := codeFromQuery(r.URL.Query(), state)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, "drivesync: sign-in failed: %v\n", err)
			} else {
				fmt.Fprintln(w, "drivesync: signed in. You can close this window.")
			}
			select {
			case results <- result{code, err}:
			default: // only the first redirect counts
			}
		}),
	}
	go srv.Serve(ln) //nolint:errcheck // returns ErrServerClosed on Shutdown
	defer func() {
		// Shutdown, not Close: the browser still gets the page it is owed.
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx) //nolint:errcheck // a browser that lingers is cut off
	}()

	authURL := client.AuthCodeURL(state, opts...)
	o.Logger.Debug("auth: waiting for the redirect", "listen", ln.Addr().String())
	fmt.Fprintf(o.Out, "Opening a browser to sign in. If none opens, visit this URL:\n\n  %s\n\n", authURL)
	opened := make(chan error, 1)
	go func() { opened <- o.Open(authURL) }()
	for {
		select {
		case err := <-opened:
			opened = nil
			if err != nil {
				o.Logger.Debug("auth: no browser", "err", err)
				fmt.Fprintf(o.Out, "Could not open a browser (%v). Open the URL above; it must reach this machine's 127.0.0.1, otherwise use --no-browser.\n", err)
			}
		case r := <-results:
			return r.code, r.err
		case <-ctx.Done():
			return "", fmt.Errorf("auth: waiting for the browser: %w", ctx.Err())
		}
	}
}

// pasteCode prints the URL and reads back the redirected URL the user pastes.
func pasteCode(ctx context.Context, o LoginOptions, authURL, state string) (string, error) {
	if o.In == nil {
		return "", errors.New("auth: --no-browser needs standard input to paste the URL into")
	}
	fmt.Fprintf(o.Out, "Open this URL in a browser on any machine and sign in:\n\n  %s\n\n"+
		"The browser then fails to load a page on 127.0.0.1:1; that is expected.\n"+
		"Copy the whole address from its address bar and paste it here: ", authURL)
	type line struct {
		s   string
		err error
	}
	lines := make(chan line, 1)
	go func() {
		// A read cannot be interrupted; if ctx ends first this goroutine
		// stays blocked until input arrives or the process exits.
		s, err := bufio.NewReaderSize(o.In, maxPaste+2).ReadString('\n')
		lines <- line{s, err}
	}()
	select {
	case l := <-lines:
		if l.err != nil && (l.s == "" || !errors.Is(l.err, io.EOF)) {
			return "", fmt.Errorf("auth: read the pasted URL: %w", l.err)
		}
		return ParseRedirect(l.s, state)
	case <-ctx.Done():
		return "", fmt.Errorf("auth: waiting for the pasted URL: %w", ctx.Err())
	}
}
