package drive_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

// tokens hands out the tokens in turn, then the last one forever.
type tokens struct {
	list  []string
	asked atomic.Int32
}

func (s *tokens) Token() (*oauth2.Token, error) {
	i := int(s.asked.Add(1)) - 1
	return &oauth2.Token{AccessToken: s.list[min(i, len(s.list)-1)], Expiry: time.Now().Add(time.Hour)}, nil
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	src := &tokens{list: []string{"revoked-token"}}
	c := e.client(drive.Options{Pacer: fastPacer(), TokenSource: src})
	before := e.sv.Stats().Requests
	_, err := c.Get(context.Background(), "root")
	var de *drive.Error
	if !errors.Is(err, drive.ErrUnauthorized) || !errors.As(err, &de) || !strings.Contains(de.Hint, "drivesync login") || drive.IsRetryable(err) {
		t.Fatalf("err = %v, want ErrUnauthorized with a login hint", err)
	}
	if n := e.sv.Stats().Requests - before; n != 2 || src.asked.Load() != 2 {
		t.Fatalf("%d requests and %d token fetches, want 2 and 2 (one refresh)", n, src.asked.Load())
	}
}

func TestTokenRefreshedAfter401(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	src := &tokens{list: []string{"stale-token", e.sv.Token()}}
	c := e.client(drive.Options{Pacer: fastPacer(), TokenSource: src})
	if _, err := c.Get(context.Background(), "root"); err != nil {
		t.Fatal(err)
	}
	if src.asked.Load() != 2 {
		t.Fatalf("token asked %d times, want 2", src.asked.Load())
	}
}

// cachingSource caches its token until Invalidate, like a source built on
// oauth2.ReuseTokenSource with an invalidation hook.
type cachingSource struct {
	mu          sync.Mutex
	cur, next   string
	invalidated int
}

func (s *cachingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &oauth2.Token{AccessToken: s.cur, Expiry: time.Now().Add(time.Hour)}, nil
}

func (s *cachingSource) Invalidate() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = s.next
	s.invalidated++
}

func TestInvalidatorRefreshesAfter401(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	src := &cachingSource{cur: "revoked", next: e.sv.Token()}
	c := e.client(drive.Options{Pacer: fastPacer(), TokenSource: src})
	if _, err := c.Get(context.Background(), "root"); err != nil {
		t.Fatal(err)
	}
	if src.invalidated != 1 {
		t.Fatalf("Invalidate called %d times, want 1", src.invalidated)
	}
}

func TestPacerBacksOffWhenDrivePushesBack(t *testing.T) {
	e := newEnv(t, fakedrive.Options{QPS: 40}, drive.Options{})
	c := e.client(drive.Options{Pacer: drive.PacerConfig{QPS: 400, Burst: 40, MinBackoff: 10 * time.Millisecond, Seed: 2}})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if _, err := c.Get(context.Background(), "root"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s := c.Stats()
	if s.Pushbacks == 0 || s.Rate >= 400 || e.sv.Stats().RateLimited == 0 {
		t.Fatalf("stats %+v: Drive pushed back %d times, the pacer did not slow down", s, e.sv.Stats().RateLimited)
	}
}
