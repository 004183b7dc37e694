package auth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

func newRSAKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serviceAccountKey writes a Cloud-console-style key file whose token_uri is
// the emulator, and returns its path.
func serviceAccountKey(t *testing.T, dir, email string, key *rsa.PrivateKey, tokenURI string) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.Split(email, "@")[0]+".json")
	writeJSON(t, path, map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "kid1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": email, "client_id": "1", "token_uri": tokenURI,
	})
	return path
}

func TestServiceAccount(t *testing.T) {
	const email = "trainer@proj.iam.gserviceaccount.com"
	dir := t.TempDir()
	key := newRSAKey(t)
	e := newEnv(t, oauth.Options{ServiceAccounts: map[string]*rsa.PublicKey{email: &key.PublicKey}})
	keyFile := serviceAccountKey(t, dir, email, key, e.url+"/token")

	for _, readOnly := range []bool{false, true} {
		c := e.config()
		c.ServiceAccountFile, c.ReadOnly = keyFile, readOnly
		ts, err := TokenSource(context.Background(), c)
		if err != nil {
			t.Fatalf("TokenSource: %v", err)
		}
		tok, err := ts.Token()
		if err != nil {
			t.Fatalf("service account token: %v", err)
		}
		id, err := e.check(tok.AccessToken)
		if err != nil || id.Email != email || !id.HasScope(DriveScope(readOnly)) || len(id.Scopes) != 1 {
			t.Fatalf("Check = %+v, %v", id, err)
		}
		info, err := Describe(c)
		if err != nil || info.Method != MethodServiceAccount || info.Account != email || info.File != keyFile || info.TokenURI != e.url+"/token" {
			t.Fatalf("Describe = %+v, %v", info, err)
		}
		e.noSecrets(t, "Describe", strings.Join([]string{info.Account, info.File, info.TokenURI}, " "), tok.AccessToken)
	}

	// A key the authority does not know is refused, as a TokenError.
	otherFile := serviceAccountKey(t, dir, "stranger@proj.iam.gserviceaccount.com", newRSAKey(t), e.url+"/token")
	c := e.config()
	c.ServiceAccountFile = otherFile
	ts, err := TokenSource(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token()
	var te *TokenError
	if !errors.As(err, &te) || te.Status != 400 || te.Code != "invalid_grant" {
		t.Fatalf("unknown account: %v, want 400 invalid_grant", err)
	}

	for name, content := range map[string]string{
		"user.json":    `{"type":"authorized_user","client_id":"x"}`,
		"broken.json":  `{"type":`,
		"nokey.json":   `{"type":"service_account","client_email":"a@b"}`,
		"missing.json": "",
	} {
		p := filepath.Join(dir, name)
		if content != "" {
			os.WriteFile(p, []byte(content), 0o600)
		}
		c.ServiceAccountFile = p
		if _, err := TokenSource(context.Background(), c); err == nil || !strings.Contains(err.Error(), "service account key") {
			t.Errorf("%s: TokenSource error = %v", name, err)
		}
	}
}

// TestStaticToken: --token wins over everything and is used as is.
func TestStaticToken(t *testing.T) {
	e := newEnv(t, oauth.Options{})
	minted := e.a.Mint("ci@example.com", []string{ScopeDrive}, time.Hour)
	c := e.config()
	c.AccessToken = minted
	c.ServiceAccountFile = "/nonexistent/key.json" // ignored: the token wins
	ts, err := TokenSource(context.Background(), c)
	if err != nil {
		t.Fatalf("TokenSource: %v", err)
	}
	tok, err := ts.Token()
	if err != nil || tok.AccessToken != minted {
		t.Fatalf("Token() = %v", err)
	}
	if id, err := e.check(tok.AccessToken); err != nil || id.Email != "ci@example.com" {
		t.Fatalf("Check = %+v, %v", id, err)
	}
	info, err := Describe(c)
	if err != nil || info.Method != MethodToken || info.Account != "" || info.File != "" {
		t.Fatalf("Describe = %+v, %v", info, err)
	}
}

// TestStoredLoginGuards: a login is not used against another endpoint, and a
// revoked one says to log in again without showing any token.
func TestStoredLoginGuards(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	creds, err := loginByBrowser(t, e)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	creds.Expiry = time.Now().Add(-time.Minute)
	if err := SaveCredentials(TokenFile(e.dir), creds); err != nil {
		t.Fatal(err)
	}

	for _, other := range []string{"", "http://127.0.0.1:9"} {
		c := e.config()
		c.Endpoint = other
		if _, err := TokenSource(context.Background(), c); err == nil || !strings.Contains(err.Error(), "holds a login for "+e.url) {
			t.Fatalf("endpoint %q: TokenSource = %v, want an endpoint mismatch", other, err)
		}
	}

	if err := Revoke(context.Background(), e.url+"/revoke", creds.RefreshToken); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	ts, err := TokenSource(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token()
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" || !strings.Contains(err.Error(), "run drivesync auth login") {
		t.Fatalf("Token() after revoke = %v", err)
	}
	e.noSecrets(t, "the refresh error", err.Error(), creds.RefreshToken, creds.AccessToken)

	// Logout still cleans up when the authority no longer knows the token.
	if _, err := Logout(context.Background(), e.config()); err != nil {
		t.Fatalf("Logout of a revoked login: %v", err)
	}
}

// TestLogoutUnreachable: the file goes even when the revoke call cannot be
// made, and the error says the token may still be valid.
func TestLogoutUnreachable(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	creds, err := loginByBrowser(t, e)
	if err != nil {
		t.Fatal(err)
	}
	creds.RevokeURI = "http://127.0.0.1:1/revoke" // nothing listens there
	if err := SaveCredentials(TokenFile(e.dir), creds); err != nil {
		t.Fatal(err)
	}
	_, err = Logout(context.Background(), e.config())
	if err == nil || !strings.Contains(err.Error(), "may still be valid") {
		t.Fatalf("Logout = %v", err)
	}
	e.noSecrets(t, "the logout error", err.Error(), creds.RefreshToken)
	if _, err := os.Stat(TokenFile(e.dir)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("token file kept: %v", err)
	}
}

// loginByBrowser logs in with a browser that approves at once.
func loginByBrowser(t *testing.T, e *env) (*Credentials, error) {
	t.Helper()
	open := func(u string) error {
		loc, err := approve(u)
		if err != nil {
			return err
		}
		_, err = deliver(loc)
		return err
	}
	return Login(context.Background(), LoginOptions{Endpoint: e.url, Open: open, Logger: e.log})
}

// TestStoredSourceConcurrent: many goroutines asking an expired stored login
// for a token get one each, and the file ends up holding a valid one.
func TestStoredSourceConcurrent(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	creds, err := loginByBrowser(t, e)
	if err != nil {
		t.Fatal(err)
	}
	creds.Expiry = time.Now().Add(-time.Minute)
	if err := SaveCredentials(TokenFile(e.dir), creds); err != nil {
		t.Fatal(err)
	}
	ts, err := TokenSource(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	toks := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			tok, err := ts.Token()
			if err != nil {
				errs <- err
				return
			}
			toks <- tok.AccessToken
		}()
	}
	seen := map[string]bool{}
	for range n {
		select {
		case err := <-errs:
			t.Fatalf("Token: %v", err)
		case tok := <-toks:
			seen[tok] = true
		}
	}
	if len(seen) != 1 || seen[creds.AccessToken] {
		t.Fatalf("%d distinct tokens (stale one among them: %t), want one fresh token", len(seen), seen[creds.AccessToken])
	}
	saved, err := LoadCredentials(TokenFile(e.dir))
	if err != nil || !seen[saved.AccessToken] {
		t.Fatalf("token file does not hold the refreshed token: %v", err)
	}
}

// TestStoredSourceInvalidate: after Invalidate, a still-unexpired token is
// not handed out again; the next Token refreshes.
func TestStoredSourceInvalidate(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	creds, err := loginByBrowser(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveCredentials(TokenFile(e.dir), creds); err != nil {
		t.Fatal(err)
	}
	ts, err := TokenSource(context.Background(), e.config())
	if err != nil {
		t.Fatal(err)
	}
	first, err := ts.Token()
	if err != nil || first.AccessToken != creds.AccessToken {
		t.Fatalf("first token: %v", err)
	}
	inv, ok := ts.(interface{ Invalidate() })
	if !ok {
		t.Fatal("stored login source cannot be invalidated")
	}
	inv.Invalidate()
	second, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken == first.AccessToken || second.AccessToken == "" {
		t.Fatal("Invalidate did not force a refresh")
	}
}
