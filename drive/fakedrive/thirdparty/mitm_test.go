package thirdparty

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// mitmProxy is an HTTP CONNECT proxy on loopback that pretends to be
// Google: it answers CONNECT for Google's hosts on port 443, terminates TLS
// with a leaf certificate for the asked host signed by a CA made for the
// test, and hands the decrypted requests to the emulator's plain-HTTP base
// URL. The Host header is kept and X-Forwarded-Proto set to https, so the
// emulator writes absolute URLs (upload sessions) with the host the client
// asked for. It never connects anywhere but the loopback emulator.
type mitmProxy struct {
	addr  string // host:port of the CONNECT listener
	caPEM []byte // the CA certificate, for the client's trust store

	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	ln     net.Listener
	inner  *http.Server
	conns  *connListener
	mu     sync.Mutex
	leaves map[string]*tls.Certificate
	trail  bytes.Buffer // one line per CONNECT and per forwarded request
	wg     sync.WaitGroup
}

// googleHost reports whether host (no port) is one the proxy will stand in
// for: googleapis.com, google.com and their subdomains.
func googleHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range []string{"googleapis.com", "google.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// loopbackTarget checks that base is an http URL on a loopback IP address:
// the only place the proxy forwards to.
func loopbackTarget(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("mitm: target %q: %w", base, err)
	}
	ip := net.ParseIP(u.Hostname())
	if u.Scheme != "http" || ip == nil || !ip.IsLoopback() || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("mitm: target %q: want http://<loopback IP>:<port>", base)
	}
	return u, nil
}

// newMITMProxy starts the proxy in front of target (the emulator's base
// URL, which must be on loopback). It stops with the test.
func newMITMProxy(t *testing.T, target string) *mitmProxy {
	t.Helper()
	u, err := loopbackTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &mitmProxy{leaves: map[string]*tls.Certificate{}}
	if err := p.makeCA(); err != nil {
		t.Fatalf("mitm: make CA: %v", err)
	}
	p.ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mitm: listen: %v", err)
	}
	p.addr = p.ln.Addr().String()
	p.conns = newConnListener(p.ln.Addr())
	p.inner = &http.Server{
		Handler:           p.forwarder(u),
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	p.wg.Add(2)
	go func() { defer p.wg.Done(); p.inner.Serve(p.conns) }()
	go func() { defer p.wg.Done(); p.acceptLoop() }()
	t.Cleanup(p.close)
	return p
}

func (p *mitmProxy) close() {
	p.ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.inner.Shutdown(ctx)
	p.inner.Close()
	p.wg.Wait()
}

// Trail is what the proxy saw, for the log of a failed test.
func (p *mitmProxy) Trail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.trail.String()
}

func (p *mitmProxy) note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(&p.trail, format+"\n", args...)
}

// forwarder is the handler for decrypted requests: a reverse proxy to the
// emulator whose transport can only dial the loopback target.
func (p *mitmProxy) forwarder(target *url.URL) http.Handler {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		Proxy: nil, // never the environment's proxy
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if addr != target.Host {
				return nil, fmt.Errorf("mitm: refusing to dial %s: only the emulator at %s", addr, target.Host)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
			pr.Out.Header.Set("X-Forwarded-Proto", "https")
		},
		Transport:     tr,
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			p.note("  forward error: %s %s: %v", r.Method, r.URL.Path, err)
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		rp.ServeHTTP(rec, r)
		p.note("  %s https://%s%s -> %d", r.Method, r.Host, r.URL.RequestURI(), rec.status)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (p *mitmProxy) acceptLoop() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() { defer p.wg.Done(); p.handshake(c) }()
	}
}

// handshake reads one proxy request from c. A CONNECT to a Google host on
// port 443 is answered 200 and its TLS terminated; anything else is refused
// and the connection closed.
func (p *mitmProxy) handshake(c net.Conn) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		c.Close()
		return
	}
	refuse := func(code int, why string) {
		p.note("refused %s %s: %s", req.Method, req.Host, why)
		fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
			code, http.StatusText(code), len(why), why)
		c.Close()
	}
	if req.Method != http.MethodConnect {
		refuse(http.StatusMethodNotAllowed, "this proxy only tunnels HTTPS (CONNECT)")
		return
	}
	host, port, err := net.SplitHostPort(req.Host)
	if err != nil || port != "443" || !googleHost(host) {
		refuse(http.StatusForbidden, "only Google hosts on port 443 are proxied, to the local emulator")
		return
	}
	cert, err := p.leaf(strings.ToLower(host))
	if err != nil {
		refuse(http.StatusInternalServerError, err.Error())
		return
	}
	p.note("CONNECT %s", req.Host)
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	tc := tls.Server(&bufferedConn{Conn: c, r: br}, &tls.Config{
		Certificates: []tls.Certificate{*cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
	})
	if !p.conns.push(tc) {
		tc.Close()
	}
}

// leaf returns (making once) a certificate for host signed by the CA.
func (p *mitmProxy) leaf(host string) (*tls.Certificate, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.leaves[host]; c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("mitm: leaf key for %s: %w", host, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, fmt.Errorf("mitm: leaf certificate for %s: %w", host, err)
	}
	c := &tls.Certificate{Certificate: [][]byte{der, p.ca.Raw}, PrivateKey: key}
	p.leaves[host] = c
	return c, nil
}

func (p *mitmProxy) makeCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "drivesync thirdparty test CA", Organization: []string{"drivesync tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	p.ca, p.caKey = ca, key
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// bufferedConn is a conn whose first bytes may already sit in a reader.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// connListener hands connections the proxy accepted (and wrapped in TLS)
// to an http.Server.
type connListener struct {
	addr net.Addr
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newConnListener(addr net.Addr) *connListener {
	return &connListener{addr: addr, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *connListener) push(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }
