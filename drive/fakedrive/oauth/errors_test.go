package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// TestAuthorizeErrors: a bad client or redirect_uri gets an error page;
// everything else is redirected back with error=… and the state.
func TestAuthorizeErrors(t *testing.T) {
	f := newFixture(t, Options{Clients: map[string]string{"cid": "sec"}})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	good := url.Values{
		"client_id": {"cid"}, "redirect_uri": {"http://127.0.0.1:5555/cb"}, "response_type": {"code"},
		"scope": {scopeDrive}, "state": {"xyz"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	for _, tc := range []struct {
		name   string
		change map[string]string // "" deletes the parameter
		status int
		errStr string // error code: in the page or the redirect
	}{
		{"valid", nil, http.StatusFound, ""},
		{"v2 path is the same", map[string]string{"path": "/o/oauth2/v2/auth"}, http.StatusFound, ""},
		{"localhost redirect", map[string]string{"redirect_uri": "http://localhost:1/"}, http.StatusFound, ""},
		{"ipv6 loopback redirect", map[string]string{"redirect_uri": "http://[::1]:8080"}, http.StatusFound, ""},
		{"no client_id", map[string]string{"client_id": ""}, http.StatusBadRequest, "invalid_request"},
		{"unknown client", map[string]string{"client_id": "other"}, http.StatusUnauthorized, "invalid_client"},
		{"no redirect_uri", map[string]string{"redirect_uri": ""}, http.StatusBadRequest, "invalid_request"},
		{"https redirect", map[string]string{"redirect_uri": "https://127.0.0.1/cb"}, http.StatusBadRequest, "redirect_uri_mismatch"},
		{"remote redirect", map[string]string{"redirect_uri": "http://evil.example/cb"}, http.StatusBadRequest, "redirect_uri_mismatch"},
		{"other loopback address", map[string]string{"redirect_uri": "http://127.0.0.2/cb"}, http.StatusBadRequest, "redirect_uri_mismatch"},
		{"fragment", map[string]string{"redirect_uri": "http://127.0.0.1/cb#x"}, http.StatusBadRequest, "redirect_uri_mismatch"},
		{"token response type", map[string]string{"response_type": "token"}, http.StatusFound, "unsupported_response_type"},
		{"no response type", map[string]string{"response_type": ""}, http.StatusFound, "invalid_request"},
		{"no scope", map[string]string{"scope": ""}, http.StatusFound, "invalid_request"},
		{"foreign scope", map[string]string{"scope": "https://evil.example/all"}, http.StatusFound, "invalid_scope"},
		{"no state", map[string]string{"state": ""}, http.StatusFound, "invalid_request"},
		{"no PKCE", map[string]string{"code_challenge": "", "code_challenge_method": ""}, http.StatusFound, "invalid_request"},
		{"bad PKCE method", map[string]string{"code_challenge_method": "S512"}, http.StatusFound, "invalid_request"},
		{"short S256 challenge", map[string]string{"code_challenge": "abc"}, http.StatusFound, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range good {
				q[k] = v
			}
			path := "/o/oauth2/auth"
			for k, v := range tc.change {
				switch {
				case k == "path":
					path = v
				case v == "":
					q.Del(k)
				default:
					q.Set(k, v)
				}
			}
			status, loc := authorize(t, f.srv.URL+path+"?"+q.Encode())
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			if status != http.StatusFound {
				if loc != nil {
					t.Fatalf("error page redirected to %v", loc)
				}
				return
			}
			got := loc.Query()
			if got.Get("error") != tc.errStr {
				t.Fatalf("error=%q (%s), want %q", got.Get("error"), got.Get("error_description"), tc.errStr)
			}
			if tc.errStr == "" && (got.Get("code") == "" || got.Get("scope") != scopeDrive) {
				t.Fatalf("approval redirect %v lacks code or scope", loc)
			}
			if got.Get("state") != q.Get("state") {
				t.Fatalf("state %q, want %q", got.Get("state"), q.Get("state"))
			}
		})
	}
}

// tokenErr asserts that err is an x/oauth2 RetrieveError with status and code.
func tokenErr(t *testing.T, err error, status int, code, desc string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a RetrieveError", err)
	}
	// x/oauth2/jwt leaves ErrorCode empty and only keeps the body.
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if err := json.Unmarshal(re.Body, &body); err != nil {
		t.Fatalf("error body %q: %v", re.Body, err)
	}
	if re.ErrorCode != "" && (re.ErrorCode != body.Error || re.ErrorDescription != body.ErrorDescription) {
		t.Fatalf("RetrieveError %q %q disagrees with body %q", re.ErrorCode, re.ErrorDescription, re.Body)
	}
	if re.Response.StatusCode != status || body.Error != code || (desc != "" && body.ErrorDescription != desc) {
		t.Fatalf("got %d %s %q, want %d %s %q", re.Response.StatusCode, body.Error, body.ErrorDescription, status, code, desc)
	}
}

// TestCodeGrantErrors: codes are single-use, short-lived and bound to the
// client, the redirect_uri and the PKCE verifier.
func TestCodeGrantErrors(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, Options{Clients: map[string]string{"cid": "sec", "other": "sec2"}})
	c := f.config("cid", "sec", oauth2.AuthStyleInParams, scopeDrive)
	fresh := func() (string, string) {
		v := oauth2.GenerateVerifier()
		return getCode(t, c, "s", oauth2.S256ChallengeOption(v)), v
	}
	t.Run("wrong verifier", func(t *testing.T) {
		code, _ := fresh()
		_, err := c.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
		tokenErr(t, err, 400, "invalid_grant", "Invalid code verifier.")
	})
	t.Run("missing verifier", func(t *testing.T) {
		code, _ := fresh()
		_, err := c.Exchange(ctx, code)
		tokenErr(t, err, 400, "invalid_grant", "Missing code verifier.")
	})
	t.Run("other redirect_uri", func(t *testing.T) {
		code, v := fresh()
		c2 := *c
		c2.RedirectURL = "http://127.0.0.1:10/cb"
		_, err := c2.Exchange(ctx, code, oauth2.VerifierOption(v))
		tokenErr(t, err, 400, "redirect_uri_mismatch", "")
	})
	t.Run("other client", func(t *testing.T) {
		code, v := fresh()
		c2 := *c
		c2.ClientID, c2.ClientSecret = "other", "sec2"
		_, err := c2.Exchange(ctx, code, oauth2.VerifierOption(v))
		tokenErr(t, err, 401, "unauthorized_client", "")
	})
	t.Run("wrong secret", func(t *testing.T) {
		code, v := fresh()
		c2 := *c
		c2.ClientSecret = "guess"
		_, err := c2.Exchange(ctx, code, oauth2.VerifierOption(v))
		tokenErr(t, err, 401, "invalid_client", "Unauthorized")
	})
	t.Run("unknown code", func(t *testing.T) {
		_, err := c.Exchange(ctx, "4/0nothing", oauth2.VerifierOption(oauth2.GenerateVerifier()))
		tokenErr(t, err, 400, "invalid_grant", "Malformed auth code.")
	})
	t.Run("expired code", func(t *testing.T) {
		code, v := fresh()
		f.clk.Advance(codeTTL)
		_, err := c.Exchange(ctx, code, oauth2.VerifierOption(v))
		tokenErr(t, err, 400, "invalid_grant", "")
	})
	t.Run("reused code revokes the first grant", func(t *testing.T) {
		code, v := fresh()
		tok, err := c.Exchange(ctx, code, oauth2.VerifierOption(v))
		if err != nil {
			t.Fatalf("first Exchange: %v", err)
		}
		_, err = c.Exchange(ctx, code, oauth2.VerifierOption(v))
		tokenErr(t, err, 400, "invalid_grant", "")
		if _, err := f.a.Check(bearer(tok.AccessToken)); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("first grant still valid after code reuse: %v", err)
		}
	})
	t.Run("unsupported grant", func(t *testing.T) {
		st, body := f.postForm(t, "/token", url.Values{"grant_type": {"password"}})
		if st != 400 || !strings.Contains(body, `"unsupported_grant_type"`) {
			t.Fatalf("%d %s", st, body)
		}
	})
	t.Run("GET is not allowed", func(t *testing.T) {
		resp, err := http.Get(f.srv.URL + "/token")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("GET /token: %d", resp.StatusCode)
		}
	})
}

// TestRefreshScopes: a refresh may narrow the grant, never widen it.
func TestRefreshScopes(t *testing.T) {
	f := newFixture(t, Options{})
	c := f.config("cid", "", oauth2.AuthStyleInParams, scopeDrive)
	v := oauth2.GenerateVerifier()
	tok, err := c.Exchange(context.Background(), getCode(t, c, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	for _, tc := range []struct {
		scope, client string
		status        int
		want          string
	}{
		{"", "cid", 200, scopeDrive},
		{scopeDrive, "cid", 200, scopeDrive},
		{scopeReadonly, "cid", 400, "invalid_scope"},
		{"", "someone-else", 401, "unauthorized_client"},
	} {
		v := url.Values{"grant_type": {"refresh_token"}, "client_id": {tc.client}, "refresh_token": {tok.RefreshToken}}
		if tc.scope != "" {
			v.Set("scope", tc.scope)
		}
		st, body := f.postForm(t, "/token", v)
		var reply map[string]any
		if err := json.Unmarshal([]byte(body), &reply); err != nil || st != tc.status {
			t.Fatalf("scope %q client %q: %d %s", tc.scope, tc.client, st, body)
		}
		got := reply["scope"]
		if st != 200 {
			got = reply["error"]
		} else if _, has := reply["refresh_token"]; has {
			t.Fatalf("refresh reply carries a new refresh token")
		}
		if got != tc.want {
			t.Fatalf("scope %q client %q: got %v, want %s", tc.scope, tc.client, got, tc.want)
		}
	}
}
