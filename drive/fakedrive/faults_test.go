package fakedrive_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	drive "google.golang.org/api/drive/v3"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

// TestInjectedFaults checks each fault kind reaches the official client as
// Drive's would: 500 and 503 as *googleapi.Error backendError, resets and
// truncated media as transport errors.
func TestInjectedFaults(t *testing.T) {
	e := newEnv(t, fakedrive.Options{Faults: 1, FaultSeed: 7})
	kinds := map[string]int{}
	for i := 0; i < 60; i++ {
		_, err := e.srv.Files.List().Do()
		var ge *googleapi.Error
		switch {
		case errors.As(err, &ge) && (ge.Code == 500 || ge.Code == 503) && ge.Errors[0].Reason == "backendError":
			kinds["http"+ge.Error()[len("googleapi: Error "):len("googleapi: Error 500")]]++
		case err != nil && !errors.As(err, &ge):
			kinds["reset"]++
		default:
			t.Fatalf("request %d: %v", i, err)
		}
	}
	if kinds["http500"] == 0 || kinds["http503"] == 0 || kinds["reset"] == 0 {
		t.Fatalf("fault kinds seen: %v", kinds)
	}
	// net/http retries an idempotent GET whose connection was reset, so the
	// server may see more requests than the client made calls.
	if st := e.sv.Stats(); st.Faults != st.Methods["files.list"] || st.Faults < 60 {
		t.Fatalf("stats: %d faults for %d files.list requests", st.Faults, st.Methods["files.list"])
	}
}

func TestTruncatedMedia(t *testing.T) {
	e := newEnv(t, fakedrive.Options{Faults: 0.5, FaultSeed: 3})
	body := randBytes(200_000, 9)
	var id string
	for id == "" { // the create itself may be hit by a fault
		f, err := e.srv.Files.Create(&drive.File{Name: "m"}).Media(strings.NewReader(string(body))).Do()
		if err == nil {
			id = f.Id
		}
	}
	truncated, whole := 0, 0
	for i := 0; i < 80 && (truncated == 0 || whole == 0); i++ {
		resp, err := e.srv.Files.Get(id).Download()
		if err != nil {
			continue
		}
		got, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case rerr != nil && len(got) < len(body):
			truncated++
		case rerr == nil && string(got) == string(body):
			whole++
		default:
			t.Fatalf("download %d: %d bytes, err %v", i, len(got), rerr)
		}
	}
	if truncated == 0 || whole == 0 {
		t.Fatalf("truncated %d, whole %d", truncated, whole)
	}
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, fakedrive.Options{QPS: 5})
	limited := 0
	for i := 0; i < 40; i++ {
		_, err := e.srv.About.Get().Fields("user").Do()
		var ge *googleapi.Error
		if errors.As(err, &ge) {
			if !(ge.Code == 403 && ge.Errors[0].Reason == "userRateLimitExceeded" || ge.Code == 429 && ge.Errors[0].Reason == "rateLimitExceeded") {
				t.Fatalf("rate limit error %v", err)
			}
			limited++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited < 30 {
		t.Fatalf("only %d of 40 back-to-back requests limited at 5 qps", limited)
	}
}

// TestOAuthFlow runs golang.org/x/oauth2's authorization-code flow with
// PKCE against the emulator, refreshes, and calls Drive with the result.
func TestOAuthFlow(t *testing.T) {
	e := newEnv(t, fakedrive.Options{})
	cfg := &oauth2.Config{
		ClientID: "client-1", ClientSecret: "secret",
		Endpoint:    oauth2.Endpoint{AuthURL: e.ts.URL + "/o/oauth2/auth", TokenURL: e.ts.URL + "/token"},
		RedirectURL: "http://127.0.0.1:9/callback",
		Scopes:      []string{drive.DriveScope},
	}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("st4te", oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "st4te" {
		t.Fatalf("authorize: %d %v", resp.StatusCode, resp.Header.Get("Location"))
	}
	ctx := context.Background()
	if _, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption("wrong-verifier-wrong-verifier-wrong-verifier")); err == nil {
		t.Fatal("exchange with a wrong PKCE verifier succeeded")
	}
	resp, _ = noFollow.Get(authURL)
	resp.Body.Close()
	loc, _ = url.Parse(resp.Header.Get("Location"))
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || tok.AccessToken == "" {
		t.Fatalf("token %+v", tok)
	}
	// Force a refresh.
	tok.Expiry = time.Now().Add(-time.Minute)
	ts := cfg.TokenSource(ctx, tok)
	fresh, err := ts.Token()
	if err != nil || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh: %v", err)
	}
	srv, err := drive.NewService(ctx, option.WithEndpoint(e.ts.URL+"/drive/v3/"), option.WithTokenSource(ts))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Files.List().Do(); err != nil {
		t.Fatalf("drive call with refreshed token: %v", err)
	}
	// A made-up token is refused with Drive's 401.
	bad, _ := drive.NewService(ctx, option.WithEndpoint(e.ts.URL+"/drive/v3/"), option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "forged"})))
	_, err = bad.Files.List().Do()
	apiErr(t, err, 401, "authError")
	// A read-only token cannot write.
	ro := e.sv.Authority().Mint("user@example.com", []string{drive.DriveReadonlyScope}, time.Hour)
	rosrv, _ := drive.NewService(ctx, option.WithEndpoint(e.ts.URL+"/drive/v3/"), option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: ro})))
	_, err = rosrv.Files.Create(&drive.File{Name: "x"}).Do()
	apiErr(t, err, 403, "insufficientPermissions")
}
