package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestConcurrentClients runs whole flows side by side (under -race this is
// the thread-safety test) and checks that no client sees another's grant.
func TestConcurrentClients(t *testing.T) {
	f := newFixture(t, Options{})
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- oneFlow(f, fmt.Sprintf("client-%d", i))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func oneFlow(f *fixture, clientID string) error {
	ctx := context.Background()
	c := f.config(clientID, "", oauth2.AuthStyleInParams, scopeDrive)
	v := oauth2.GenerateVerifier()
	resp, err := noFollow.Get(c.AuthCodeURL("st", oauth2.S256ChallengeOption(v)))
	if err != nil {
		return err
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	tok, err := c.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(v))
	if err != nil {
		return fmt.Errorf("%s: exchange: %w", clientID, err)
	}
	minted := f.a.Mint(clientID+"@example.com", []string{scopeReadonly}, time.Hour)
	for range 20 {
		if _, err := f.a.Check(bearer(tok.AccessToken)); err != nil {
			return fmt.Errorf("%s: check: %w", clientID, err)
		}
		if id, err := f.a.Check(bearer(minted)); err != nil || id.Email != clientID+"@example.com" {
			return fmt.Errorf("%s: check minted: %+v %v", clientID, id, err)
		}
	}
	old := *tok
	old.Expiry = time.Now().Add(-time.Second)
	if _, err := c.TokenSource(ctx, &old).Token(); err != nil {
		return fmt.Errorf("%s: refresh: %w", clientID, err)
	}
	resp, err = http.PostForm(f.srv.URL+"/revoke", url.Values{"token": {tok.RefreshToken}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if _, err := f.a.Check(bearer(tok.AccessToken)); !errors.Is(err, ErrInvalidToken) {
		return fmt.Errorf("%s: token alive after revoke: %v", clientID, err)
	}
	return nil
}

// TestPrune: expired tokens are swept once the store has grown, valid ones
// survive the sweep.
func TestPrune(t *testing.T) {
	f := newFixture(t, Options{})
	for range pruneFloor {
		f.a.Mint("a@example.com", []string{scopeDrive}, time.Minute)
	}
	f.clk.Advance(2 * time.Minute)
	keep := f.a.Mint("b@example.com", []string{scopeDrive}, time.Hour)
	f.a.mu.Lock()
	n := len(f.a.access)
	f.a.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d access tokens after sweep, want 1", n)
	}
	if _, err := f.a.Check(bearer(keep)); err != nil {
		t.Fatalf("kept token: %v", err)
	}
}
