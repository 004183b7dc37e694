package oauth

import (
	"crypto/rand"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// authorize is the authorization endpoint. It approves every valid request
// for the Authority's user and redirects back with a code. Like Google, a bad
// client_id or redirect_uri gets an error page (nowhere safe to redirect to);
// every other problem is redirected back as error=… with the state.
func (a *Authority) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	if clientID == "" {
		a.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: client_id")
		return
	}
	if _, ok := a.clients[clientID]; len(a.clients) > 0 && !ok {
		a.errorPage(w, http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		a.errorPage(w, http.StatusBadRequest, "invalid_request", "Missing required parameter: redirect_uri")
		return
	}
	back, err := loopbackRedirect(redirectURI)
	if err != nil {
		a.errorPage(w, http.StatusBadRequest, "redirect_uri_mismatch", err.Error())
		return
	}
	state := q.Get("state")
	fail := func(code, desc string) {
		a.log.Info("oauth: authorization refused", "client_id", clientID, "error", code, "reason", desc)
		v := back.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if state != "" {
			v.Set("state", state)
		}
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	if rt := q.Get("response_type"); rt != "code" {
		if rt == "" {
			fail("invalid_request", "Missing required parameter: response_type")
		} else {
			fail("unsupported_response_type", fmt.Sprintf("Invalid response_type: %s", rt))
		}
		return
	}
	if q.Get("scope") == "" {
		fail("invalid_request", "Missing required parameter: scope")
		return
	}
	scopes, err := parseScopes(q.Get("scope"))
	if err != nil {
		fail("invalid_scope", err.Error())
		return
	}
	if state == "" {
		// Google does not insist; the emulator does, so a client that forgets
		// its CSRF protection fails its tests.
		fail("invalid_request", "Missing required parameter: state")
		return
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	if challenge == "" {
		fail("invalid_request", "Missing required parameter: code_challenge")
		return
	}
	if method == "" {
		method = "plain" // RFC 7636 4.3, as Google does
	}
	if err := checkChallenge(challenge, method); err != nil {
		fail("invalid_request", err.Error())
		return
	}
	code := "4/0" + rand.Text()
	now := a.now()
	a.mu.Lock()
	a.pruneLocked(now)
	a.codes[code] = &authCode{
		clientID: clientID, redirectURI: redirectURI,
		challenge: challenge, method: method,
		email: a.user, scopes: scopes, expires: now.Add(codeTTL),
	}
	a.mu.Unlock()
	a.log.Info("oauth: authorization approved", "client_id", clientID, "user", a.user, "scope", strings.Join(scopes, " "))
	v := back.Query()
	v.Set("state", state)
	v.Set("code", code)
	v.Set("scope", strings.Join(scopes, " "))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// loopbackRedirect accepts what Google accepts for installed apps: an http
// URI on 127.0.0.1, [::1] or localhost with any port and path, no fragment.
func loopbackRedirect(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("redirect_uri %q is not a URI", raw)
	}
	if u.Scheme != "http" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("redirect_uri %q must be a loopback http URI without fragment", raw)
	}
	host := u.Hostname()
	if host != "localhost" {
		ip := net.ParseIP(host)
		if ip == nil || !(ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback)) {
			return nil, fmt.Errorf("redirect_uri %q is not on 127.0.0.1, [::1] or localhost", raw)
		}
	}
	return u, nil
}

// shortScopes are the OpenID Connect scope names Google expands.
var shortScopes = map[string]string{
	"email":   "https://www.googleapis.com/auth/userinfo.email",
	"profile": "https://www.googleapis.com/auth/userinfo.profile",
}

// parseScopes splits a space-separated scope parameter, expands Google's
// short names, drops duplicates and rejects anything that is not a Google
// API scope.
func parseScopes(s string) ([]string, error) {
	var out []string
	for f := range strings.FieldsSeq(s) {
		if long, ok := shortScopes[f]; ok {
			f = long
		}
		if f != "openid" && !strings.HasPrefix(f, "https://www.googleapis.com/auth/") {
			return nil, fmt.Errorf("Some requested scopes were invalid. {invalid=[%s]}", f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Missing required parameter: scope")
	}
	return out, nil
}

// checkChallenge validates a PKCE code_challenge (RFC 7636 4.2).
func checkChallenge(challenge, method string) error {
	switch method {
	case "S256":
		if len(challenge) != 43 || !unreserved(challenge) {
			return fmt.Errorf("Invalid code_challenge for method S256")
		}
	case "plain":
		if len(challenge) < 43 || len(challenge) > 128 || !unreserved(challenge) {
			return fmt.Errorf("Invalid code_challenge for method plain")
		}
	default:
		return fmt.Errorf("Invalid code_challenge_method: %s", method)
	}
	return nil
}

// unreserved reports whether s uses only RFC 3986 unreserved characters, the
// alphabet of PKCE verifiers and challenges.
func unreserved(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func (a *Authority) errorPage(w http.ResponseWriter, status int, code, desc string) {
	a.log.Info("oauth: authorization refused", "error", code, "reason", desc)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><title>Error %d: %s</title><h1>Access blocked</h1><p>Error %d: %s</p><p>%s</p>\n",
		status, html.EscapeString(code), status, html.EscapeString(code), html.EscapeString(desc))
}
