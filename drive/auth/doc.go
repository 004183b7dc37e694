// Package auth gets drivesync its OAuth 2.0 access tokens for Google Drive
// (or for the Drive emulator at --endpoint): the installed-app login with a
// loopback redirect and PKCE, a pasted-URL variant for machines without a
// browser, a token file that refreshed tokens are written back to,
// service-account keys, a static access token, and logout with revocation.
//
// The protocol work is golang.org/x/oauth2's (and x/oauth2/google's for
// service accounts). Hand-written here, because x/oauth2 has none of it: the
// loopback listener, parsing the redirected URL a user pastes, the token file,
// and the call to the revocation endpoint.
//
// Token values are secrets: nothing in this package logs them or puts them in
// an error message, and errors from the token endpoint are reduced to their
// HTTP status, error code and description (see TokenError).
package auth
