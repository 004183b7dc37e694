package oauth

import "net/http"

// revoke is the revocation endpoint. The token comes in the form body or, as
// Google also allows, the query string. Revoking a refresh token revokes the
// access tokens minted from it; revoking such an access token revokes its
// refresh token too, as Google documents.
func (a *Authority) revoke(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		a.tokenFail(w, "", badRequest("invalid_request", "Could not parse the request body."))
		return
	}
	tok := r.Form.Get("token")
	if tok == "" {
		a.tokenFail(w, "", badRequest("invalid_request", "Missing required parameter: token"))
		return
	}
	a.mu.Lock()
	kind := ""
	if a.revokeRefreshLocked(tok) {
		kind = "refresh"
	} else if at, ok := a.access[tok]; ok {
		kind = "access"
		delete(a.access, tok)
		a.revokeRefreshLocked(at.parent)
	}
	a.mu.Unlock()
	if kind == "" {
		a.tokenFail(w, "", badRequest("invalid_token", "Token expired or revoked"))
		return
	}
	a.log.Info("oauth: token revoked", "kind", kind)
	writeJSON(w, http.StatusOK, struct{}{})
}
