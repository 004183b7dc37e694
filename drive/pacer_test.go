package drive

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"google.golang.org/api/googleapi"
)

// apiErr builds the error the official client returns for a Drive error
// answer.
func apiErr(code int, reason, msg string, header ...string) error {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &googleapi.Error{Code: code, Message: msg, Header: h, Errors: []googleapi.ErrorItem{{Reason: reason, Message: msg}}}
}

var (
	err503        = apiErr(503, "backendError", "Backend Error")
	errUserRate   = apiErr(403, "userRateLimitExceeded", "User Rate Limit Exceeded. Rate of requests for user exceed configured project quota.")
	errUploadCap  = apiErr(403, "userRateLimitExceeded", "User rate limit exceeded.")
	errStorage    = apiErr(403, "storageQuotaExceeded", "The user's Drive storage quota has been exceeded.")
	err404        = apiErr(404, "notFound", "File not found: x.")
	err401        = apiErr(401, "authError", "Invalid Credentials")
	err429After7s = apiErr(429, "rateLimitExceeded", "Rate Limit Exceeded", "Retry-After", "7")
)

// script is a fake request: it fails with errs in turn, then succeeds,
// recording when each attempt was made.
type script struct {
	errs  []error
	calls []time.Time
}

func (s *script) fn(context.Context) error {
	s.calls = append(s.calls, time.Now())
	if len(s.calls) <= len(s.errs) {
		return s.errs[len(s.calls)-1]
	}
	return nil
}

func testPacer() *pacer {
	return newPacer(PacerConfig{QPS: 10, Burst: 10, MinBackoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second, MaxAttempts: 5, Seed: 7}, nil)
}

func TestPacerRetries(t *testing.T) {
	tests := []struct {
		name      string
		errs      []error
		upload    bool
		wantCalls int
		wantErr   error // nil: success
		minGaps   []time.Duration
	}{
		{"transient then ok", []error{err503, err503, err503}, false, 4, nil, []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}},
		{"rate limit then ok", []error{errUserRate}, false, 2, nil, []time.Duration{50 * time.Millisecond}},
		{"network break then ok", []error{errStalled}, false, 2, nil, nil},
		{"retry-after honoured", []error{err429After7s}, false, 2, nil, []time.Duration{7 * time.Second}},
		{"not found stops at once", []error{err404}, false, 1, err404, nil},
		{"storage full stops at once", []error{errStorage}, true, 1, errStorage, nil},
		{"upload cap stops an upload", []error{errUploadCap}, true, 1, errUploadCap, nil},
		{"same message on a read is a rate limit", []error{errUploadCap}, false, 2, nil, nil},
		{"gives up after MaxAttempts", []error{err503, err503, err503, err503, err503, err503}, false, 5, err503, nil},
		{"401 retried once after dropping the token", []error{err401}, false, 2, nil, []time.Duration{0}},
		{"second 401 is final", []error{err401, err401}, false, 2, err401, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p := testPacer()
				reauths := 0
				p.reauth = func() { reauths++ }
				s := &script{errs: tt.errs}
				err := p.do(context.Background(), tt.upload, s.fn)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if len(s.calls) != tt.wantCalls {
					t.Fatalf("%d calls, want %d", len(s.calls), tt.wantCalls)
				}
				for i, min := range tt.minGaps {
					gap := s.calls[i+1].Sub(s.calls[i])
					if gap < min || gap > max(2*min, p.cfg.MaxBackoff, min+time.Second) {
						t.Errorf("wait before attempt %d = %v, want about %v", i+2, gap, min)
					}
				}
			})
		})
	}
}

func TestPacerSlowsDownAndRecovers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(PacerConfig{QPS: 100, Burst: 10, Decrease: 0.5, Increase: 10, MinQPS: 5, MinBackoff: time.Millisecond, Seed: 1}, nil)
		ctx := context.Background()
		pushback := func() { p.do(ctx, false, (&script{errs: []error{errUserRate}}).fn) }
		pushback()
		if got := p.stats().Rate; !near(got, 50) {
			t.Fatalf("rate after pushback = %v, want 50", got)
		}
		pushback() // within the cooldown: requests sent before the slow-down
		if got := p.stats().Rate; !near(got, 50) {
			t.Fatalf("rate after a second pushback within a second = %v, want still 50", got)
		}
		time.Sleep(pushbackCooldown)
		pushback()
		if got := p.stats().Rate; !near(got, 25) {
			t.Fatalf("rate after pushback a second later = %v, want 25", got)
		}
		for range 10 {
			time.Sleep(pushbackCooldown)
			pushback()
		}
		if got := p.stats().Rate; !near(got, 5) {
			t.Fatalf("rate after many pushbacks = %v, want the floor 5", got)
		}
		// Successes over 3 s climb by Increase per second.
		for range 30 {
			time.Sleep(100 * time.Millisecond)
			p.do(ctx, false, (&script{}).fn)
		}
		if got := p.stats().Rate; got < 34 || got > 36 {
			t.Fatalf("rate after 3 s of success = %v, want about 5+3*10", got)
		}
		time.Sleep(10 * time.Second)
		p.do(ctx, false, (&script{}).fn)
		if got := p.stats().Rate; got != 100 {
			t.Fatalf("rate after a long success = %v, want back at the ceiling 100", got)
		}
	})
}

func TestPacerPacesRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(PacerConfig{QPS: 50, Burst: 5, Seed: 1}, nil)
		start := time.Now()
		for range 105 {
			if err := p.do(context.Background(), false, (&script{}).fn); err != nil {
				t.Fatal(err)
			}
		}
		// 5 go at once, the other 100 at 50 per second.
		if got := time.Since(start); got != 2*time.Second {
			t.Fatalf("105 requests at 50/s with burst 5 took %v, want 2s", got)
		}
		if s := p.stats(); s.Requests != 105 || s.Retries != 0 {
			t.Fatalf("stats = %+v", s)
		}
	})
}

func TestPacerCancelDuringBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newPacer(PacerConfig{MinBackoff: time.Minute, MaxBackoff: time.Hour, Seed: 1}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		start := time.Now()
		err := p.do(ctx, false, (&script{errs: []error{err503, err503}}).fn)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Fatalf("returned after %v, want at the cancel (1s)", got)
		}
	})
}

func TestPacerProgressRestartsAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := testPacer() // MaxAttempts 5
		var errs []error
		for range 12 {
			errs = append(errs, progressError{errStalled})
		}
		s := &script{errs: errs}
		if err := p.do(context.Background(), false, s.fn); err != nil {
			t.Fatalf("a transfer that keeps making progress failed: %v", err)
		}
		if len(s.calls) != 13 {
			t.Fatalf("%d calls, want 13", len(s.calls))
		}
	})
}

func TestBackoffBounds(t *testing.T) {
	p := newPacer(PacerConfig{MinBackoff: 100 * time.Millisecond, MaxBackoff: 3 * time.Second, Seed: 3}, nil)
	for attempt := 1; attempt < 40; attempt++ {
		want := min(100*time.Millisecond<<min(attempt-1, 31), 3*time.Second)
		for range 20 {
			if d := p.backoff(attempt); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", attempt, d, want/2, want)
			}
		}
	}
}

func near(got, want float64) bool { return got > want-0.5 && got < want+0.5 }
