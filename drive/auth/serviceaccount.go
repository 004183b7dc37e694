package auth

import (
	"fmt"
	"os"

	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
)

// serviceAccount reads a service account's JSON key. Tokens come from the
// key's token_uri (Google's when absent), which is also how tests and the
// emulator point a key elsewhere.
func serviceAccount(path string, scopes ...string) (*jwt.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: service account key: %w", err)
	}
	jc, err := google.JWTConfigFromJSON(data, scopes...)
	if err != nil {
		return nil, fmt.Errorf("auth: service account key %s: %w", path, err)
	}
	if jc.Email == "" || len(jc.PrivateKey) == 0 {
		return nil, fmt.Errorf("auth: service account key %s: no client_email or private_key", path)
	}
	return jc, nil
}
