package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// tokenError is an RFC 6749 5.2 error reply.
type tokenError struct {
	status int
	code   string
	desc   string
}

func badRequest(code, desc string) *tokenError {
	return &tokenError{http.StatusBadRequest, code, desc}
}

// tokenReply is the JSON body of a successful token response.
type tokenReply struct {
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	TokenType    string `json:"token_type"`
	IDToken      string `json:"id_token,omitempty"`
}

// token is the token endpoint.
func (a *Authority) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.tokenFail(w, "", badRequest("invalid_request", "Could not parse the request body."))
		return
	}
	grant := r.PostForm.Get("grant_type")
	var (
		reply *tokenReply
		terr  *tokenError
	)
	switch grant {
	case "authorization_code":
		reply, terr = a.codeGrant(r)
	case "refresh_token":
		reply, terr = a.refreshGrant(r)
	case jwtBearerGrant:
		reply, terr = a.jwtGrant(r)
	case "":
		terr = badRequest("unsupported_grant_type", "Missing required parameter: grant_type")
	default:
		terr = badRequest("unsupported_grant_type", "Invalid grant_type: "+grant)
	}
	if terr != nil {
		a.tokenFail(w, grant, terr)
		return
	}
	reply.TokenType = "Bearer"
	a.log.Info("oauth: token issued", "grant_type", grant, "scope", reply.Scope,
		"refresh_token", reply.RefreshToken != "", "id_token", reply.IDToken != "")
	writeJSON(w, http.StatusOK, reply)
}

func (a *Authority) tokenFail(w http.ResponseWriter, grant string, e *tokenError) {
	a.log.Info("oauth: token refused", "grant_type", grant, "status", e.status, "error", e.code, "reason", e.desc)
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// clientAuth authenticates the client by HTTP Basic (with the form-encoded
// id and secret of RFC 6749 2.3.1) or by client_id/client_secret form fields.
func (a *Authority) clientAuth(r *http.Request) (string, *tokenError) {
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return "", &tokenError{http.StatusUnauthorized, "invalid_client", "Unauthorized"}
		}
		if f := r.PostForm.Get("client_id"); f != "" && f != id {
			return "", badRequest("invalid_request", "client_id in the body does not match the Authorization header.")
		}
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		return "", badRequest("invalid_request", "Could not determine client ID from request.")
	}
	if len(a.clients) > 0 {
		want, ok := a.clients[id]
		if !ok {
			return "", &tokenError{http.StatusUnauthorized, "invalid_client", "The OAuth client was not found."}
		}
		if subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
			return "", &tokenError{http.StatusUnauthorized, "invalid_client", "Unauthorized"}
		}
	}
	return id, nil
}

// codeGrant redeems an authorization code. A code works once, for the client
// and redirect_uri it was issued to, with the PKCE verifier of its challenge;
// a second use revokes what the first one issued (RFC 6749 4.1.2).
func (a *Authority) codeGrant(r *http.Request) (*tokenReply, *tokenError) {
	clientID, terr := a.clientAuth(r)
	if terr != nil {
		return nil, terr
	}
	f := r.PostForm
	code := f.Get("code")
	if code == "" {
		return nil, badRequest("invalid_request", "Missing required parameter: code")
	}
	now := a.now()
	a.mu.Lock()
	reply, email, scopes, terr := a.redeemLocked(now, clientID, code, f)
	a.mu.Unlock()
	if terr != nil {
		return nil, terr
	}
	if err := a.addIDToken(reply, clientID, email, scopes, now); err != nil {
		return nil, &tokenError{http.StatusInternalServerError, "internal_failure", err.Error()}
	}
	return reply, nil
}

// redeemLocked checks and consumes code; called with a.mu held.
func (a *Authority) redeemLocked(now time.Time, clientID, code string, f url.Values) (*tokenReply, string, []string, *tokenError) {
	fail := func(e *tokenError) (*tokenReply, string, []string, *tokenError) { return nil, "", nil, e }
	ac, ok := a.codes[code]
	switch {
	case !ok:
		return fail(badRequest("invalid_grant", "Malformed auth code."))
	case ac.used:
		a.revokeRefreshLocked(ac.issued)
		return fail(badRequest("invalid_grant", "Bad Request"))
	case !now.Before(ac.expires):
		delete(a.codes, code)
		return fail(badRequest("invalid_grant", "Bad Request"))
	case ac.clientID != clientID:
		return fail(&tokenError{http.StatusUnauthorized, "unauthorized_client", "Unauthorized"})
	case f.Get("redirect_uri") != ac.redirectURI:
		return fail(badRequest("redirect_uri_mismatch", "Bad Request"))
	}
	verifier := f.Get("code_verifier")
	if verifier == "" {
		return fail(badRequest("invalid_grant", "Missing code verifier."))
	}
	if !verifierMatches(verifier, ac.challenge, ac.method) {
		return fail(badRequest("invalid_grant", "Invalid code verifier."))
	}
	ac.used = true
	ac.issued = a.mintRefreshLocked(clientID, ac.email, ac.scopes)
	reply := &tokenReply{
		AccessToken:  a.mintLocked(now, ac.email, ac.scopes, a.ttl, ac.issued),
		ExpiresIn:    int64(a.ttl / time.Second),
		RefreshToken: ac.issued,
		Scope:        strings.Join(ac.scopes, " "),
	}
	return reply, ac.email, ac.scopes, nil
}

// verifierMatches checks a PKCE code_verifier against its challenge.
func verifierMatches(verifier, challenge, method string) bool {
	if len(verifier) < 43 || len(verifier) > 128 || !unreserved(verifier) {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refreshGrant mints a new access token from a refresh token issued to the
// same client. Like Google it returns no new refresh token. A scope parameter
// may narrow the grant, never widen it.
func (a *Authority) refreshGrant(r *http.Request) (*tokenReply, *tokenError) {
	clientID, terr := a.clientAuth(r)
	if terr != nil {
		return nil, terr
	}
	rtok := r.PostForm.Get("refresh_token")
	if rtok == "" {
		return nil, badRequest("invalid_request", "Missing required parameter: refresh_token")
	}
	var asked []string
	if s := r.PostForm.Get("scope"); s != "" {
		var err error
		if asked, err = parseScopes(s); err != nil {
			return nil, badRequest("invalid_scope", err.Error())
		}
	}
	now := a.now()
	a.mu.Lock()
	reply, email, scopes, terr := a.refreshLocked(now, clientID, rtok, asked)
	a.mu.Unlock()
	if terr != nil {
		return nil, terr
	}
	if err := a.addIDToken(reply, clientID, email, scopes, now); err != nil {
		return nil, &tokenError{http.StatusInternalServerError, "internal_failure", err.Error()}
	}
	return reply, nil
}

// refreshLocked mints an access token from refresh token rtok, narrowed to
// asked when that is not empty; called with a.mu held.
func (a *Authority) refreshLocked(now time.Time, clientID, rtok string, asked []string) (*tokenReply, string, []string, *tokenError) {
	fail := func(e *tokenError) (*tokenReply, string, []string, *tokenError) { return nil, "", nil, e }
	rt, ok := a.refresh[rtok]
	if !ok {
		return fail(badRequest("invalid_grant", "Token has been expired or revoked."))
	}
	if rt.clientID != clientID {
		return fail(&tokenError{http.StatusUnauthorized, "unauthorized_client", "Unauthorized"})
	}
	scopes := rt.scopes
	if len(asked) > 0 {
		for _, sc := range asked {
			if !slices.Contains(rt.scopes, sc) {
				return fail(badRequest("invalid_scope", fmt.Sprintf("Scope %s was not granted to this refresh token.", sc)))
			}
		}
		scopes = asked
	}
	reply := &tokenReply{
		AccessToken: a.mintLocked(now, rt.email, scopes, a.ttl, rtok),
		ExpiresIn:   int64(a.ttl / time.Second),
		Scope:       strings.Join(scopes, " "),
	}
	return reply, rt.email, scopes, nil
}

// jwtGrant exchanges a service account's signed assertion for an access
// token, checking its claims the way Google does.
func (a *Authority) jwtGrant(r *http.Request) (*tokenReply, *tokenError) {
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		return nil, badRequest("invalid_request", "Missing required parameter: assertion")
	}
	jt, err := parseJWT(assertion)
	if err != nil {
		return nil, badRequest("invalid_grant", "Invalid JWT: "+err.Error())
	}
	c := jt.claims
	if c.Iss == "" {
		return nil, badRequest("invalid_grant", "Invalid JWT: missing iss claim.")
	}
	if len(a.accounts) > 0 {
		key, ok := a.accounts[c.Iss]
		if !ok {
			return nil, badRequest("invalid_grant", "Invalid grant: account not found")
		}
		if err := jt.verify(key); err != nil {
			return nil, badRequest("invalid_grant", "Invalid JWT Signature.")
		}
	}
	if !audienceOK(c.Aud, r) {
		return nil, badRequest("invalid_grant", "Invalid JWT: Failed audience check.")
	}
	now := a.now()
	iat, exp := time.Unix(c.Iat, 0), time.Unix(c.Exp, 0)
	if c.Iat == 0 || c.Exp == 0 || !now.Before(exp) || iat.After(now.Add(clockSkew)) || exp.Sub(iat) > jwtMaxLifetime {
		return nil, badRequest("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
	}
	if c.Scope == "" {
		return nil, badRequest("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
	}
	scopes, err := parseScopes(c.Scope)
	if err != nil {
		return nil, badRequest("invalid_scope", "Invalid OAuth scope or ID token audience provided.")
	}
	email := c.Iss
	if c.Sub != "" {
		email = c.Sub // domain-wide delegation: the account acts as sub
	}
	a.mu.Lock()
	tok := a.mintLocked(now, email, scopes, a.ttl, "")
	a.mu.Unlock()
	return &tokenReply{AccessToken: tok, ExpiresIn: int64(a.ttl / time.Second)}, nil
}

// googleTokenURLs are audiences Google accepts besides the URL the assertion
// was posted to.
var googleTokenURLs = []string{
	"https://oauth2.googleapis.com/token",
	"https://accounts.google.com/o/oauth2/token",
	"https://www.googleapis.com/oauth2/v4/token",
}

// audienceOK accepts Google's token URLs and the URL this request reached,
// as the client named it (before any prefix was stripped by a mux).
func audienceOK(aud string, r *http.Request) bool {
	if slices.Contains(googleTokenURLs, aud) {
		return true
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	path, _, _ := strings.Cut(r.RequestURI, "?")
	if path == "" {
		path = r.URL.Path
	}
	return aud != "" && aud == scheme+"://"+r.Host+path
}
