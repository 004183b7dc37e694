package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Revoke asks the revocation endpoint at revokeURL to revoke token (access
// or refresh). The HTTP client is the one in ctx under oauth2.HTTPClient, as
// for x/oauth2, else http.DefaultClient. A refusal is a *TokenError.
func Revoke(ctx context.Context, revokeURL, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, revokeURL, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return fmt.Errorf("auth: revoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hc := http.DefaultClient
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
		hc = c
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("auth: revoke: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	te := &TokenError{Status: resp.StatusCode}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &e) == nil {
		te.Code, te.Description = e.Error, e.Description
	}
	return fmt.Errorf("auth: revoke at %s: %w", revokeURL, te)
}

// Logout revokes the stored login of c (its refresh token, which takes its
// access tokens with it) and deletes the token file. A token the authority
// no longer knows counts as revoked. When revocation fails otherwise the file
// is deleted all the same and the error says so. It returns the file's path.
func Logout(ctx context.Context, c Config) (string, error) {
	path := TokenFile(c.ConfigDir)
	creds, err := LoadCredentials(path)
	if err != nil {
		return path, err
	}
	tok := creds.RefreshToken
	if tok == "" {
		tok = creds.AccessToken
	}
	revokeURL := creds.RevokeURI
	if revokeURL == "" {
		revokeURL = RevokeURL(creds.Endpoint)
	}
	rerr := Revoke(ctx, revokeURL, tok)
	var te *TokenError
	if errors.As(rerr, &te) && te.Code == "invalid_token" {
		c.logger().Info("auth: token was already revoked or expired")
		rerr = nil
	}
	if err := DeleteCredentials(path); err != nil {
		return path, errors.Join(rerr, err)
	}
	if rerr != nil {
		return path, fmt.Errorf("auth: removed %s, but the token may still be valid: %w", path, rerr)
	}
	c.logger().Info("auth: logged out", "file", path)
	return path, nil
}
