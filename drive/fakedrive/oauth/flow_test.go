package oauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestAuthCodeFlow runs x/oauth2 through code exchange, API check, refresh
// and revocation, with both ways of client authentication it may pick.
func TestAuthCodeFlow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		style   oauth2.AuthStyle
		clients map[string]string
	}{
		{"basic auth, registered client", oauth2.AuthStyleInHeader, map[string]string{"cid": "s3cr/et+"}},
		{"form fields, registered client", oauth2.AuthStyleInParams, map[string]string{"cid": "s3cr/et+"}},
		{"auto detect, any client", oauth2.AuthStyleAutoDetect, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Options{Clients: tc.clients, User: "ada@example.com", TokenTTL: 30 * time.Minute})
			c := f.config("cid", "s3cr/et+", tc.style, scopeDrive)
			verifier := oauth2.GenerateVerifier()
			code := getCode(t, c, "st-1", oauth2.S256ChallengeOption(verifier))
			ctx := context.Background()
			tok, err := c.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.Extra("scope") != scopeDrive {
				t.Fatalf("token: refresh %t, type %q, scope %v", tok.RefreshToken != "", tok.TokenType, tok.Extra("scope"))
			}
			if got := time.Until(tok.Expiry).Round(time.Minute); got != 30*time.Minute {
				t.Errorf("expires in %v, want 30m", got)
			}
			id, err := f.a.Check(bearer(tok.AccessToken))
			if err != nil || id.Email != "ada@example.com" || !id.HasScope(scopeDrive) {
				t.Fatalf("Check = %+v, %v", id, err)
			}

			// The access token runs out; the source refreshes it.
			f.clk.Advance(31 * time.Minute)
			if _, err := f.a.Check(bearer(tok.AccessToken)); !errors.Is(err, ErrExpiredToken) || !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Check expired = %v, want ErrExpiredToken", err)
			}
			old := *tok
			old.Expiry = time.Now().Add(-time.Minute) // x/oauth2 uses the real clock
			fresh, err := c.TokenSource(ctx, &old).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken != tok.RefreshToken {
				t.Fatalf("refresh gave the same access token or another refresh token")
			}
			if _, err := f.a.Check(bearer(fresh.AccessToken)); err != nil {
				t.Fatalf("Check refreshed: %v", err)
			}

			// Revoking the refresh token kills its access tokens and itself.
			if st, body := f.postForm(t, "/revoke", url.Values{"token": {tok.RefreshToken}}); st != http.StatusOK {
				t.Fatalf("revoke: %d %s", st, body)
			}
			if _, err := f.a.Check(bearer(fresh.AccessToken)); !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Check after revoke = %v, want ErrInvalidToken", err)
			}
			_, err = c.TokenSource(ctx, &old).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
				t.Fatalf("refresh after revoke = %v, want 400 invalid_grant", err)
			}
			if st, body := f.postForm(t, "/revoke", url.Values{"token": {tok.RefreshToken}}); st != http.StatusBadRequest || !strings.Contains(body, "invalid_token") {
				t.Fatalf("second revoke: %d %s", st, body)
			}

			logs := f.logs.String()
			for _, secret := range []string{code, tok.AccessToken, tok.RefreshToken, fresh.AccessToken, verifier} {
				if strings.Contains(logs, secret) {
					t.Fatalf("logs contain a token or code:\n%s", logs)
				}
			}
		})
	}
}

// TestRevokeAccessToken: revoking an access token revokes its refresh token,
// as Google documents; the token may also come in the query string.
func TestRevokeAccessToken(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.config("cid", "", oauth2.AuthStyleInParams, scopeReadonly)
	v := oauth2.GenerateVerifier()
	tok, err := c.Exchange(context.Background(), getCode(t, c, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if st, body := f.postForm(t, "/revoke?token="+url.QueryEscape(tok.AccessToken), nil); st != http.StatusOK {
		t.Fatalf("revoke: %d %s", st, body)
	}
	st, body := f.postForm(t, "/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "refresh_token": {tok.RefreshToken}})
	if st != http.StatusBadRequest || !strings.Contains(body, `"invalid_grant"`) {
		t.Fatalf("refresh after access revoke: %d %s", st, body)
	}
	if st, _ := f.postForm(t, "/revoke", url.Values{}); st != http.StatusBadRequest {
		t.Fatalf("revoke without token: %d, want 400", st)
	}
}

// TestPlainPKCE: like Google, the plain method (and a missing method, which
// means plain) is accepted.
func TestPlainPKCE(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.config("cid", "", oauth2.AuthStyleInParams, scopeDrive)
	v := oauth2.GenerateVerifier()
	for _, opts := range [][]oauth2.AuthCodeOption{
		{oauth2.SetAuthURLParam("code_challenge", v), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
		{oauth2.SetAuthURLParam("code_challenge", v)},
	} {
		if _, err := c.Exchange(context.Background(), getCode(t, c, "s", opts...), oauth2.VerifierOption(v)); err != nil {
			t.Fatalf("Exchange with plain PKCE: %v", err)
		}
	}
}

// TestIDToken: with openid and email scopes the reply carries an id_token
// whose claims name the user and the client.
func TestIDToken(t *testing.T) {
	f := newFixture(t, Options{User: "grace@example.com"})
	c := f.config("cid", "", oauth2.AuthStyleInParams, scopeDrive, "openid", "email")
	v := oauth2.GenerateVerifier()
	tok, err := c.Exchange(context.Background(), getCode(t, c, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	p, err := parseJWT(raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	var claims idClaims
	if err := json.Unmarshal(p.rawBody, &claims); err != nil {
		t.Fatalf("id_token claims: %v", err)
	}
	if claims.Email != "grace@example.com" || claims.Aud != "cid" || len(claims.Sub) != 21 || !claims.EmailVerified {
		t.Fatalf("id_token claims = %+v", claims)
	}
	if err := p.verify(&f.a.idKey.PublicKey); err != nil {
		t.Fatalf("id_token signature: %v", err)
	}
	scopes := strings.Fields(tok.Extra("scope").(string))
	want := []string{scopeDrive, "openid", "https://www.googleapis.com/auth/userinfo.email"}
	if !slices.Equal(scopes, want) {
		t.Fatalf("scope = %q, want %q", scopes, want)
	}
}

// TestCheck covers the ways a request can present a token.
func TestCheck(t *testing.T) {
	f := newFixture(t, Options{})
	tok := f.a.Mint("bot@example.com", []string{scopeReadonly}, time.Minute)
	for _, tc := range []struct {
		name   string
		header string
		query  string
		want   error
	}{
		{"bearer", "Bearer " + tok, "", nil},
		{"lower-case scheme", "bearer " + tok, "", nil},
		{"query parameter", "", "access_token=" + url.QueryEscape(tok), nil},
		{"no header", "", "", ErrMissingToken},
		{"empty bearer", "Bearer ", "", ErrMissingToken},
		{"basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), "", ErrInvalidToken},
		{"unknown token", "Bearer ya29.nope", "", ErrInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://x/drive/v3/about?"+tc.query, nil)
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			id, err := f.a.Check(r)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
			if tc.want == nil && (id.Email != "bot@example.com" || !id.HasScope(scopeReadonly) || id.HasScope(scopeDrive)) {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
	f.clk.Advance(time.Minute)
	if _, err := f.a.Check(bearer(tok)); !errors.Is(err, ErrExpiredToken) {
		t.Fatalf("Check after ttl = %v, want ErrExpiredToken", err)
	}
}
