package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"time"
)

// apiClient talks to one daemon's API over its Unix socket.
type apiClient struct {
	sock string
	hc   *http.Client
}

// errNoDaemon means no daemon answers on the socket.
var errNoDaemon = errors.New("no drivesync daemon is running for this folder")

func newAPIClient(sock string) *apiClient {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}}
	return &apiClient{sock: sock, hc: &http.Client{Transport: tr}}
}

// send sends a request and returns the daemon's answer if it is a 200; an
// error answer becomes an error carrying the daemon's message. The caller
// closes the body.
func (c *apiClient) send(ctx context.Context, method, path string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	// A daemon starting or stopping can reset a connection it had already
	// accepted; a GET is safe to ask again.
	for try := 0; err != nil && method == http.MethodGet && try < 3 && (errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)); try++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err = c.hc.Do(req)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, errNoDaemon
		}
		return nil, fmt.Errorf("api %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("api %s %s: %w", method, path, err)
		}
		var e struct{ Error string }
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return nil, &apiError{code: resp.StatusCode, msg: e.Error}
		}
		return nil, &apiError{code: resp.StatusCode, msg: string(bytes.TrimSpace(data))}
	}
	return resp, nil
}

// do sends a request and decodes a JSON answer into out (unless nil).
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	resp, err := c.send(ctx, method, path, in)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("api %s %s: %w", method, path, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("api %s %s: answer: %w", method, path, err)
	}
	return nil
}

// apiError is an error answer of the daemon.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func (c *apiClient) Status(ctx context.Context) (apiStatus, error) {
	var st apiStatus
	return st, c.do(ctx, http.MethodGet, "/v1/status", nil, &st)
}

// Flush asks the daemon to flush; timeout 0 waits as long as ctx allows.
func (c *apiClient) Flush(ctx context.Context, timeout time.Duration) error {
	p := "/v1/flush"
	if timeout > 0 {
		p += "?timeout=" + url.QueryEscape(timeout.String())
	}
	return c.do(ctx, http.MethodPost, p, nil, nil)
}

// Glob asks for the matches as JSON (r.Format is set to "json").
func (c *apiClient) Glob(ctx context.Context, r globRequest) (globResponse, error) {
	var out globResponse
	r.Format = "json"
	return out, c.do(ctx, http.MethodPost, "/v1/glob", r, &out)
}

// GlobTo asks for the matches in r.Format ("lines" or "nul") and copies
// the answer to w as it arrives, with no decoding: the paths, ready to
// print.
func (c *apiClient) GlobTo(ctx context.Context, r globRequest, w io.Writer) error {
	if r.Format != "lines" && r.Format != "nul" {
		return fmt.Errorf("glob: format %q: want lines or nul", r.Format)
	}
	resp, err := c.send(ctx, http.MethodPost, "/v1/glob", r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("api POST /v1/glob: %w", err)
	}
	return nil
}

func (c *apiClient) Fetch(ctx context.Context, paths []string) error {
	return c.do(ctx, http.MethodPost, "/v1/fetch", fetchRequest{Paths: paths}, nil)
}

func (c *apiClient) Stop(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/stop", nil, nil)
}
