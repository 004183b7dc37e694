package fakedrive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type failAfter struct {
	r   io.Reader
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

// TestBrokenChunkCommitsWholeQuanta: a chunk whose body breaks after 1.5
// quanta commits exactly one quantum, and the session resumes from there.
func TestBrokenChunkCommitsWholeQuanta(t *testing.T) {
	sv, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok := sv.Token()
	do := func(method, target string, body io.Reader, h map[string]string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, body)
		req.Header.Set("Authorization", "Bearer "+tok)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		func() {
			defer func() {
				if p := recover(); p != nil && p != http.ErrAbortHandler {
					panic(p)
				}
			}()
			sv.ServeHTTP(rec, req)
		}()
		return rec
	}
	const q = chunkQuantum
	data := bytes.Repeat([]byte("0123456789abcdef"), (2*q+10)/16+1)[:2*q+10]
	rec := do("POST", "/upload/drive/v3/files?uploadType=resumable", strings.NewReader(`{"name":"x"}`), nil)
	loc := rec.Header().Get("Location")
	if loc == "" {
		t.Fatalf("no session: %d %s", rec.Code, rec.Body)
	}
	broken := &failAfter{r: bytes.NewReader(data[:q+q/2]), err: errors.New("reset")}
	req := httptest.NewRequest("PUT", loc, broken)
	req.ContentLength = 2 * q
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes 0-%d/*", 2*q-1))
	func() {
		defer func() { recover() }()
		sv.ServeHTTP(httptest.NewRecorder(), req)
	}()
	rec = do("PUT", loc, nil, map[string]string{"Content-Range": "bytes */*"})
	if rec.Code != 308 || rec.Header().Get("Range") != fmt.Sprintf("bytes=0-%d", q-1) {
		t.Fatalf("after broken chunk: %d Range %q", rec.Code, rec.Header().Get("Range"))
	}
	rec = do("PUT", loc, bytes.NewReader(data[q:]), map[string]string{"Content-Range": fmt.Sprintf("bytes %d-%d/%d", q, len(data)-1, len(data))})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"id"`) {
		t.Fatalf("final: %d %s", rec.Code, rec.Body)
	}
	sv.st.mu.RLock()
	defer sv.st.mu.RUnlock()
	for _, f := range sv.st.files {
		if f.Name == "x" {
			if f.Head.MD5 != digest(data).md5 {
				t.Fatal("md5 of resumed upload differs")
			}
			return
		}
	}
	t.Fatal("file not created")
}
