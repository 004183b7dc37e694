// Package oauth is the fake Google OAuth 2.0 authority of the Drive emulator:
// it serves the authorization endpoint (/o/oauth2/auth, /o/oauth2/v2/auth),
// the token endpoint (/token) and the revocation endpoint (/revoke) the way
// Google's servers behave towards real clients such as golang.org/x/oauth2,
// and it checks the Bearer tokens that reach the emulated Drive API.
//
// The authorization endpoint approves every valid request at once (there is
// no consent screen) for Options.User. It is deliberately a little stricter
// than Google, so that client bugs show up in tests: PKCE and a state value are
// required, and the redirect URI must be a loopback http URI.
//
// The token endpoint serves the authorization_code, refresh_token and
// urn:ietf:params:oauth:grant-type:jwt-bearer (service account) grants. When
// the scopes include "openid" it also returns an id_token carrying the user's
// email, signed RS256 with a key the Authority makes on first use; no JWKS
// endpoint is served, so clients can only read it, not verify it.
//
// Service account assertions are parsed and their iss, aud, iat, exp and
// scope claims checked like Google does. The RS256 signature is verified when
// the account's public key is registered in Options.ServiceAccounts; with no
// accounts registered any account is accepted and the signature is NOT
// checked.
//
// The JWT parsing and signing here is hand-written (about 100 lines of
// crypto/rsa) because x/oauth2 has no server side, and its jws package is
// deprecated for outside use.
//
// All state is in memory and guarded by one mutex; an Authority is safe for
// concurrent use. Token values are never logged.
package oauth
