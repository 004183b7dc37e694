package auth

import (
	"strings"

	"golang.org/x/oauth2"
)

// Scopes drivesync asks for.
const (
	ScopeDrive         = "https://www.googleapis.com/auth/drive"
	ScopeDriveReadonly = "https://www.googleapis.com/auth/drive.readonly"
	// ScopeEmail and ScopeOpenID make the token endpoint return an id_token
	// naming the account, so `drivesync auth status` can say who is logged in.
	ScopeEmail  = "email"
	ScopeOpenID = "openid"
)

// Google's endpoints, used when no base URL is given.
const (
	googleAuthURL   = "https://accounts.google.com/o/oauth2/auth"
	googleTokenURL  = "https://oauth2.googleapis.com/token"
	googleRevokeURL = "https://oauth2.googleapis.com/revoke"
)

// Endpoints returns Google's OAuth 2.0 endpoints when base is "", else the
// Drive emulator's at base (drivesync's --endpoint). Client credentials go in
// the form body, as Google expects.
func Endpoints(base string) oauth2.Endpoint {
	if base == "" {
		return oauth2.Endpoint{AuthURL: googleAuthURL, TokenURL: googleTokenURL, AuthStyle: oauth2.AuthStyleInParams}
	}
	base = strings.TrimRight(base, "/")
	return oauth2.Endpoint{AuthURL: base + "/o/oauth2/auth", TokenURL: base + "/token", AuthStyle: oauth2.AuthStyleInParams}
}

// RevokeURL returns the revocation endpoint that goes with Endpoints(base).
func RevokeURL(base string) string {
	if base == "" {
		return googleRevokeURL
	}
	return strings.TrimRight(base, "/") + "/revoke"
}

// DriveScope is the Drive scope for read-write or read-only use.
func DriveScope(readOnly bool) string {
	if readOnly {
		return ScopeDriveReadonly
	}
	return ScopeDrive
}

// LoginScopes are the scopes an interactive login asks for.
func LoginScopes(readOnly bool) []string {
	return []string{DriveScope(readOnly), ScopeOpenID, ScopeEmail}
}
