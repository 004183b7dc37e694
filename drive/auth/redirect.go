package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrStateMismatch means the redirect did not carry the state this login
// sent: it answers another request, or was forged.
var ErrStateMismatch = errors.New("auth: the redirect's state does not match this login (start the login again)")

// DeniedError is the authority saying no (error=… in the redirect), e.g.
// access_denied when the user declines.
type DeniedError struct {
	Code        string
	Description string
}

func (e *DeniedError) Error() string {
	if e.Description == "" {
		return "auth: authorization refused: " + e.Code
	}
	return fmt.Sprintf("auth: authorization refused: %s: %s", e.Code, e.Description)
}

// maxPaste bounds what ParseRedirect reads; real redirects are under 1 KiB.
const maxPaste = 8 << 10

// ParseRedirect takes what a user pasted after a --no-browser login (the
// whole redirected URL from the address bar, with or without scheme, or just
// its query) and returns the authorization code, checking that the state is
// wantState. Error messages never repeat the pasted text, which holds the
// code.
func ParseRedirect(pasted, wantState string) (string, error) {
	s := strings.Trim(strings.TrimSpace(pasted), `"'<>`)
	if s == "" {
		return "", errors.New("auth: nothing was pasted")
	}
	if len(s) > maxPaste {
		return "", fmt.Errorf("auth: pasted text is longer than %d bytes; paste only the redirected URL", maxPaste)
	}
	raw := s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		raw = s[i+1:]
	} else if !strings.Contains(s, "=") {
		return "", errors.New("auth: pasted text is not the redirected URL (it has no ?code=…&state=…)")
	}
	raw, _, _ = strings.Cut(raw, "#")
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", errors.New("auth: the pasted URL's query is malformed")
	}
	return codeFromQuery(q, wantState)
}

// codeFromQuery checks a redirect's query against the login's state and
// returns its code. A refusal is believed only with the right state or none
// (Google omits it on some errors); a state mismatch wins over everything.
func codeFromQuery(q url.Values, wantState string) (string, error) {
	state := q.Get("state")
	if state != "" && subtle.ConstantTimeCompare([]byte(state), []byte(wantState)) != 1 {
		return "", ErrStateMismatch
	}
	if e := q.Get("error"); e != "" {
		return "", &DeniedError{Code: e, Description: q.Get("error_description")}
	}
	if state == "" {
		return "", fmt.Errorf("%w: the redirect has no state", ErrStateMismatch)
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("auth: the redirect has no code")
	}
	return code, nil
}
