package thirdparty

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rclone runs the rclone binary against the emulator: its config names a
// drive remote "fd", HTTPS goes through the proxy, and the proxy's CA is
// the only one it trusts.
type rclone struct {
	t    *testing.T
	bin  string
	conf string
	env  []string
	log  *lockedBuffer // every run's -vv output
}

const remote = "fd:"

func newRclone(t *testing.T, bin string, e *emulator, p *mitmProxy, tok string) *rclone {
	t.Helper()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, p.caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "rclone.conf")
	cfg := fmt.Sprintf("[fd]\ntype = drive\nclient_id = %s\nclient_secret = %s\nscope = drive\ntoken = %s\n",
		testClientID, testClientSecret, tok)
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch uk := strings.ToUpper(k); {
		case uk == "HTTP_PROXY", uk == "HTTPS_PROXY", uk == "NO_PROXY", uk == "ALL_PROXY",
			strings.HasPrefix(uk, "RCLONE_"), strings.HasPrefix(uk, "SSL_CERT_"), uk == "HOME", uk == "XDG_CONFIG_HOME", uk == "XDG_CACHE_HOME":
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HTTPS_PROXY=http://"+p.addr,
		"SSL_CERT_FILE="+ca,
		"SSL_CERT_DIR="+dir, // holds no certificates: nothing but the test CA is trusted
		"HOME="+dir,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"),
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
	)
	r := &rclone{t: t, bin: bin, conf: conf, env: env, log: &lockedBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rclone -vv logs (last 24 KiB):\n%s", tail(r.log.String(), 24<<10))
			t.Logf("proxy trail (last 8 KiB):\n%s", tail(p.Trail(), 8<<10))
		}
	})
	return r
}

// run runs rclone with args and the common flags, and returns its stdout
// and its error (an *exec.ExitError when rclone failed).
func (r *rclone) run(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	full := append([]string{
		"--config", r.conf, "-vv",
		"--drive-chunk-size", "8M", "--drive-upload-cutoff", "8M",
		"--drive-pacer-min-sleep", "10ms",
		"--retries", "1", "--low-level-retries", "2",
		"--contimeout", "10s", "--timeout", "30s",
		"--cache-dir", filepath.Join(filepath.Dir(r.conf), "cache"),
	}, args...)
	cmd := exec.CommandContext(ctx, r.bin, full...)
	cmd.Env = r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	fmt.Fprintf(r.log, "\n$ rclone %s\n%s", strings.Join(args, " "), stderr.String())
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("rclone %s: %w", strings.Join(args, " "), err)
	}
	return stdout.Bytes(), nil
}

// must runs rclone and fails the test if it fails.
func (r *rclone) must(args ...string) []byte {
	r.t.Helper()
	out, err := r.run(args...)
	if err != nil {
		r.t.Fatalf("%v\nstdout: %s", err, out)
	}
	return out
}

// lsEntry is one item of `rclone lsjson`.
type lsEntry struct {
	Path    string
	Name    string
	Size    int64
	ModTime time.Time
	IsDir   bool
	ID      string
	Hashes  map[string]string
}

func (r *rclone) lsjson(args ...string) map[string]lsEntry {
	r.t.Helper()
	out := r.must(append([]string{"lsjson"}, args...)...)
	var items []lsEntry
	if err := json.Unmarshal(out, &items); err != nil {
		r.t.Fatalf("rclone lsjson %v: %v\n%s", args, err, out)
	}
	m := make(map[string]lsEntry, len(items))
	for _, it := range items {
		m[it.Path] = it
	}
	return m
}

// localEntry is what a local tree holds at one path.
type localEntry struct {
	isDir bool
	size  int64
	md5   string
	mtime time.Time
}

// walkLocal describes every file and folder under dir by slash path.
func walkLocal(t *testing.T, dir string) map[string]localEntry {
	t.Helper()
	m := map[string]localEntry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		e := localEntry{isDir: d.IsDir(), mtime: info.ModTime()}
		if !d.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			e.size, e.md5 = int64(len(data)), md5hex(data)
		}
		m[filepath.ToSlash(rel)] = e
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return m
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// writeTree creates files (slash path -> content) and empty folders under
// dir, each with a fixed modification time.
func writeTree(t *testing.T, dir string, files map[string][]byte, dirs []string, mtime time.Time) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	i := 0
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := mtime.Add(time.Duration(i) * 1234567 * time.Microsecond)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		i++
	}
}

// randomBytes is n bytes from a seeded generator, so a failure replays.
func randomBytes(seed uint64, n int) []byte {
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), 'd', 's'})
	b := make([]byte, n)
	r.Read(b)
	return b
}

// copyFile copies src to dst, creating dst's folder.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
