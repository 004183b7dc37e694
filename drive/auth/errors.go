package auth

import (
	"encoding/json"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// TokenError is a refusal from the token or revocation endpoint, reduced to
// what is safe to show: the HTTP status and the RFC 6749 error code and
// description. It unwraps to the *oauth2.RetrieveError when there is one;
// do not print that one, its Body is the raw reply.
type TokenError struct {
	Status      int
	Code        string // e.g. "invalid_grant"
	Description string
	err         error
}

func (e *TokenError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

func (e *TokenError) Unwrap() error { return e.err }

// clean turns an *oauth2.RetrieveError into a TokenError; other errors pass
// unchanged (x/oauth2's own carry no token values).
func clean(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	te := &TokenError{Code: re.ErrorCode, Description: re.ErrorDescription, err: re}
	if re.Response != nil {
		te.Status = re.Response.StatusCode
	}
	if te.Code == "" {
		// x/oauth2/jwt leaves the code in the body.
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			te.Code, te.Description = body.Error, body.Description
		}
	}
	return te
}

// cleanSource applies clean to a TokenSource's errors.
type cleanSource struct{ src oauth2.TokenSource }

func (s cleanSource) Token() (*oauth2.Token, error) {
	t, err := s.src.Token()
	if err != nil {
		return nil, clean(err)
	}
	return t, nil
}
