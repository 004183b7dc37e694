package drive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"
)

// Options configure a Client.
type Options struct {
	// Endpoint is the base URL of a Drive-compatible server; the API is at
	// Endpoint+"/drive/v3/" and uploads at Endpoint+"/upload/drive/v3/".
	// Empty means Google.
	Endpoint string
	// TokenSource supplies access tokens (required). After Drive answers
	// 401 the client drops its cached token, calls Invalidate on the
	// source if it has that method (TokenInvalidator) so that it refreshes,
	// and asks it once more; a second 401 is final (ErrUnauthorized).
	TokenSource oauth2.TokenSource
	// Logger receives debug logs of retries and slow-downs.
	Logger *slog.Logger
	// Pacer tunes the rate limiter and retries every request passes.
	Pacer PacerConfig
	// Sessions keeps resumable upload sessions, so an upload interrupted
	// by a crash resumes in the next process. Nil: kept in memory only.
	Sessions SessionStore
	// ChunkSize is the resumable upload chunk, rounded up to a multiple
	// of 256 KiB (default 8 MiB).
	ChunkSize int64
	// MultipartMax is the largest file uploaded in a single multipart
	// request; larger ones use a resumable session (default 5 MiB).
	MultipartMax int64
	// RangedMin is the smallest download split into parallel ranged
	// streams (default 64 MiB); RangedStreams is how many (default 4).
	RangedMin     int64
	RangedStreams int
	// ListConcurrency is how many listing queries run at once (default 8).
	ListConcurrency int
	// StallTimeout aborts and resumes a transfer that moved no bytes for
	// this long (default 60s).
	StallTimeout time.Duration
	// Transport is the HTTP transport under the auth layer; default a
	// tuned http.Transport.
	Transport http.RoundTripper
}

const (
	googleEndpoint = "https://www.googleapis.com"
	quantum        = 256 << 10 // resumable chunks are multiples of this
)

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sessions == nil {
		o.Sessions = newMemSessions()
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 8 << 20
	}
	o.ChunkSize = (o.ChunkSize + quantum - 1) / quantum * quantum
	if o.MultipartMax <= 0 {
		o.MultipartMax = 5 << 20
	}
	if o.RangedMin <= 0 {
		o.RangedMin = 64 << 20
	}
	if o.RangedStreams <= 0 {
		o.RangedStreams = 4
	}
	if o.ListConcurrency <= 0 {
		o.ListConcurrency = 8
	}
	if o.StallTimeout <= 0 {
		o.StallTimeout = 60 * time.Second
	}
	return o
}

// Client is the Drive implementation of Remote. It is safe for concurrent
// use; one Client per account shares one pacer.
type Client struct {
	opt        Options
	log        *slog.Logger
	svc        *drive.Service
	hc         *http.Client
	uploadBase string // .../upload/drive/v3/files
	pacer      *pacer
	tokens     *tokenCache
	ids        *idPool
	transport  *http.Transport // nil when the caller supplied one
}

var _ Remote = (*Client)(nil)

// New returns a Client for the server at opt.Endpoint (Google if empty).
// It makes no request.
func New(ctx context.Context, opt Options) (*Client, error) {
	if opt.TokenSource == nil {
		return nil, errors.New("drive: new client: Options.TokenSource is required")
	}
	opt = opt.withDefaults()
	base := googleEndpoint
	if opt.Endpoint != "" {
		u, err := url.Parse(opt.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("drive: new client: endpoint %q: want an http(s) base URL such as https://host:port", opt.Endpoint)
		}
		base = strings.TrimSuffix(opt.Endpoint, "/")
	}
	c := &Client{opt: opt, log: opt.Logger, uploadBase: base + "/upload/drive/v3/files"}
	rt := opt.Transport
	if rt == nil {
		c.transport = newTransport()
		rt = c.transport
	}
	c.tokens = &tokenCache{src: opt.TokenSource}
	c.hc = &http.Client{Transport: &oauth2.Transport{Source: c.tokens, Base: rt}}
	svc, err := drive.NewService(ctx, option.WithHTTPClient(c.hc), option.WithEndpoint(base+"/drive/v3/"))
	if err != nil {
		return nil, fmt.Errorf("drive: new client: %w", err)
	}
	c.svc = svc
	c.pacer = newPacer(opt.Pacer, opt.Logger)
	c.pacer.reauth = c.tokens.invalidate
	c.ids = &idPool{}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() error {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
	return nil
}

// Stats reports the pacer's counters.
func (c *Client) Stats() Stats { return c.pacer.stats() }

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 120 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// tokenCache caches the access token and lets a 401 drop it, so the next
// request asks the source again.
type tokenCache struct {
	src oauth2.TokenSource
	mu  sync.Mutex
	tok *oauth2.Token
}

func (t *tokenCache) Token() (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Valid() {
		return t.tok, nil
	}
	tok, err := t.src.Token()
	if err != nil {
		return nil, tokenError{err}
	}
	t.tok = tok
	return tok, nil
}

func (t *tokenCache) invalidate() {
	t.mu.Lock()
	t.tok = nil
	t.mu.Unlock()
	if inv, ok := t.src.(TokenInvalidator); ok {
		inv.Invalidate()
	}
}

// TokenInvalidator is a token source that can forget its cached access
// token, so its next Token call fetches a new one. The Client calls
// Invalidate when Drive rejects a token (401). Sources built on
// oauth2.ReuseTokenSource otherwise hand back the rejected token until it
// expires.
type TokenInvalidator interface {
	Invalidate()
}

// tokenError is a failure to get an access token.
type tokenError struct{ err error }

func (e tokenError) Error() string { return "getting an access token: " + e.err.Error() }
func (e tokenError) Unwrap() error { return e.err }
