package thirdparty

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// The OAuth client the test logs in as. The emulator accepts any client
// unless configured otherwise; rclone is given the same pair so that its
// refresh (which must name the client the refresh token was issued to)
// works.
const (
	testClientID     = "thirdparty-test.apps.googleusercontent.com"
	testClientSecret = "thirdparty-test-secret"
	driveScope       = "https://www.googleapis.com/auth/drive"
)

// buildDrivesync compiles cmd/drivesync into a temporary directory.
func buildDrivesync(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "drivesync")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/drivesync/drivesync/cmd/drivesync")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build cmd/drivesync: %v\n%s", err, out)
	}
	return bin
}

// emulator is a running `drivesync fake-drive` process.
type emulator struct {
	base   string // plain-HTTP base URL it printed
	token  *oauth2.Token
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startEmulator runs `drivesync fake-drive --seed seed` on a free loopback
// port, reads its base URL from the first line of stdout, and logs in
// through its OAuth endpoints. The process is interrupted with the test.
func startEmulator(t *testing.T, bin, seed string) *emulator {
	t.Helper()
	cmd := exec.Command(bin, "fake-drive", "--seed", seed, "--listen", "127.0.0.1:0", "--log-level", "debug")
	cmd.Env = append(os.Environ(), "DRIVESYNC_HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	e := &emulator{stderr: &lockedBuffer{}}
	cmd.Stderr = e.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s fake-drive: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("fake-drive stderr (last 8 KiB):\n%s", tail(e.stderr.String(), 8<<10))
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("fake-drive printed no base URL; stderr:\n%s", e.stderr.String())
		}
		e.base = strings.TrimSpace(line)
	case <-time.After(30 * time.Second):
		t.Fatalf("fake-drive printed no base URL in 30s; stderr:\n%s", e.stderr.String())
	}
	if _, err := loopbackTarget(e.base); err != nil {
		t.Fatalf("fake-drive's first line: %v", err)
	}
	e.token = e.login(t)
	return e
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// oauthConfig is the emulator's OAuth endpoints as an installed app sees
// them: authorization approves at once and redirects to a loopback URI.
func (e *emulator) oauthConfig() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		Endpoint:     oauth2.Endpoint{AuthURL: e.base + "/o/oauth2/auth", TokenURL: e.base + "/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL:  "http://127.0.0.1:1/oauth-callback",
		Scopes:       []string{driveScope},
	}
}

// login runs the authorization-code flow with PKCE and returns a token
// with a refresh token.
func (e *emulator) login(t *testing.T) *oauth2.Token {
	t.Helper()
	conf := e.oauthConfig()
	verifier := oauth2.GenerateVerifier()
	state := "st-" + oauth2.GenerateVerifier()[:12]
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(conf.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatalf("oauth authorize: %v", err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("oauth authorize: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if q.Get("error") != "" || q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("oauth authorize redirect %s: want a code and state %q", loc, state)
	}
	tok, err := conf.Exchange(context.Background(), q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("oauth code exchange: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("oauth code exchange gave no refresh token")
	}
	return tok
}

// getJSON calls the emulator's API directly (plain HTTP, not through the
// proxy) and decodes the reply into v.
func (e *emulator) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decoding %s: %v", path, body, err)
	}
}

// driveFile is the part of a Drive v3 File the checks read.
type driveFile struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	MD5               string   `json:"md5Checksum"`
	Size              string   `json:"size"`
	Trashed           bool     `json:"trashed"`
	ExplicitlyTrashed bool     `json:"explicitlyTrashed"`
	Parents           []string `json:"parents"`
}

func (e *emulator) file(t *testing.T, id string) driveFile {
	t.Helper()
	var f driveFile
	e.getJSON(t, "/drive/v3/files/"+url.PathEscape(id)+"?fields=id,name,md5Checksum,size,trashed,explicitlyTrashed,parents", &f)
	return f
}

// stats is the emulator's per-method request counts.
func (e *emulator) stats(t *testing.T) map[string]int64 {
	t.Helper()
	var s struct {
		Methods map[string]int64 `json:"methods"`
	}
	e.getJSON(t, "/fakedrive/stats", &s)
	return s.Methods
}

// rcloneToken is the token line of an rclone config: golang.org/x/oauth2's
// Token JSON.
func rcloneToken(tok *oauth2.Token) string {
	b, _ := json.Marshal(struct {
		AccessToken  string    `json:"access_token"`
		TokenType    string    `json:"token_type"`
		RefreshToken string    `json:"refresh_token"`
		Expiry       time.Time `json:"expiry"`
	}{tok.AccessToken, "Bearer", tok.RefreshToken, tok.Expiry})
	return string(b)
}

func (e *emulator) String() string { return fmt.Sprintf("fake-drive at %s", e.base) }
