package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSaveLoadCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := TokenFile(dir)
	in := &Credentials{
		ClientID: "cid", ClientSecret: "cs", RefreshToken: "1//0refresh", AccessToken: "ya29.access",
		TokenType: "Bearer", Expiry: time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC), TokenURI: "http://h/token",
		RevokeURI: "http://h/revoke", Endpoint: "http://h", Account: "a@b", Scopes: []string{ScopeDrive},
	}
	if err := SaveCredentials(path, in); err != nil {
		t.Fatalf("SaveCredentials: %v", err)
	}
	in.AccessToken = "ya29.second"
	if err := SaveCredentials(path, in); err != nil { // replace an existing file
		t.Fatalf("SaveCredentials again: %v", err)
	}
	out, err := LoadCredentials(path)
	if err != nil {
		t.Fatalf("LoadCredentials: %v", err)
	}
	if out.Type != "authorized_user" || out.AccessToken != "ya29.second" || !out.Expiry.Equal(in.Expiry) || out.Account != "a@b" || out.Endpoint != "http://h" {
		t.Fatalf("round trip: %+v", out)
	}
	if tok := out.Token(); tok.RefreshToken != "1//0refresh" || !tok.Expiry.Equal(in.Expiry) {
		t.Fatalf("Token() = %+v", tok)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("config dir holds %d entries, want only the token file (no temp files)", len(entries))
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v", st.Mode())
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", st.Mode())
	}
}

func TestLoadCredentialsErrors(t *testing.T) {
	dir := t.TempDir()
	const secret = "ya29.SECRET-VALUE"
	for _, tc := range []struct {
		name, content, want string
		notLoggedIn         bool
	}{
		{"missing", "", "not logged in", true},
		{"not JSON", "{" + secret, "token file", false},
		{"wrong type", `{"type":"service_account","access_token":"` + secret + `","token_uri":"x"}`, `type "service_account"`, false},
		{"no token", `{"type":"authorized_user","token_uri":"x"}`, "holds no token", false},
		{"no token_uri", `{"type":"authorized_user","refresh_token":"` + secret + `"}`, "no token_uri", false},
		{"token is a number", `{"type":"authorized_user","access_token":12345}`, "token file", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
			if tc.content != "" {
				os.WriteFile(path, []byte(tc.content), 0o600)
			}
			_, err := LoadCredentials(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrNotLoggedIn) != tc.notLoggedIn {
				t.Fatalf("LoadCredentials = %v, want %q (not logged in: %t)", err, tc.want, tc.notLoggedIn)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

func TestSaveCredentialsFailure(t *testing.T) {
	// The parent "directory" is a file: nothing may be left half-written.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o600)
	err := SaveCredentials(filepath.Join(blocker, TokenFileName), &Credentials{AccessToken: "ya29.x", TokenURI: "u"})
	if err == nil || strings.Contains(err.Error(), "ya29.x") {
		t.Fatalf("SaveCredentials = %v", err)
	}
}
