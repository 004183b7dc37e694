package auth

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/oauth2"
)

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		base, auth, token, revoke string
	}{
		{"", "https://accounts.google.com/o/oauth2/auth", "https://oauth2.googleapis.com/token", "https://oauth2.googleapis.com/revoke"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/o/oauth2/auth", "http://127.0.0.1:8080/token", "http://127.0.0.1:8080/revoke"},
		{"http://h/base/", "http://h/base/o/oauth2/auth", "http://h/base/token", "http://h/base/revoke"},
	} {
		e := Endpoints(tc.base)
		if e.AuthURL != tc.auth || e.TokenURL != tc.token || RevokeURL(tc.base) != tc.revoke || e.AuthStyle != oauth2.AuthStyleInParams {
			t.Errorf("Endpoints(%q) = %+v, revoke %s", tc.base, e, RevokeURL(tc.base))
		}
	}
}

func TestClientConfig(t *testing.T) {
	dir := t.TempDir()
	installed := filepath.Join(dir, "installed.json")
	writeJSON(t, installed, map[string]any{"installed": map[string]any{
		"client_id": "i-id", "client_secret": "i-sec", "redirect_uris": []string{"http://localhost"},
		"auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token",
	}})
	web := filepath.Join(dir, "web.json")
	writeJSON(t, web, map[string]any{"web": map[string]any{
		"client_id": "w-id", "client_secret": "w-sec", "redirect_uris": []string{"http://localhost:8080/cb"},
	}})
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"installed":`), 0o600)
	other := filepath.Join(dir, "other.json")
	writeJSON(t, other, map[string]any{"type": "service_account"})

	for _, tc := range []struct {
		name, path, base, id, token string
		fail                        bool
	}{
		{"installed, Google", installed, "", "i-id", "https://oauth2.googleapis.com/token", false},
		{"installed, emulator", installed, "http://e", "i-id", "http://e/token", false},
		{"web, no endpoints in file", web, "", "w-id", "https://oauth2.googleapis.com/token", false},
		{"emulator default client", "", "http://e", EmulatorClientID, "http://e/token", false},
		{"Google needs a client", "", "", "", "", true},
		{"broken file", broken, "", "", "", true},
		{"not a client file", other, "", "", "", true},
		{"missing file", filepath.Join(dir, "nope.json"), "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ClientConfig(tc.path, tc.base)
			if tc.fail {
				if err == nil {
					t.Fatalf("ClientConfig = %+v, want an error", c)
				}
				if tc.path == "" && !errors.Is(err, ErrNoClient) {
					t.Fatalf("error %v, want ErrNoClient", err)
				}
				return
			}
			if err != nil || c.ClientID != tc.id || c.Endpoint.TokenURL != tc.token || c.RedirectURL != "" {
				t.Fatalf("ClientConfig = %+v, %v", c, err)
			}
		})
	}
}
