package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Config says where drivesync's credentials come from.
type Config struct {
	// Endpoint is drivesync's --endpoint: "" for Google.
	Endpoint string
	// ConfigDir holds the token file of `drivesync auth login`.
	ConfigDir string
	// AccessToken is a static token (--token, DRIVESYNC_TOKEN); it wins over
	// everything else and is never refreshed.
	AccessToken string
	// ServiceAccountFile is a service account's JSON key (--service-account);
	// it wins over the stored login.
	ServiceAccountFile string
	// ReadOnly asks service accounts for drive.readonly instead of drive.
	ReadOnly bool
	// Logger gets refreshes and failures to save them, never tokens.
	Logger *slog.Logger
}

// Method names returned in Info.
const (
	MethodToken          = "token"
	MethodServiceAccount = "service-account"
	MethodLogin          = "login"
)

func (c Config) method() string {
	switch {
	case c.AccessToken != "":
		return MethodToken
	case c.ServiceAccountFile != "":
		return MethodServiceAccount
	default:
		return MethodLogin
	}
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// TokenSource returns the access tokens drivesync sends to Drive, from the
// first of: c.AccessToken, c.ServiceAccountFile, the stored login in
// c.ConfigDir. A stored login refreshes itself and writes refreshed tokens
// back to its file. ctx is used for every later refresh, so it must outlive
// the source. Errors from the source carry no token values.
func TokenSource(ctx context.Context, c Config) (oauth2.TokenSource, error) {
	switch c.method() {
	case MethodToken:
		return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: c.AccessToken, TokenType: "Bearer"}), nil
	case MethodServiceAccount:
		jc, err := serviceAccount(c.ServiceAccountFile, DriveScope(c.ReadOnly))
		if err != nil {
			return nil, err
		}
		return cleanSource{jc.TokenSource(ctx)}, nil
	}
	path := TokenFile(c.ConfigDir)
	creds, err := loadFor(path, c.Endpoint)
	if err != nil {
		return nil, err
	}
	cfg := creds.OAuthConfig()
	return &storedSource{
		path:   path,
		creds:  *creds,
		src:    cfg.TokenSource(ctx, creds.Token()),
		reload: func(t *oauth2.Token) oauth2.TokenSource { return cfg.TokenSource(ctx, t) },
		log:    c.logger(),
	}, nil
}

// loadFor loads the token file and checks it was made for endpoint, so a
// Google refresh token is never sent to an emulator or the other way round.
func loadFor(path, endpoint string) (*Credentials, error) {
	creds, err := LoadCredentials(path)
	if err != nil {
		return nil, err
	}
	if want := strings.TrimRight(endpoint, "/"); creds.Endpoint != want {
		return nil, fmt.Errorf("auth: %s holds a login for %s, not %s (run drivesync auth login)", path, endpointName(creds.Endpoint), endpointName(want))
	}
	return creds, nil
}

func endpointName(base string) string {
	if base == "" {
		return "Google"
	}
	return base
}

// storedSource hands out the stored login's tokens, refreshing through
// x/oauth2 and saving each new access token to the token file.
type storedSource struct {
	mu     sync.Mutex
	path   string
	creds  Credentials
	src    oauth2.TokenSource
	reload func(*oauth2.Token) oauth2.TokenSource // a source that starts from this token
	log    *slog.Logger
}

// Invalidate forgets the cached access token, so the next Token call
// refreshes: Drive rejected it (401) before its expiry, e.g. after a
// revocation. The drive client calls it (drive.TokenInvalidator).
func (s *storedSource) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.creds.Token()
	t.AccessToken, t.Expiry = "", time.Unix(1, 0)
	s.src = s.reload(t)
}

func (s *storedSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.src.Token()
	if err != nil {
		var te *TokenError
		if err = clean(err); errors.As(err, &te) && te.Code == "invalid_grant" {
			return nil, fmt.Errorf("auth: the login in %s was revoked or has expired (run drivesync auth login): %w", s.path, err)
		}
		return nil, fmt.Errorf("auth: refresh the access token: %w", err)
	}
	if t.AccessToken == s.creds.AccessToken {
		return t, nil
	}
	s.creds.update(t)
	if err := SaveCredentials(s.path, &s.creds); err != nil {
		// The token works; only the next process pays for this with a refresh.
		s.log.Warn("auth: refreshed token not saved", "err", err)
	} else {
		s.log.Info("auth: access token refreshed", "file", s.path, "expiry", s.creds.Expiry)
	}
	return t, nil
}

// Info describes the credentials a Config selects, for `auth status`.
type Info struct {
	Method  string    // MethodToken, MethodServiceAccount or MethodLogin
	Account string    // email, "" when unknown
	Scopes  []string  // granted (login) or requested (service account)
	Expiry  time.Time // of the stored access token; zero when unknown
	File    string    // the token file or service account key; "" for a static token
	// TokenURI is where tokens are fetched or refreshed.
	TokenURI string
}

// Describe reports what TokenSource(c) would use, without any network call
// and without any token value.
func Describe(c Config) (Info, error) {
	switch c.method() {
	case MethodToken:
		return Info{Method: MethodToken}, nil
	case MethodServiceAccount:
		jc, err := serviceAccount(c.ServiceAccountFile, DriveScope(c.ReadOnly))
		if err != nil {
			return Info{}, err
		}
		return Info{Method: MethodServiceAccount, Account: jc.Email, Scopes: jc.Scopes, File: c.ServiceAccountFile, TokenURI: jc.TokenURL}, nil
	}
	path := TokenFile(c.ConfigDir)
	creds, err := loadFor(path, c.Endpoint)
	if err != nil {
		return Info{}, err
	}
	return Info{Method: MethodLogin, Account: creds.Account, Scopes: creds.Scopes, Expiry: creds.Expiry, File: path, TokenURI: creds.TokenURI}, nil
}
