package fakedrive

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// fault is what the fault injector does to one request.
type fault int

const (
	faultNone     fault = iota
	faultTruncate       // media: the body stops halfway and the connection drops
)

// errAbort asks api() to drop the connection without a reply.
var errAbort = &apiError{Code: 0, Reason: "abort"}

// knobs make the emulator behave like Drive over a real network: latency,
// a per-user rate limit, a media bandwidth cap and seeded faults.
type knobs struct {
	opt   Options
	stats *stats

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	bw       *rate.Limiter
	seq      atomic.Uint64
}

func newKnobs(opt Options, st *stats) *knobs {
	k := &knobs{opt: opt, stats: st, limiters: map[string]*rate.Limiter{}}
	if opt.Bandwidth > 0 {
		k.bw = rate.NewLimiter(rate.Limit(opt.Bandwidth), bwBurst)
	}
	return k
}

const bwBurst = 256 << 10

// before runs ahead of an API method: it waits out the latency, applies
// the rate limit, and decides whether this request fails.
func (k *knobs) before(ctx context.Context, user, method string) (fault, *apiError) {
	if err := sleepCtx(ctx, k.opt.Latency); err != nil {
		return faultNone, errAbort
	}
	n := k.seq.Add(1)
	if k.opt.QPS > 0 && !k.limiter(user).Allow() {
		k.stats.rateLimited.Add(1)
		if roll(k.opt.FaultSeed, n, 1) < 0.125 {
			return faultNone, errRateLimit()
		}
		return faultNone, errUserRateLimit()
	}
	if k.opt.Faults == 0 || roll(k.opt.FaultSeed, n, 2) >= k.opt.Faults {
		return faultNone, nil
	}
	k.stats.faults.Add(1)
	kinds := 3
	media := method == "files.get.media" || method == "files.export" || method == "upload.chunk"
	if media {
		kinds = 4
	}
	switch int(roll(k.opt.FaultSeed, n, 3) * float64(kinds)) {
	case 0:
		return faultNone, errBackend(http.StatusInternalServerError)
	case 1:
		return faultNone, errBackend(http.StatusServiceUnavailable)
	case 2:
		return faultNone, errAbort
	default:
		return faultTruncate, nil
	}
}

func (k *knobs) limiter(user string) *rate.Limiter {
	k.mu.Lock()
	defer k.mu.Unlock()
	l := k.limiters[user]
	if l == nil {
		burst := int(k.opt.QPS)
		if burst < 1 {
			burst = 1
		}
		l = rate.NewLimiter(rate.Limit(k.opt.QPS), burst)
		k.limiters[user] = l
	}
	return l
}

// roll is a deterministic uniform draw in [0, 1) for request n of a run
// seeded with seed (splitmix64), so a failing run replays.
func roll(seed int64, n uint64, salt uint64) float64 {
	z := uint64(seed) + n*0x9e3779b97f4a7c15 + salt*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11) / (1 << 53)
}

// throttle waits until n media bytes may pass.
func (k *knobs) throttle(ctx context.Context, n int) error {
	if k.bw == nil {
		return nil
	}
	for n > 0 {
		c := min(n, bwBurst)
		if err := k.bw.WaitN(ctx, c); err != nil {
			return err
		}
		n -= c
	}
	return nil
}

// count wraps a non-API handler (OAuth) so it shows in the stats.
func (k *knobs) count(method string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.stats.request(r.Method+" "+r.URL.Path, method)
		h.ServeHTTP(w, r)
	})
}

// mediaWriter meters a download: bandwidth, byte counts, and the truncation
// fault (after limit bytes the connection drops).
type mediaWriter struct {
	http.ResponseWriter
	k     *knobs
	ctx   context.Context
	limit int64 // -1: no truncation
	n     int64
}

func (m *mediaWriter) Write(p []byte) (int, error) {
	if m.limit >= 0 && m.n+int64(len(p)) > m.limit {
		p = p[:m.limit-m.n]
		m.write(p)
		if f, ok := m.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler)
	}
	return m.write(p)
}

func (m *mediaWriter) write(p []byte) (int, error) {
	if err := m.k.throttle(m.ctx, len(p)); err != nil {
		return 0, err
	}
	n, err := m.ResponseWriter.Write(p)
	m.n += int64(n)
	m.k.stats.mediaOut.Add(int64(n))
	return n, err
}

// mediaReader meters an upload body.
type mediaReader struct {
	r   io.Reader
	k   *knobs
	ctx context.Context
}

func (m *mediaReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	if n > 0 {
		m.k.stats.mediaIn.Add(int64(n))
		if terr := m.k.throttle(m.ctx, n); terr != nil && err == nil {
			err = terr
		}
	}
	return n, err
}
