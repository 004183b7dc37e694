package fakedrive

import (
	"testing"
)

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"", "bytes */*", "bytes */100", "bytes 0-99/100", "bytes 0-262143/*", "bytes 5-1/10", "bytes -1-2/3", "bytes 0-0/0", "items 0-1/2"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, h string, bodyLen int64) {
		start, total, query, e := parseContentRange(h, bodyLen)
		if e != nil {
			if e.Code != 400 {
				t.Fatalf("%q: code %d", h, e.Code)
			}
			return
		}
		if start < 0 || total < -1 {
			t.Fatalf("%q: start %d total %d", h, start, total)
		}
		if !query && h != "" && total >= 0 && start+bodyLen > total && bodyLen >= 0 {
			t.Fatalf("%q accepted a range past the total", h)
		}
	})
}

func FuzzParseMeta(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"name":"a","parents":["root"]}`, `{"size":"3"}`, `{"properties":{"k":null}}`, `[1]`, `{"modifiedTime":"2020-01-01T00:00:00Z"}`, `{"shortcutDetails":{"targetId":"x"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, e := parseMeta(data)
		if e != nil {
			if e.Code != 400 && e.Code != 403 {
				t.Fatalf("code %d", e.Code)
			}
			return
		}
		fl := &file{}
		if e := applyCommon(fl, m); e != nil && e.Code != 400 {
			t.Fatalf("applyCommon code %d", e.Code)
		}
	})
}

func FuzzPageToken(f *testing.F) {
	f.Add("MTAwOjVm", uint64(0x5f))
	f.Add("", uint64(0))
	f.Fuzz(func(t *testing.T, tok string, h uint64) {
		off, ok := decodePageToken(tok, h)
		if ok && off < 0 {
			t.Fatalf("negative offset from %q", tok)
		}
		if n, ok := decodePageToken(encodePageToken(int(h%1e6), h), h); !ok || n != int(h%1e6) {
			t.Fatal("round trip failed")
		}
	})
}
