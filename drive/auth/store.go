package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// TokenFileName is the token file's name in drivesync's config directory.
const TokenFileName = "token.json"

// ErrNotLoggedIn means there is no token file.
var ErrNotLoggedIn = errors.New("auth: not logged in (run drivesync auth login)")

// TokenFile is where the login of a config directory is kept.
func TokenFile(configDir string) string { return filepath.Join(configDir, TokenFileName) }

// Credentials is the token file: a login's client, tokens and what they
// were granted. Its type, client_id, client_secret, refresh_token and
// token_uri fields are those of Google's "authorized_user" files, so other
// Google tools can read it too.
type Credentials struct {
	Type         string    `json:"type"` // always "authorized_user"
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	AccessToken  string    `json:"access_token,omitempty"`
	TokenType    string    `json:"token_type,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
	TokenURI     string    `json:"token_uri"`
	RevokeURI    string    `json:"revoke_uri,omitempty"`
	// Endpoint is drivesync's --endpoint at login, "" for Google; a login is
	// only used against the same endpoint.
	Endpoint string   `json:"endpoint,omitempty"`
	Account  string   `json:"account,omitempty"`
	Scopes   []string `json:"scopes,omitempty"`
}

const authorizedUser = "authorized_user"

// Token is the stored token in x/oauth2's form.
func (c *Credentials) Token() *oauth2.Token {
	return &oauth2.Token{AccessToken: c.AccessToken, TokenType: c.TokenType, RefreshToken: c.RefreshToken, Expiry: c.Expiry}
}

// OAuthConfig is the client that refreshes the stored token.
func (c *Credentials) OAuthConfig() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Scopes:       c.Scopes,
		Endpoint:     oauth2.Endpoint{TokenURL: c.TokenURI, AuthStyle: oauth2.AuthStyleInParams},
	}
}

// update takes a refreshed token in; the refresh token is kept when the
// reply had none, as x/oauth2 does.
func (c *Credentials) update(t *oauth2.Token) {
	c.AccessToken, c.TokenType, c.Expiry = t.AccessToken, t.TokenType, t.Expiry
	if t.RefreshToken != "" {
		c.RefreshToken = t.RefreshToken
	}
	if s, ok := t.Extra("scope").(string); ok && s != "" {
		c.Scopes = strings.Fields(s)
	}
}

// LoadCredentials reads a token file. A missing file is ErrNotLoggedIn.
func LoadCredentials(path string) (*Credentials, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no %s", ErrNotLoggedIn, path)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: token file: %w", err)
	}
	var c Credentials
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("auth: token file %s: %w", path, err)
	}
	if c.Type != authorizedUser {
		return nil, fmt.Errorf("auth: token file %s: type %q, want %q", path, c.Type, authorizedUser)
	}
	if c.RefreshToken == "" && c.AccessToken == "" {
		return nil, fmt.Errorf("auth: token file %s holds no token", path)
	}
	if c.TokenURI == "" {
		return nil, fmt.Errorf("auth: token file %s: no token_uri", path)
	}
	return &c, nil
}

// SaveCredentials writes c to path with mode 0600, creating its directory
// with mode 0700. It writes a temporary file and renames it, so readers see
// the old file or the new one, never half of one.
func SaveCredentials(path string, c *Credentials) error {
	c.Type = authorizedUser
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("auth: token file %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("auth: token file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return fmt.Errorf("auth: token file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this finds nothing
	_, err = tmp.Write(append(data, '\n'))
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("auth: write token file %s: %w", path, err)
	}
	return nil
}

// DeleteCredentials removes the token file; a missing one is ErrNotLoggedIn.
func DeleteCredentials(path string) error {
	err := os.Remove(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: no %s", ErrNotLoggedIn, path)
	}
	if err != nil {
		return fmt.Errorf("auth: remove token file: %w", err)
	}
	return nil
}
