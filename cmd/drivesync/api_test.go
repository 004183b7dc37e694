package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drivesync/drivesync/glob"
)

// memMount is a mountService over an in-memory index: Fetch marks entries
// local, Flush waits for ctx or succeeds at once.
type memMount struct {
	root      string
	mu        sync.Mutex
	entries   map[string]glob.Entry
	fetched   []string
	blockFlag bool // Flush blocks until ctx ends
}

func (m *memMount) Status() apiStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := apiStatus{Root: m.root, Phase: "idle", PendingUploads: 2}
	for _, e := range m.entries {
		if e.Dir {
			st.Dirs++
		} else {
			st.Files++
			st.Bytes += e.Size
		}
	}
	return st
}

func (m *memMount) Flush(ctx context.Context) error {
	if m.blockFlag {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

func (m *memMount) Fetch(_ context.Context, paths []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range paths {
		e, ok := m.entries[p]
		if !ok {
			return errors.New("no such file " + p)
		}
		e.State = stateLocal
		m.entries[p] = e
		m.fetched = append(m.fetched, p)
	}
	return nil
}

// Index is live, like the state store: a Walk sees the entries as they are then.
func (m *memMount) Index() (glob.Index, error) { return m, nil }

func (m *memMount) PathIndex() (glob.Index, error) { return m, nil }

func (m *memMount) Walk(dir string, fn func(*glob.Entry) bool) error {
	m.mu.Lock()
	var es []glob.Entry
	for _, e := range m.entries {
		es = append(es, e)
	}
	m.mu.Unlock()
	ix, err := glob.NewMemIndex(es)
	if err != nil {
		return err
	}
	return ix.Walk(dir, fn)
}

func newMemMount(root string) *memMount {
	m := &memMount{root: root, entries: map[string]glob.Entry{}}
	add := func(p string, dir bool, size int64, state string) {
		m.entries[p] = glob.Entry{Path: p, Dir: dir, Size: size, ID: "id-" + p, MD5: "md5-" + p, State: state, ModTime: time.Unix(1700000000, 0).UTC()}
	}
	add("my_data", true, 0, stateLocal)
	add("my_data/images", true, 0, stateLocal)
	add("my_data/images/cats", true, 0, stateLocal)
	add("my_data/images/cats/a.jpg", false, 10, stateLocal)
	add("my_data/images/cats/b.jpg", false, 20, stateRemote)
	add("my_data/images/dogs", true, 0, stateLocal)
	add("my_data/images/dogs/c.png", false, 30, stateRemote)
	add("checkpoints", true, 0, stateLocal)
	add("checkpoints/e1.h5", false, 40, stateRemote)
	return m
}

// startAPI serves svc on a socket in a temp dir and returns a client.
func startAPI(t *testing.T, svc mountService, stop func()) (*apiClient, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "run", "m.sock")
	ln, err := listenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newAPIServer(svc, slog.New(slog.DiscardHandler), stop).Handler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return newAPIClient(sock), sock
}

func TestAPISocketMode(t *testing.T) {
	_, sock := startAPI(t, newMemMount("/m"), nil)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Mode().Type() != os.ModeSocket {
		t.Errorf("socket mode %v, want socket 0600", fi.Mode())
	}
	di, err := os.Stat(filepath.Dir(sock))
	if err != nil {
		t.Fatal(err)
	}
	if di.Mode().Perm() != 0o700 {
		t.Errorf("runtime dir mode %v, want 0700", di.Mode().Perm())
	}
}

// rawRequest sends a hand-made request over the socket and returns the status code and body.
func rawRequest(t *testing.T, sock, method, target string, hdr map[string]string, body string) (int, string) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	req, err := http.NewRequest(method, "http://localhost"+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIRefusesBrowsersAndRemoteHosts(t *testing.T) {
	_, sock := startAPI(t, newMemMount("/m"), nil)
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"plain", nil, http.StatusOK},
		{"localhost with port", map[string]string{"Host": "localhost:8080"}, http.StatusOK},
		{"ipv4 loopback", map[string]string{"Host": "127.0.0.1"}, http.StatusOK},
		{"ipv6 loopback", map[string]string{"Host": "[::1]:80"}, http.StatusOK},
		{"origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"null origin", map[string]string{"Origin": "null"}, http.StatusForbidden},
		{"rebinding host", map[string]string{"Host": "evil.example"}, http.StatusForbidden},
		{"lan address", map[string]string{"Host": "192.168.1.5"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := rawRequest(t, sock, "GET", "/v1/status", tt.hdr, "")
			if code != tt.want {
				t.Errorf("status %d (%s), want %d", code, body, tt.want)
			}
		})
	}
}

func TestAPIStatusAndMetrics(t *testing.T) {
	c, sock := startAPI(t, newMemMount("/m"), nil)
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Root != "/m" || st.Files != 4 || st.Dirs != 5 || st.Bytes != 100 || !st.Running || st.PID != os.Getpid() {
		t.Errorf("status %+v", st)
	}
	code, body := rawRequest(t, sock, "GET", "/metrics", nil, "")
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, want := range []string{"drivesync_files 4\n", "drivesync_bytes 100\n", "drivesync_pending_uploads 2\n", `drivesync_phase{phase="idle"} 1`, "# TYPE drivesync_api_requests_total counter"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

func TestAPIFlush(t *testing.T) {
	m := newMemMount("/m")
	c, _ := startAPI(t, m, nil)
	if err := c.Flush(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	m.blockFlag = true
	err := c.Flush(context.Background(), time.Millisecond)
	var ae *apiError
	if !errors.As(err, &ae) || ae.code != http.StatusGatewayTimeout || !strings.Contains(err.Error(), "2 uploads pending") {
		t.Errorf("blocked flush: %v, want a 504 naming the pending uploads", err)
	}
	if err := c.do(context.Background(), "POST", "/v1/flush?timeout=soon", nil, nil); err == nil || !strings.Contains(err.Error(), `timeout "soon"`) {
		t.Errorf("bad timeout: %v", err)
	}
}

func TestAPIGlob(t *testing.T) {
	m := newMemMount("/m")
	c, _ := startAPI(t, m, nil)
	ctx := context.Background()
	tests := []struct {
		name    string
		req     globRequest
		want    []string // Rel:state
		fetched []string
	}{
		{"no fetch", globRequest{Patterns: []string{"my_data/images/*/*"}, NoFetch: true},
			[]string{"my_data/images/cats/a.jpg:local", "my_data/images/cats/b.jpg:remote", "my_data/images/dogs/c.png:remote"}, nil},
		{"fetch", globRequest{Patterns: []string{"my_data/images/cats/*.jpg"}},
			[]string{"my_data/images/cats/a.jpg:local", "my_data/images/cats/b.jpg:local"}, []string{"my_data/images/cats/b.jpg"}},
		{"checkpoints", globRequest{Patterns: []string{"**"}, Checkpoints: true, NoFetch: true},
			[]string{"checkpoints/e1.h5:remote"}, nil},
		{"folders", globRequest{Patterns: []string{"my_data/images/*/"}, NoFetch: true},
			[]string{"my_data/images/cats/:local", "my_data/images/dogs/:local"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.fetched = nil
			resp, err := c.Glob(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, mt := range resp.Matches {
				got = append(got, mt.Rel+":"+mt.State)
				if want := filepath.Join("/m", mt.Rel); strings.TrimSuffix(mt.Path, "/") != want {
					t.Errorf("path %q, want %q", mt.Path, want)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if !slices.Equal(m.fetched, tt.fetched) || resp.Fetched != len(tt.fetched) {
				t.Errorf("fetched %q (%d), want %q", m.fetched, resp.Fetched, tt.fetched)
			}
		})
	}
}

// The "lines" and "nul" formats send the absolute paths, ready to print,
// after fetching as the JSON answer does.
func TestAPIGlobLines(t *testing.T) {
	m := newMemMount("/m")
	c, _ := startAPI(t, m, nil)
	ctx := context.Background()
	tests := []struct {
		name    string
		req     globRequest
		want    string
		fetched []string
	}{
		{"lines, no fetch", globRequest{Patterns: []string{"my_data/images/*/*"}, NoFetch: true, Format: "lines"},
			"/m/my_data/images/cats/a.jpg\n/m/my_data/images/cats/b.jpg\n/m/my_data/images/dogs/c.png\n", nil},
		{"nul, folders", globRequest{Patterns: []string{"my_data/images/*/"}, NoFetch: true, Format: "nul"},
			"/m/my_data/images/cats/\x00/m/my_data/images/dogs/\x00", nil},
		{"lines, fetch", globRequest{Patterns: []string{"my_data/images/cats/*.jpg"}, Format: "lines"},
			"/m/my_data/images/cats/a.jpg\n/m/my_data/images/cats/b.jpg\n", []string{"my_data/images/cats/b.jpg"}},
		{"lines, nothing", globRequest{Patterns: []string{"none*"}, Format: "lines"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m.fetched = nil
			var out strings.Builder
			if err := c.GlobTo(ctx, tt.req, &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got %q, want %q", out.String(), tt.want)
			}
			if !slices.Equal(m.fetched, tt.fetched) {
				t.Errorf("fetched %q, want %q", m.fetched, tt.fetched)
			}
		})
	}
	if err := c.GlobTo(ctx, globRequest{Patterns: []string{"a/[b"}, Format: "lines"}, io.Discard); err == nil || !strings.Contains(err.Error(), "unterminated") {
		t.Errorf("bad pattern: %v", err)
	}
}

func TestAPIBadRequests(t *testing.T) {
	c, sock := startAPI(t, newMemMount("/m"), nil)
	ctx := context.Background()
	for _, r := range []globRequest{{}, {Patterns: []string{"a/[b"}}, {Patterns: []string{"/abs"}}, {Patterns: []string{"*"}, Shard: "3/2"}, {Patterns: []string{"*"}, Sort: "colour"}} {
		if _, err := c.Glob(ctx, r); err == nil {
			t.Errorf("glob %+v: no error", r)
		}
	}
	for _, p := range []string{"../etc/passwd", "/etc/passwd", "a/../b", ""} {
		if err := c.Fetch(ctx, []string{p}); err == nil || !strings.Contains(err.Error(), "relative to the mount root") {
			t.Errorf("fetch %q: %v", p, err)
		}
	}
	if code, _ := rawRequest(t, sock, "POST", "/v1/glob", nil, `{"patterns":["*"],"bogus":1}`); code != http.StatusBadRequest {
		t.Errorf("unknown field: %d", code)
	}
	if code, _ := rawRequest(t, sock, "POST", "/v1/glob", nil, `{"patterns":["*"],"format":"xml"}`); code != http.StatusBadRequest {
		t.Errorf("unknown format: %d", code)
	}
	if code, _ := rawRequest(t, sock, "GET", "/v1/flush", nil, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET flush: %d", code)
	}
}

func TestAPIStop(t *testing.T) {
	stopped := make(chan struct{})
	c, _ := startAPI(t, newMemMount("/m"), func() { close(stopped) })
	if err := c.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-stopped
}

func TestAPINoDaemon(t *testing.T) {
	c := newAPIClient(filepath.Join(t.TempDir(), "none.sock"))
	if _, err := c.Status(context.Background()); !errors.Is(err, errNoDaemon) {
		t.Errorf("status without a daemon: %v, want errNoDaemon", err)
	}
}

// The CLI's flush maps the daemon's answers to exit codes: 0, 2 on timeout, 1 otherwise.
func TestFlushExitCodes(t *testing.T) {
	m := newMemMount("/m")
	_, sock := startAPI(t, m, nil)
	md := mountDirs{Root: "/m", Sock: sock}
	if err := flushMount(context.Background(), md, 0); err != nil {
		t.Fatal(err)
	}
	m.blockFlag = true
	err := flushMount(context.Background(), md, time.Millisecond)
	if exitCode(err) != exitTimeout {
		t.Errorf("timed-out flush: %v, exit %d; want %d", err, exitCode(err), exitTimeout)
	}
	none := mountDirs{Root: "/n", Sock: filepath.Join(t.TempDir(), "none.sock")}
	if err := flushMount(context.Background(), none, 0); exitCode(err) != 1 || !errors.Is(err, errNoDaemon) {
		t.Errorf("flush without a daemon: %v", err)
	}
}

// walkCounter counts the walks of an index.
type walkCounter struct {
	glob.Index
	walks int
}

func (w *walkCounter) Walk(dir string, fn func(*glob.Entry) bool) error {
	w.walks++
	return w.Index.Walk(dir, fn)
}

// globNames reads the paths-only index for the queries that need no more,
// and the full index for the others.
func TestGlobNamesPicksIndex(t *testing.T) {
	ix, err := glob.NewMemIndex([]glob.Entry{{Path: "a.jpg", Size: 2, ModTime: time.Unix(5, 0)}, {Path: "b.h5", Size: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		req      globRequest
		wantFull bool
	}{
		{globRequest{Patterns: []string{"*"}}, false},
		{globRequest{Patterns: []string{"*"}, Images: true, Shard: "0/2", Limit: 1, Reverse: true}, false},
		{globRequest{Patterns: []string{"*"}, Newest: 1}, true},
		{globRequest{Patterns: []string{"*"}, Sort: "size"}, true},
		{globRequest{Patterns: []string{"*"}, Checkpoints: true}, true},
	} {
		full, paths := &walkCounter{Index: ix}, &walkCounter{Index: ix}
		_, err := globNames(context.Background(), func() (glob.Index, error) { return full, nil },
			func() (glob.Index, error) { return paths, nil }, nil, tt.req, func(string) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if (full.walks > 0) != tt.wantFull || (paths.walks > 0) == tt.wantFull {
			t.Errorf("%+v: %d walks of the full index, %d of the paths-only one; want the full one: %v", tt.req, full.walks, paths.walks, tt.wantFull)
		}
	}
}
