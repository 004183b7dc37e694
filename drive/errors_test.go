package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func TestClassify(t *testing.T) {
	refused := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant"}
	tokenDown := &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}}
	tests := []struct {
		name      string
		err       error
		upload    bool
		retry     bool
		pushback  bool
		kind      error
		wantHint  bool
		wantAfter time.Duration
	}{
		{"503", err503, false, true, false, nil, false, 0},
		{"500 on upload", apiErr(500, "backendError", "x"), true, true, false, nil, false, 0},
		{"408", apiErr(408, "", "timeout"), false, true, false, nil, false, 0},
		{"429 with Retry-After", err429After7s, false, true, true, ErrRateLimited, false, 7 * time.Second},
		{"403 rateLimitExceeded", apiErr(403, "rateLimitExceeded", "Rate Limit Exceeded"), false, true, true, ErrRateLimited, false, 0},
		{"403 userRateLimitExceeded", errUserRate, true, true, true, ErrRateLimited, false, 0},
		{"daily upload cap on upload", errUploadCap, true, false, false, ErrUploadLimit, true, 0},
		{"daily upload cap wording on a read", errUploadCap, false, true, true, ErrRateLimited, false, 0},
		{"storage quota", errStorage, true, false, false, ErrStorageQuota, true, 0},
		{"download quota", apiErr(403, "downloadQuotaExceeded", "The download quota for this file has been exceeded."), false, false, false, ErrDownloadQuota, true, 0},
		{"shared drive full", apiErr(403, "teamDriveFileLimitExceeded", "The file limit for this shared drive has been exceeded."), true, false, false, ErrSharedDriveFull, true, 0},
		{"insufficient permissions", apiErr(403, "insufficientPermissions", "Insufficient Permission"), false, false, false, ErrPermission, true, 0},
		{"not downloadable", apiErr(403, "fileNotDownloadable", "Only files with binary content can be downloaded."), false, false, false, ErrNotDownloadable, true, 0},
		{"export too large", apiErr(403, "exportSizeLimitExceeded", "This file is too large to be exported."), false, false, false, ErrNotDownloadable, true, 0},
		{"404", err404, false, false, false, ErrNotFound, true, 0},
		{"401", err401, false, false, false, ErrUnauthorized, true, 0},
		{"400", apiErr(400, "invalid", "Invalid Value"), false, false, false, nil, false, 0},
		{"unexpected EOF", fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), false, true, false, nil, false, 0},
		{"connection reset", &url.Error{Op: "Get", URL: "http://x", Err: &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}, false, true, false, nil, false, 0},
		{"bare ECONNRESET", syscall.ECONNRESET, false, true, false, nil, false, 0},
		{"stalled", errStalled, false, true, false, nil, false, 0},
		{"caller cancelled", context.Canceled, false, false, false, nil, false, 0},
		{"caller deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false, false, false, nil, false, 0},
		{"disk full", localError{os.NewSyscallError("write", syscall.ENOSPC)}, false, false, false, nil, false, 0},
		{"refresh token refused", &url.Error{Op: "Get", URL: "http://x", Err: tokenError{refused}}, false, false, false, ErrUnauthorized, true, 0},
		{"token server down", &url.Error{Op: "Get", URL: "http://x", Err: tokenError{tokenDown}}, false, true, false, nil, false, 0},
		{"no refresh token", tokenError{errors.New("oauth2: token expired and refresh token is not set")}, false, false, false, ErrUnauthorized, true, 0},
		{"unknown local error", errors.New("something else"), false, false, false, nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := classify(tt.err, tt.upload)
			if v.retry != tt.retry || v.pushback != tt.pushback || v.kind != tt.kind || (v.hint != "") != tt.wantHint || v.retryAfter != tt.wantAfter {
				t.Fatalf("classify = %+v, want retry=%v pushback=%v kind=%v hint=%v after=%v", v, tt.retry, tt.pushback, tt.kind, tt.wantHint, tt.wantAfter)
			}
			w := wrap("op", "target", tt.err, tt.upload)
			if IsRetryable(w) != tt.retry || IsRetryable(tt.err) != classify(tt.err, false).retry {
				t.Fatalf("IsRetryable(%v) = %v, want %v", w, IsRetryable(w), tt.retry)
			}
			if tt.kind != nil && !errors.Is(w, tt.kind) {
				t.Fatalf("errors.Is(%v, %v) = false", w, tt.kind)
			}
			if !errors.Is(w, tt.err) {
				t.Fatalf("wrapped error lost its cause: %v", w)
			}
			if msg := w.Error(); !strings.HasPrefix(msg, "drive: op target: ") || (tt.wantHint && !strings.Contains(msg, v.hint)) {
				t.Fatalf("message %q lacks context or hint", msg)
			}
		})
	}
}

func TestIsRetryableNil(t *testing.T) {
	if IsRetryable(nil) {
		t.Fatal("IsRetryable(nil) = true")
	}
	if wrap("op", "x", nil, false) != nil {
		t.Fatal("wrap(nil) != nil")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{"12", 12 * time.Second},
		{" 5 ", 5 * time.Second},
		{"999999999", time.Hour},
		{"Thu, 02 Jan 2025 03:04:35 GMT", 30 * time.Second},
		{"Thu, 02 Jan 2025 03:00:00 GMT", 0},
		{"Fri, 03 Jan 2025 03:04:05 GMT", time.Hour},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "120", "Thu, 02 Jan 2025 03:04:35 GMT", "-1", "1e9", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, h string) {
		if d := retryAfter(h, now); d < 0 || d > time.Hour {
			t.Fatalf("retryAfter(%q) = %v, want within [0, 1h]", h, d)
		}
	})
}
