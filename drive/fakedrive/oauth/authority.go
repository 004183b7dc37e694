package oauth

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure an Authority. The zero value is usable.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// TokenTTL is the lifetime of access tokens; 1h when zero.
	TokenTTL time.Duration
	// Logger receives one line per grant, refusal and revocation, never a
	// token value; slog.DiscardHandler when nil.
	Logger *slog.Logger
	// Clients maps client_id to client_secret. When empty, any client_id is
	// accepted with any secret.
	Clients map[string]string
	// User is the email address every authorization is approved for;
	// "user@example.com" when empty.
	User string
	// ServiceAccounts maps a service account's client_email to its public key.
	// When empty, any service account is accepted and assertion signatures are
	// not verified; when set, only these accounts are, and signatures are.
	ServiceAccounts map[string]*rsa.PublicKey
}

// Identity is who an access token speaks for, and what it may do.
type Identity struct {
	Email  string
	Scopes []string
}

// HasScope reports whether the token was granted scope exactly.
func (id Identity) HasScope(scope string) bool { return slices.Contains(id.Scopes, scope) }

// Errors returned by Check. ErrExpiredToken wraps ErrInvalidToken, so
// errors.Is(err, ErrInvalidToken) holds for every token that is present but
// not accepted.
var (
	ErrMissingToken = errors.New("oauth: request has no access token")
	ErrInvalidToken = errors.New("oauth: invalid access token")
	ErrExpiredToken = fmt.Errorf("%w: expired", ErrInvalidToken)
)

const (
	codeTTL        = 10 * time.Minute // Google's codes live about as long
	jwtMaxLifetime = time.Hour        // exp - iat limit for assertions
	clockSkew      = 5 * time.Minute  // tolerated for assertion iat
	pruneFloor     = 1024             // expired tokens are swept past this size
)

// Authority is the emulator's OAuth 2.0 server and token checker.
type Authority struct {
	now      func() time.Time
	ttl      time.Duration
	log      *slog.Logger
	clients  map[string]string
	user     string
	accounts map[string]*rsa.PublicKey
	mux      *http.ServeMux

	idKeyOnce sync.Once
	idKey     *rsa.PrivateKey
	idKeyErr  error

	mu        sync.Mutex
	codes     map[string]*authCode
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	pruneSize int
}

type authCode struct {
	clientID, redirectURI string
	challenge, method     string
	email                 string
	scopes                []string
	expires               time.Time
	used                  bool
	issued                string // refresh token issued on first use
}

type accessToken struct {
	email   string
	scopes  []string
	expires time.Time
	parent  string // refresh token it came from, "" if none
}

type refreshToken struct {
	clientID string
	email    string
	scopes   []string
	access   map[string]struct{}
}

// New returns an Authority with o's settings and defaults filled in.
func New(o Options) *Authority {
	a := &Authority{
		now:       o.Now,
		ttl:       o.TokenTTL,
		log:       o.Logger,
		clients:   copyMap(o.Clients),
		user:      o.User,
		accounts:  copyMap(o.ServiceAccounts),
		codes:     map[string]*authCode{},
		access:    map[string]*accessToken{},
		refresh:   map[string]*refreshToken{},
		pruneSize: pruneFloor,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.ttl <= 0 {
		a.ttl = time.Hour
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.user == "" {
		a.user = "user@example.com"
	}
	a.mux = http.NewServeMux()
	a.mux.HandleFunc("GET /o/oauth2/auth", a.authorize)
	a.mux.HandleFunc("GET /o/oauth2/v2/auth", a.authorize)
	a.mux.HandleFunc("POST /token", a.token)
	a.mux.HandleFunc("POST /revoke", a.revoke)
	return a
}

func copyMap[V any](m map[string]V) map[string]V {
	c := make(map[string]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// Handler serves GET /o/oauth2/auth, GET /o/oauth2/v2/auth, POST /token and
// POST /revoke. Mount it at the emulator's base URL.
func (a *Authority) Handler() http.Handler { return a.mux }

// Check authenticates r by its "Authorization: Bearer" header (or, as Google
// APIs also allow, an access_token query parameter). It returns
// ErrMissingToken when there is none, and an error wrapping ErrInvalidToken
// when the token is unknown, revoked or expired (ErrExpiredToken).
func (a *Authority) Check(r *http.Request) (Identity, error) {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") {
			return Identity{}, fmt.Errorf("%w: authorization scheme %q is not Bearer", ErrInvalidToken, scheme)
		}
		tok = strings.TrimSpace(rest)
		if tok == "" {
			return Identity{}, ErrMissingToken
		}
	} else if tok = r.URL.Query().Get("access_token"); tok == "" {
		return Identity{}, ErrMissingToken
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	at, ok := a.access[tok]
	if !ok {
		return Identity{}, ErrInvalidToken
	}
	if !now.Before(at.expires) {
		return Identity{}, ErrExpiredToken
	}
	return Identity{Email: at.email, Scopes: slices.Clone(at.scopes)}, nil
}

// Mint issues an access token for email with scopes, valid for ttl (the
// Authority's TokenTTL when ttl <= 0), without any OAuth flow: for tests,
// demos and drivesync's --token.
func (a *Authority) Mint(email string, scopes []string, ttl time.Duration) string {
	if ttl <= 0 {
		ttl = a.ttl
	}
	now := a.now()
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.mintLocked(now, email, scopes, ttl, "")
}

// mintLocked issues an access token; parent is its refresh token or "".
func (a *Authority) mintLocked(now time.Time, email string, scopes []string, ttl time.Duration, parent string) string {
	a.pruneLocked(now)
	tok := "ya29." + rand.Text()
	a.access[tok] = &accessToken{email: email, scopes: slices.Clone(scopes), expires: now.Add(ttl), parent: parent}
	if rt, ok := a.refresh[parent]; ok {
		rt.access[tok] = struct{}{}
	}
	return tok
}

// mintRefreshLocked issues a refresh token.
func (a *Authority) mintRefreshLocked(clientID, email string, scopes []string) string {
	tok := "1//0" + rand.Text()
	a.refresh[tok] = &refreshToken{clientID: clientID, email: email, scopes: slices.Clone(scopes), access: map[string]struct{}{}}
	return tok
}

// revokeRefreshLocked removes a refresh token and every access token minted
// from it. It reports whether the token existed.
func (a *Authority) revokeRefreshLocked(tok string) bool {
	rt, ok := a.refresh[tok]
	if !ok {
		return false
	}
	for at := range rt.access {
		delete(a.access, at)
	}
	delete(a.refresh, tok)
	return true
}

// pruneLocked sweeps expired access tokens and codes once the maps have
// doubled since the last sweep, so memory stays bounded under long runs
// without an O(n) cost per token.
func (a *Authority) pruneLocked(now time.Time) {
	if len(a.access)+len(a.codes) < a.pruneSize {
		return
	}
	for tok, at := range a.access {
		if !now.Before(at.expires) {
			delete(a.access, tok)
			if rt, ok := a.refresh[at.parent]; ok {
				delete(rt.access, tok)
			}
		}
	}
	for c, ac := range a.codes {
		if !now.Before(ac.expires) {
			delete(a.codes, c)
		}
	}
	a.pruneSize = max(pruneFloor, 2*(len(a.access)+len(a.codes)))
}
