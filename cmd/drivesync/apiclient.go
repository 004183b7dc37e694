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

// do sends a request and decodes a JSON answer into out; an error answer
// becomes an error carrying the daemon's message.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://localhost"+path, body)
	if err != nil {
		return err
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
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err = c.hc.Do(req)
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ECONNREFUSED) {
			return errNoDaemon
		}
		return fmt.Errorf("api %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return fmt.Errorf("api %s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) == nil && e.Error != "" {
			return &apiError{code: resp.StatusCode, msg: e.Error}
		}
		return &apiError{code: resp.StatusCode, msg: string(bytes.TrimSpace(data))}
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

func (c *apiClient) Glob(ctx context.Context, r globRequest) (globResponse, error) {
	var out globResponse
	return out, c.do(ctx, http.MethodPost, "/v1/glob", r, &out)
}

func (c *apiClient) Fetch(ctx context.Context, paths []string) error {
	return c.do(ctx, http.MethodPost, "/v1/fetch", fetchRequest{Paths: paths}, nil)
}

func (c *apiClient) Stop(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/v1/stop", nil, nil)
}
