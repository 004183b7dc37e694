package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/drivesync/drivesync/drive/fakedrive/oauth"
)

// TestLoginWithoutDriveScope: with granular consent a user may untick Drive
// access. The login then fails and what was granted is revoked.
func TestLoginWithoutDriveScope(t *testing.T) {
	e := newEnv(t, oauth.Options{Clients: map[string]string{}})
	var (
		mu     sync.Mutex
		issued string
	)
	// The authority, except that its token replies drop the Drive scope.
	unticked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.a.Handler().ServeHTTP(rec, r)
		if r.URL.Path != "/token" || rec.Code != http.StatusOK {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
			return
		}
		var reply map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
			t.Errorf("token reply: %v", err)
		}
		reply["scope"] = "openid https://www.googleapis.com/auth/userinfo.email"
		mu.Lock()
		issued, _ = reply["access_token"].(string)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(reply)
	}))
	defer unticked.Close()
	open := func(u string) error {
		loc, err := approve(u)
		if err != nil {
			return err
		}
		_, err = deliver(loc)
		return err
	}
	_, err := Login(context.Background(), LoginOptions{Endpoint: unticked.URL, Open: open, Logger: e.log})
	if err == nil || !strings.Contains(err.Error(), "was not granted "+ScopeDrive) {
		t.Fatalf("Login = %v, want a missing-scope error", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if _, err := e.check(issued); !errors.Is(err, oauth.ErrInvalidToken) {
		t.Fatalf("the useless grant was not revoked: %v", err)
	}
}

func TestGrants(t *testing.T) {
	for _, tc := range []struct {
		scopes []string
		want   string
		ok     bool
	}{
		{[]string{ScopeDrive}, ScopeDrive, true},
		{[]string{ScopeDrive}, ScopeDriveReadonly, true},
		{[]string{ScopeDriveReadonly}, ScopeDrive, false},
		{[]string{ScopeOpenID, ScopeEmail}, ScopeDriveReadonly, false},
		{nil, ScopeDrive, false},
	} {
		if got := grants(tc.scopes, tc.want); got != tc.ok {
			t.Errorf("grants(%q, %s) = %t", tc.scopes, tc.want, got)
		}
	}
}
