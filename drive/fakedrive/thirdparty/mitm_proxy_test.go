package thirdparty

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// echoTarget is a stand-in emulator that reports the Host and
// X-Forwarded-Proto it received.
func echoTarget(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s %s", r.Method, r.Host, r.Header.Get("X-Forwarded-Proto"), r.URL.RequestURI())
	}))
	t.Cleanup(s.Close)
	return s
}

// TestProxyForwardsGoogleHosts: a client that trusts the test CA reaches
// the target through the proxy for each Google host, over verified TLS,
// with its Host kept and X-Forwarded-Proto: https added.
func TestProxyForwardsGoogleHosts(t *testing.T) {
	target := echoTarget(t)
	p := newMITMProxy(t, target.URL)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(p.caPEM) {
		t.Fatal("CA PEM does not parse")
	}
	proxyURL, _ := url.Parse("http://" + p.addr)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyURL(proxyURL),
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
	for _, host := range []string{"www.googleapis.com", "oauth2.googleapis.com", "accounts.google.com"} {
		t.Run(host, func(t *testing.T) {
			resp, err := client.Get("https://" + host + "/drive/v3/about?fields=user")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			want := "GET " + host + " https /drive/v3/about?fields=user"
			if string(body) != want {
				t.Fatalf("target saw %q, want %q", body, want)
			}
		})
	}
}

// TestProxyRefuses: anything but a CONNECT to a Google host on 443 is
// refused before any byte is forwarded.
func TestProxyRefuses(t *testing.T) {
	target := echoTarget(t)
	p := newMITMProxy(t, target.URL)
	for _, tc := range []struct {
		name, request string
		status        int
	}{
		{"plain proxy request", "GET http://www.googleapis.com/drive/v3/about HTTP/1.1\r\nHost: www.googleapis.com\r\n\r\n", http.StatusMethodNotAllowed},
		{"other host", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", http.StatusForbidden},
		{"lookalike host", "CONNECT evilgoogleapis.com:443 HTTP/1.1\r\nHost: evilgoogleapis.com:443\r\n\r\n", http.StatusForbidden},
		{"Google host, other port", "CONNECT www.googleapis.com:80 HTTP/1.1\r\nHost: www.googleapis.com:80\r\n\r\n", http.StatusForbidden},
		{"IP address", "CONNECT 10.0.0.1:443 HTTP/1.1\r\nHost: 10.0.0.1:443\r\n\r\n", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(c, tc.request); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

func TestLoopbackTarget(t *testing.T) {
	for _, tc := range []struct {
		base string
		ok   bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://127.3.4.5:1", true},
		{"http://[::1]:9", true},
		{"http://localhost:8080", false}, // a name could resolve anywhere
		{"https://127.0.0.1:8080", false},
		{"http://10.1.2.3:80", false},
		{"http://192.168.0.1:80", false},
		{"http://8.8.8.8:80", false},
		{"http://127.0.0.1:8080/drive/v3", false},
		{"not a url\x7f", false},
	} {
		_, err := loopbackTarget(tc.base)
		if (err == nil) != tc.ok {
			t.Errorf("loopbackTarget(%q) = %v, want ok=%v", tc.base, err, tc.ok)
		}
	}
}

func TestGoogleHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"www.googleapis.com", true},
		{"oauth2.googleapis.com", true},
		{"accounts.google.com", true},
		{"WWW.GoogleAPIs.com.", true},
		{"googleapis.com", true},
		{"evilgoogleapis.com", false},
		{"googleapis.com.evil.example", false},
		{"example.com", false},
		{"", false},
	} {
		if got := googleHost(tc.host); got != tc.ok {
			t.Errorf("googleHost(%q) = %v, want %v", tc.host, got, tc.ok)
		}
	}
}

// FuzzLoopbackTarget: whatever the input, an accepted target is plain
// http on a loopback IP literal.
func FuzzLoopbackTarget(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:1", "http://[::1]:2", "http://localhost:3", "http://127.0.0.1.evil:4", "http://[::ffff:127.0.0.1]:5", "http://0x7f000001:6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, base string) {
		u, err := loopbackTarget(base)
		if err != nil {
			return
		}
		ip := net.ParseIP(u.Hostname())
		if u.Scheme != "http" || ip == nil || !ip.IsLoopback() {
			t.Fatalf("accepted %q: scheme %q host %q", base, u.Scheme, u.Hostname())
		}
	})
}

// FuzzGoogleHost: an accepted host is Google's domain or below it.
func FuzzGoogleHost(f *testing.F) {
	for _, s := range []string{"www.googleapis.com", "accounts.google.com", "evilgoogle.com", "google.com.", "x.google.com.evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !googleHost(host) {
			return
		}
		h := strings.TrimSuffix(strings.ToLower(host), ".")
		if h != "google.com" && h != "googleapis.com" && !strings.HasSuffix(h, ".google.com") && !strings.HasSuffix(h, ".googleapis.com") {
			t.Fatalf("accepted %q", host)
		}
	})
}
