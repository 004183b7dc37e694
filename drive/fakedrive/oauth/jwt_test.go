package oauth

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
)

// newKey makes an RSA key and its PKCS#8 PEM, as in a service account file.
func newKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("GenerateKey: %v", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("MarshalPKCS8PrivateKey: %v", err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// serviceAccountJSON is a key file like the Cloud console's, pointing at tokenURI.
func serviceAccountJSON(t *testing.T, email, keyPEM, tokenURI string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": keyPEM,
		"client_email": email, "client_id": "123", "token_uri": tokenURI,
		"auth_uri": "https://accounts.google.com/o/oauth2/auth",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServiceAccountGrant runs x/oauth2/google's service-account flow against
// the token endpoint, with the account's key registered.
func TestServiceAccountGrant(t *testing.T) {
	key, keyPEM := newKey(t)
	_, otherPEM := newKey(t)
	const email = "sync@proj.iam.gserviceaccount.com"
	f := newFixture(t, Options{ServiceAccounts: map[string]*rsa.PublicKey{email: &key.PublicKey}})
	f.clk.Set(time.Now()) // x/oauth2 signs assertions with the real clock
	ctx := context.Background()
	get := func(t *testing.T, cfg *jwt.Config) (*oauth2.Token, error) {
		t.Helper()
		return cfg.TokenSource(ctx).Token()
	}
	load := func(t *testing.T, email, pemKey string, scopes ...string) *jwt.Config {
		t.Helper()
		cfg, err := google.JWTConfigFromJSON(serviceAccountJSON(t, email, pemKey, f.srv.URL+"/token"), scopes...)
		if err != nil {
			t.Fatalf("JWTConfigFromJSON: %v", err)
		}
		return cfg
	}

	tok, err := get(t, load(t, email, keyPEM, scopeReadonly))
	if err != nil {
		t.Fatalf("service account token: %v", err)
	}
	id, err := f.a.Check(bearer(tok.AccessToken))
	if err != nil || id.Email != email || !id.HasScope(scopeReadonly) {
		t.Fatalf("Check = %+v, %v", id, err)
	}
	if tok.RefreshToken != "" {
		t.Fatalf("service account grant returned a refresh token")
	}

	t.Run("wrong key", func(t *testing.T) {
		_, err := get(t, load(t, email, otherPEM, scopeDrive))
		tokenErr(t, err, 400, "invalid_grant", "Invalid JWT Signature.")
	})
	t.Run("unknown account", func(t *testing.T) {
		_, err := get(t, load(t, "who@proj.iam.gserviceaccount.com", keyPEM, scopeDrive))
		tokenErr(t, err, 400, "invalid_grant", "Invalid grant: account not found")
	})
	t.Run("no scope", func(t *testing.T) {
		_, err := get(t, load(t, email, keyPEM))
		tokenErr(t, err, 400, "invalid_scope", "")
	})
	t.Run("foreign audience", func(t *testing.T) {
		cfg := load(t, email, keyPEM, scopeDrive)
		cfg.Audience = "https://elsewhere.example/token"
		_, err := get(t, cfg)
		tokenErr(t, err, 400, "invalid_grant", "Invalid JWT: Failed audience check.")
	})
	t.Run("google audience is accepted", func(t *testing.T) {
		cfg := load(t, email, keyPEM, scopeDrive)
		cfg.Audience = "https://oauth2.googleapis.com/token"
		if _, err := get(t, cfg); err != nil {
			t.Fatalf("token: %v", err)
		}
	})
	t.Run("too long lived", func(t *testing.T) {
		cfg := load(t, email, keyPEM, scopeDrive)
		cfg.Expires = 2 * time.Hour
		_, err := get(t, cfg)
		tokenErr(t, err, 400, "invalid_grant", "")
	})
	t.Run("impersonation", func(t *testing.T) {
		cfg := load(t, email, keyPEM, scopeDrive)
		cfg.Subject = "boss@example.com"
		tok, err := get(t, cfg)
		if err != nil {
			t.Fatalf("token: %v", err)
		}
		if id, err := f.a.Check(bearer(tok.AccessToken)); err != nil || id.Email != "boss@example.com" {
			t.Fatalf("Check = %+v, %v", id, err)
		}
	})
	t.Run("expired assertion", func(t *testing.T) {
		f.clk.Advance(2 * time.Hour)
		_, err := get(t, load(t, email, keyPEM, scopeDrive))
		tokenErr(t, err, 400, "invalid_grant", "")
	})
	t.Run("assertion from the future", func(t *testing.T) {
		f.clk.Set(time.Now().Add(-time.Hour))
		_, err := get(t, load(t, email, keyPEM, scopeDrive))
		tokenErr(t, err, 400, "invalid_grant", "")
	})
}

// TestServiceAccountUnregistered: with no accounts registered any account is
// accepted, signature unchecked (the documented gap), but claims still are.
func TestServiceAccountUnregistered(t *testing.T) {
	_, keyPEM := newKey(t)
	f := newFixture(t, Options{})
	f.clk.Set(time.Now())
	cfg, err := google.JWTConfigFromJSON(serviceAccountJSON(t, "any@x.iam.gserviceaccount.com", keyPEM, f.srv.URL+"/token"), scopeDrive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cfg.TokenSource(context.Background()).Token(); err != nil {
		t.Fatalf("token: %v", err)
	}
	cfg.Scopes = nil
	_, err = cfg.TokenSource(context.Background()).Token()
	tokenErr(t, err, 400, "invalid_scope", "")
}

func TestParseJWT(t *testing.T) {
	key, _ := newKey(t)
	good, err := signJWT(key, "k", jwtClaims{Iss: "a", Aud: "b", Exp: 2, Iat: 1, Scope: scopeDrive})
	if err != nil {
		t.Fatal(err)
	}
	hdr, body, _ := strings.Cut(good, ".")
	body, sig, _ := strings.Cut(body, ".")
	for _, tc := range []struct {
		name, in, want string
	}{
		{"good", good, ""},
		{"two parts", hdr + "." + body, "3 dot-separated parts"},
		{"four parts", good + ".x", "3 dot-separated parts"},
		{"bad base64 header", "!!." + body + "." + sig, "header"},
		{"alg none", "eyJhbGciOiJub25lIn0." + body + "." + sig, `unsupported alg "none"`},
		{"claims not JSON", hdr + ".bm90IGpzb24." + sig, "claims"},
		{"empty signature", hdr + "." + body + ".", "signature is empty"},
		{"huge", strings.Repeat("a", maxJWT+1), "longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parseJWT(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("parseJWT: %v", err)
				}
				if err := p.verify(&key.PublicKey); err != nil {
					t.Fatalf("verify: %v", err)
				}
				if p.claims.Iss != "a" || p.claims.Scope != scopeDrive {
					t.Fatalf("claims = %+v", p.claims)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("parseJWT error = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhIn0.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseJWT(s)
		if err != nil {
			return
		}
		if p.header.Alg != "RS256" || len(p.sig) == 0 || strings.Count(s, ".") != 2 {
			t.Fatalf("parseJWT accepted %q: %+v", s, p.header)
		}
		// A random signature must never verify against a fresh key's public half.
		if err := p.verify(&rsa.PublicKey{}); err == nil {
			t.Fatalf("verify with empty key succeeded")
		}
	})
}

func FuzzLoopbackRedirect(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/", "http://localhost", "http://[::1]:1/cb?x=1", "https://127.0.0.1/", "http://127.0.0.1.evil.example/", "http://user@127.0.0.1/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := loopbackRedirect(s)
		if err != nil {
			return
		}
		if u.Scheme != "http" || u.User != nil || u.Fragment != "" {
			t.Fatalf("accepted %q", s)
		}
		// Other spellings of the two addresses (e.g. "::ffff:127.0.0.1") are fine.
		h := u.Hostname()
		ip := net.ParseIP(h)
		if h != "localhost" && !(ip != nil && ip.IsLoopback() && (ip.To4() == nil || ip.Equal(net.IPv4(127, 0, 0, 1)))) {
			t.Fatalf("accepted host %q from %q", h, s)
		}
	})
}

func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{scopeDrive, "openid email", "  email email ", "https://evil/x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		scopes, err := parseScopes(s)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, sc := range scopes {
			if seen[sc] || (sc != "openid" && !strings.HasPrefix(sc, "https://www.googleapis.com/auth/")) {
				t.Fatalf("parseScopes(%q) = %q", s, scopes)
			}
			seen[sc] = true
		}
	})
}
