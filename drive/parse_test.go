package drive

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/drivesync/drivesync/drive/fakedrive/query"
)

func TestParseCommitted(t *testing.T) {
	tests := []struct {
		h       string
		want    int64
		wantErr bool
	}{
		{"", 0, false},
		{"bytes=0-0", 1, false},
		{"bytes=0-262143", 262144, false},
		{" bytes=0-99 ", 100, false},
		{"bytes=1-99", 0, true},
		{"bytes=0-", 0, true},
		{"bytes=0--5", 0, true},
		{"items=0-5", 0, true},
		{"bytes=0-9223372036854775807", 0, true},
	}
	for _, tt := range tests {
		got, err := parseCommitted(tt.h)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseCommitted(%q) = %d, %v; want %d, error %v", tt.h, got, err, tt.want, tt.wantErr)
		}
	}
}

func FuzzParseCommitted(f *testing.F) {
	for _, s := range []string{"", "bytes=0-0", "bytes=0-8388607", "bytes=5-9", "bytes=0-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		n, err := parseCommitted(h)
		if err != nil {
			if n != 0 {
				t.Fatalf("parseCommitted(%q) = %d with error %v", h, n, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("parseCommitted(%q) = %d", h, n)
		}
		if n > 0 && "bytes=0-"+strconv.FormatInt(n-1, 10) != strings.TrimSpace(h) {
			// Only the canonical spelling (modulo spaces and leading zeros) parses.
			if m, _ := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(h), "bytes=0-"), 10, 64); m != n-1 {
				t.Fatalf("parseCommitted(%q) = %d", h, n)
			}
		}
	})
}

// TestQuoteRoundTrip checks names survive quoting through the q parser
// the emulator uses (which follows Drive's grammar).
func TestQuoteRoundTrip(t *testing.T) {
	for _, name := range []string{"plain", "it's", `back\slash`, `\'`, "'", "", "naïve ☃", "a' or name contains 'b", "tab\there"} {
		checkQuote(t, name)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"plain", "it's", `back\slash`, `'\'`, "x' or 'y' in parents or name = '"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if !utf8.ValidString(name) {
			t.Skip("Drive names are UTF-8")
		}
		checkQuote(t, name)
	})
}

func checkQuote(t *testing.T, name string) {
	t.Helper()
	q := "name = " + quote(name) + " and " + quote("1parent") + " in parents and trashed = false"
	e, err := query.Parse(q)
	if err != nil {
		t.Fatalf("quote(%q): %q does not parse: %v", name, q, err)
	}
	match := &query.Subject{Name: name, Parents: []string{"1parent"}}
	other := &query.Subject{Name: name + "x", Parents: []string{"1parent"}}
	if !e.Eval(match, &query.Env{}) || e.Eval(other, &query.Env{}) {
		t.Fatalf("quote(%q): %q matches the wrong names", name, q)
	}
}

func TestSplitPath(t *testing.T) {
	tests := map[string][]string{
		"":          nil,
		"/":         nil,
		"a":         {"a"},
		"/a//b/./c": {"a", "b", "c"},
		"a/../b":    {"a", "..", "b"},
	}
	for in, want := range tests {
		got := splitPath(in)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("splitPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeSession(t *testing.T) {
	good := UploadSession{URI: "https://www.googleapis.com/upload/drive/v3/files?upload_id=x", Size: 10, Offset: 4, HashOffset: 4, Started: time.Unix(1, 0).UTC()}
	data, _ := json.Marshal(good)
	if s, err := decodeSession(data); err != nil || s.URI != good.URI || s.Offset != 4 {
		t.Fatalf("decodeSession(good) = %+v, %v", s, err)
	}
	for _, bad := range []string{
		`{`, `[]`, `{"uri":"ftp://x/y","size":1}`, `{"uri":"https://h/u","size":5,"offset":6}`,
		`{"uri":"https://h/u","size":-1}`, `{"uri":"https://h/u","size":5,"hashOffset":9}`, `{"uri":"","size":0}`,
	} {
		if _, err := decodeSession([]byte(bad)); err == nil {
			t.Errorf("decodeSession(%s) accepted a session no upload could have saved", bad)
		}
	}
}

func FuzzDecodeSession(f *testing.F) {
	f.Add([]byte(`{"uri":"https://h/u?upload_id=1","size":10,"offset":4}`))
	f.Add([]byte(`{"uri":"http://127.0.0.1:1/u","size":0,"hashState":"AAAA"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decodeSession(data)
		if err != nil {
			return
		}
		if s.Offset < 0 || s.Offset > s.Size || s.HashOffset < 0 || s.HashOffset > s.Size {
			t.Fatalf("decodeSession accepted %+v", s)
		}
	})
}

func TestValidKey(t *testing.T) {
	for _, k := range []string{"a", "up-0123abcd", strings.Repeat("x", 128), "A_b-9"} {
		if err := ValidSessionKey(k); err != nil {
			t.Errorf("ValidSessionKey(%q) = %v", k, err)
		}
	}
	for _, k := range []string{"", "../x", "a/b", "a.json", strings.Repeat("x", 129), "é"} {
		if err := ValidSessionKey(k); err == nil {
			t.Errorf("ValidSessionKey(%q) accepted", k)
		}
	}
}
