package auth

import (
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestParseRedirect(t *testing.T) {
	const state, code = "ST4TE", "4/0AbCd-xyz"
	good := "http://127.0.0.1:1/?state=" + state + "&code=" + url.QueryEscape(code) + "&scope=" + url.QueryEscape(ScopeDrive)
	for _, tc := range []struct {
		name, in string
		want     string // "" means an error is expected
		errIs    error
	}{
		{"URL", good, code, nil},
		{"spaces and newline", "  " + good + "\r\n", code, nil},
		{"quoted", `"` + good + `"`, code, nil},
		{"angle brackets", "<" + good + ">", code, nil},
		{"no scheme", strings.TrimPrefix(good, "http://"), code, nil},
		{"bare query", "code=" + url.QueryEscape(code) + "&state=" + state, code, nil},
		{"leading ?", "?code=c&state=" + state, "c", nil},
		{"fragment ignored", good + "#frag", code, nil},
		{"empty", "   ", "", nil},
		{"just a code", code, "", nil},
		{"wrong state", "?code=c&state=other", "", ErrStateMismatch},
		{"no state", "?code=c", "", ErrStateMismatch},
		{"no code", "?state=" + state, "", nil},
		{"bad escape", "?code=%zz&state=" + state, "", nil},
		{"refused", "?error=access_denied&state=" + state, "", nil},
		{"refused, forged", "?error=access_denied&state=x", "", ErrStateMismatch},
		{"too long", "?code=" + strings.Repeat("a", maxPaste) + "&state=" + state, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRedirect(tc.in, state)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseRedirect = %q, %v, want %q", got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseRedirect = %q, want an error", got)
			}
			if tc.errIs != nil && !errors.Is(err, tc.errIs) {
				t.Fatalf("error %v, want %v", err, tc.errIs)
			}
			if strings.Contains(err.Error(), "4/0") || strings.Contains(err.Error(), "zz") {
				t.Fatalf("error repeats the pasted text: %v", err)
			}
		})
	}
	var de *DeniedError
	if _, err := ParseRedirect("?error=access_denied&error_description=no&state="+state, state); !errors.As(err, &de) || de.Code != "access_denied" {
		t.Fatalf("refusal = %v, want DeniedError", err)
	}
}

// FuzzParseRedirect: any input either fails or yields a non-empty code, and
// a redirect built from any code and state gives that code back.
func FuzzParseRedirect(f *testing.F) {
	f.Add("http://127.0.0.1:1/?state=s&code=4/0x&scope=a+b", "s", "4/0x")
	f.Add("code=c&state=s", "s", "c")
	f.Add("?error=access_denied&state=s", "s", "")
	f.Add("\"<http://localhost/?state=%zz>\"", "s", "c")
	f.Add("127.0.0.1:1/?code=a#b&state=s", "s", "a")
	f.Fuzz(func(t *testing.T, pasted, state, code string) {
		if got, err := ParseRedirect(pasted, state); err == nil && got == "" {
			t.Fatalf("ParseRedirect(%q) gave an empty code and no error", pasted)
		}
		if state == "" || code == "" {
			return
		}
		u := "http://127.0.0.1:1/?" + url.Values{"state": {state}, "code": {code}}.Encode()
		if len(u) > maxPaste {
			return
		}
		got, err := ParseRedirect(u, state)
		if err != nil || got != code {
			t.Fatalf("ParseRedirect(%q) = %q, %v, want %q", u, got, err, code)
		}
		if _, err := ParseRedirect(u, state+"x"); !errors.Is(err, ErrStateMismatch) {
			t.Fatalf("wrong state accepted: %v", err)
		}
	})
}

func TestAccountFromIDToken(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct{ in, want string }{
		{"h." + enc([]byte(`{"email":"a@b.c","sub":"1"}`)) + ".sig", "a@b.c"},
		{"h." + enc([]byte(`{"sub":"1"}`)) + ".sig", ""},
		{"h." + enc([]byte(`not json`)) + ".sig", ""},
		{"h.!!.sig", ""},
		{"only.two", ""},
		{"", ""},
	} {
		if got := accountFromIDToken(tc.in); got != tc.want {
			t.Errorf("accountFromIDToken(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzAccountFromIDToken(f *testing.F) {
	f.Add("h.eyJlbWFpbCI6ImFAYi5jIn0.s")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		got := accountFromIDToken(s)
		if got != "" && strings.Count(s, ".") != 2 {
			t.Fatalf("accountFromIDToken(%q) = %q from a malformed token", s, got)
		}
	})
}
