package drive

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// PacerConfig tunes the pacer every request passes. Zero fields take the
// defaults.
type PacerConfig struct {
	// QPS is the most requests per second the client sends. Default 150:
	// Drive's per-user quota is 12,000 queries a minute (200/s), less
	// headroom for other clients of the same account.
	QPS float64
	// Burst is how many requests may go at once after a quiet spell
	// (default 20).
	Burst int
	// MinQPS is the floor the rate falls to when Drive keeps pushing back
	// (default 1).
	MinQPS float64
	// Decrease multiplies the rate when Drive pushes back (403
	// rateLimitExceeded or userRateLimitExceeded, 429), at most once per
	// second (default 0.8).
	Decrease float64
	// Increase is how fast the rate climbs back towards QPS while requests
	// succeed, in requests per second per second (default QPS/10).
	Increase float64
	// MinBackoff and MaxBackoff bound the wait before a retry: it doubles
	// from MinBackoff with every failed attempt, with jitter (defaults
	// 100ms and 30s). A Retry-After from Drive is honoured even if longer.
	MinBackoff, MaxBackoff time.Duration
	// MaxAttempts is how often one request is tried, the first included
	// (default 10). An attempt that made progress (a download or upload
	// that moved bytes before it broke) starts the count again.
	MaxAttempts int
	// Seed seeds the jitter; 0 picks one at random.
	Seed uint64
}

func (c PacerConfig) withDefaults() PacerConfig {
	if c.QPS <= 0 {
		c.QPS = 150
	}
	if c.Burst <= 0 {
		c.Burst = 20
	}
	if c.MinQPS <= 0 {
		c.MinQPS = 1
	}
	c.MinQPS = min(c.MinQPS, c.QPS)
	if c.Decrease <= 0 || c.Decrease >= 1 {
		c.Decrease = 0.8
	}
	if c.Increase <= 0 {
		c.Increase = c.QPS / 10
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	return c
}

// pushbackCooldown is how long after slowing down the pacer ignores
// further pushback: requests already in flight at the old rate fail too.
const pushbackCooldown = time.Second

// Stats are the pacer's counters.
type Stats struct {
	Requests  int64   // HTTP requests sent
	Retries   int64   // requests sent again after a failure
	Pushbacks int64   // rate-limit answers from Drive
	Rate      float64 // current ceiling, requests per second
}

// pacer paces and retries every request of a Client: a token bucket whose
// rate drops when Drive pushes back and climbs again while requests
// succeed (AIMD), and exponential backoff with jitter between attempts.
type pacer struct {
	cfg    PacerConfig
	lim    *rate.Limiter
	log    *slog.Logger
	reauth func() // drops the cached token after a 401

	mu       sync.Mutex
	cur      float64
	lastDown time.Time
	lastUp   time.Time
	rnd      *rand.Rand

	requests, retries, pushbacks atomic.Int64
}

func newPacer(cfg PacerConfig, log *slog.Logger) *pacer {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now()
	return &pacer{
		cfg: cfg, log: log, cur: cfg.QPS, lastUp: now,
		lim: rate.NewLimiter(rate.Limit(cfg.QPS), cfg.Burst),
		rnd: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
	}
}

// wait takes one request's token, waiting for it if needed.
func (p *pacer) wait(ctx context.Context) error {
	if err := p.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The wait would outlast ctx's deadline.
		return context.DeadlineExceeded
	}
	p.requests.Add(1)
	return nil
}

// progressError marks a failure after fn moved some bytes: the attempt
// count starts again, so a long transfer over a flaky link finishes.
type progressError struct{ error }

func (e progressError) Unwrap() error { return e.error }

// do runs fn, one HTTP request, until it succeeds, fails for good, runs
// out of attempts or ctx ends. upload says whether the request carries
// file content. fn may take extra tokens with p.wait for extra requests.
func (p *pacer) do(ctx context.Context, upload bool, fn func(ctx context.Context) error) error {
	reauthed := false
	for attempt := 1; ; attempt++ {
		if err := p.wait(ctx); err != nil {
			return err
		}
		err := fn(ctx)
		if err == nil {
			p.succeeded()
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var pe progressError
		if errors.As(err, &pe) {
			err = pe.error
			attempt = 1
		}
		v := classify(err, upload)
		if v.reauth && !reauthed && p.reauth != nil {
			reauthed = true
			p.reauth()
			p.retries.Add(1)
			attempt--
			continue
		}
		if !v.retry || attempt >= p.cfg.MaxAttempts {
			return err
		}
		if v.pushback {
			p.pushback()
		}
		d := max(p.backoff(attempt), v.retryAfter)
		p.log.Debug("drive: retrying", "attempt", attempt, "wait", d, "err", err)
		p.retries.Add(1)
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// backoff is the wait after the attempt-th failure: doubling from
// MinBackoff up to MaxBackoff, the upper half of it random.
func (p *pacer) backoff(attempt int) time.Duration {
	d := p.cfg.MaxBackoff
	if attempt < 32 {
		d = min(p.cfg.MinBackoff<<(attempt-1), p.cfg.MaxBackoff)
	}
	p.mu.Lock()
	j := time.Duration(p.rnd.Int64N(int64(d/2) + 1))
	p.mu.Unlock()
	return d/2 + j
}

// pushback slows the rate: Drive said we are too fast.
func (p *pacer) pushback() {
	p.pushbacks.Add(1)
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.lastDown.IsZero() && now.Sub(p.lastDown) < pushbackCooldown {
		return
	}
	p.cur = max(p.cfg.MinQPS, p.cur*p.cfg.Decrease)
	p.lastDown, p.lastUp = now, now
	p.lim.SetLimitAt(now, rate.Limit(p.cur))
	p.log.Debug("drive: Drive pushed back; slowing down", "qps", p.cur)
}

// succeeded lets the rate climb back towards its ceiling.
func (p *pacer) succeeded() {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur >= p.cfg.QPS {
		p.lastUp = now
		return
	}
	p.cur = min(p.cfg.QPS, p.cur+p.cfg.Increase*now.Sub(p.lastUp).Seconds())
	p.lastUp = now
	p.lim.SetLimitAt(now, rate.Limit(p.cur))
}

func (p *pacer) stats() Stats {
	p.mu.Lock()
	cur := p.cur
	p.mu.Unlock()
	return Stats{Requests: p.requests.Load(), Retries: p.retries.Load(), Pushbacks: p.pushbacks.Load(), Rate: cur}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
