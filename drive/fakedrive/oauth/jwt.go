package oauth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// maxJWT bounds an assertion; Google's are well under 2 KiB.
const maxJWT = 16 << 10

// jwtClaims are the claims of a service account assertion (and of the
// id_tokens this package signs).
type jwtClaims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope,omitempty"`
	Aud   string `json:"aud"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
	Sub   string `json:"sub,omitempty"`
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// parsedJWT is a decoded compact JWS; signing input and signature are kept
// for verify.
type parsedJWT struct {
	header  jwtHeader
	claims  jwtClaims
	signed  string // header.claims, as received
	sig     []byte
	rawBody []byte
}

// parseJWT decodes a compact RS256 JWS. It checks the form, not the
// signature.
func parseJWT(s string) (*parsedJWT, error) {
	if len(s) > maxJWT {
		return nil, fmt.Errorf("assertion is longer than %d bytes", maxJWT)
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, errors.New("assertion must have 3 dot-separated parts")
	}
	var p parsedJWT
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if err := json.Unmarshal(hb, &p.header); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if p.header.Alg != "RS256" {
		return nil, fmt.Errorf("unsupported alg %q, want RS256", p.header.Alg)
	}
	p.rawBody, err = base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	if err := json.Unmarshal(p.rawBody, &p.claims); err != nil {
		return nil, fmt.Errorf("claims: %w", err)
	}
	p.sig, err = base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if len(p.sig) == 0 {
		return nil, errors.New("signature is empty")
	}
	p.signed = parts[0] + "." + parts[1]
	return &p, nil
}

// verify checks the RS256 signature with key.
func (p *parsedJWT) verify(key *rsa.PublicKey) error {
	sum := sha256.Sum256([]byte(p.signed))
	return rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], p.sig)
}

// signJWT makes a compact RS256 JWS of claims (any JSON object).
func signJWT(key *rsa.PrivateKey, kid string, claims any) (string, error) {
	hb, err := json.Marshal(jwtHeader{Alg: "RS256", Typ: "JWT", Kid: kid})
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// idClaims are the OpenID Connect claims Google puts in an id_token.
type idClaims struct {
	Iss           string `json:"iss"`
	Azp           string `json:"azp"`
	Aud           string `json:"aud"`
	Sub           string `json:"sub"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Iat           int64  `json:"iat"`
	Exp           int64  `json:"exp"`
}

// addIDToken adds an id_token to reply when the grant includes "openid",
// with the email when it also includes the email scope. It must be called
// without a.mu held: the first call makes the signing key, which takes a while.
func (a *Authority) addIDToken(reply *tokenReply, clientID, email string, scopes []string, now time.Time) error {
	if !slices.Contains(scopes, "openid") {
		return nil
	}
	a.idKeyOnce.Do(func() { a.idKey, a.idKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if a.idKeyErr != nil {
		return fmt.Errorf("id_token key: %w", a.idKeyErr)
	}
	c := idClaims{
		Iss: "https://accounts.google.com", Azp: clientID, Aud: clientID,
		Sub: subjectID(email), Iat: now.Unix(), Exp: now.Add(time.Hour).Unix(),
	}
	if slices.Contains(scopes, shortScopes["email"]) {
		c.Email, c.EmailVerified = email, true
	}
	tok, err := signJWT(a.idKey, "fakedrive", c)
	if err != nil {
		return fmt.Errorf("id_token: %w", err)
	}
	reply.IDToken = tok
	return nil
}

// subjectID derives a stable 21-digit numeric subject from an email, shaped
// like Google's account ids.
func subjectID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8]))
}
