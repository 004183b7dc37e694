package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"google.golang.org/api/googleapi"
)

// Sentinel errors, matched with errors.Is on what Client methods return.
var (
	ErrNotFound        = errors.New("not found")
	ErrUnauthorized    = errors.New("login rejected")
	ErrPermission      = errors.New("permission denied")
	ErrStorageQuota    = errors.New("storage quota exceeded")
	ErrDownloadQuota   = errors.New("download quota exceeded")
	ErrUploadLimit     = errors.New("daily upload limit reached")
	ErrSharedDriveFull = errors.New("shared drive item limit reached")
	ErrRateLimited     = errors.New("rate limited")
	ErrNotDownloadable = errors.New("not downloadable")
	ErrChecksum        = errors.New("checksum mismatch")
	ErrShortcutLoop    = errors.New("shortcut loop")
	ErrAmbiguous       = errors.New("ambiguous path")
	ErrBadReply        = errors.New("malformed reply from Drive")
)

// Error is how every Client method fails: what it was doing, to what, and
// Drive's verdict. Errors that waiting will not fix carry a Hint.
type Error struct {
	Op     string // "list", "download", "upload", ...
	Target string // the file ID, path or name the operation was about
	Status int    // HTTP status Drive answered; 0 for network and local failures
	Reason string // Drive's reason code, e.g. "storageQuotaExceeded"
	Hint   string // what to do about it; "" for errors worth retrying later
	Err    error  // the cause: a *googleapi.Error, a network error, ...

	kind  error // sentinel for errors.Is
	retry bool
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("drive: ")
	b.WriteString(e.Op)
	if e.Target != "" {
		b.WriteString(" ")
		b.WriteString(e.Target)
	}
	b.WriteString(": ")
	if e.kind != nil {
		b.WriteString(e.kind.Error())
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches the sentinel errors.
func (e *Error) Is(target error) bool { return e.kind != nil && target == e.kind }

// IsRetryable reports whether err may go away if the same operation is
// tried again later: network failures, Drive's 5xx and rate limits. It is
// false for nil, for cancellation and for errors that need a person.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.retry
	}
	return classify(err, false).retry
}

// localError marks a failure on this machine (disk full, permission on the
// destination): never retried.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// verdict is what classify makes of an error.
type verdict struct {
	retry      bool          // waiting and trying again may succeed
	pushback   bool          // Drive asked us to slow down
	reauth     bool          // the token was rejected: refresh once and retry
	retryAfter time.Duration // Drive's Retry-After, if it sent one
	status     int
	reason     string
	kind       error
	hint       string
}

// uploadCapMessage is how Drive words the daily upload cap (750 GB a day).
// It shares the reason userRateLimitExceeded with the per-minute rate
// limit, whose message is longer; the message is the only tell.
const uploadCapMessage = "User rate limit exceeded."

// classify is the one place that inspects errors from Drive and the
// network and decides what they mean. upload says whether the failed
// request carried file content (the daily upload cap applies to those).
func classify(err error, upload bool) verdict {
	if err == nil {
		return verdict{}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// A per-request timeout inside the transport is a network error
		// (url.Error below); a context error here is the caller's.
		var ue *url.Error
		if !errors.As(err, &ue) || !ue.Timeout() {
			return verdict{}
		}
	}
	var le localError
	if errors.As(err, &le) {
		return verdict{}
	}
	var te tokenError
	if errors.As(err, &te) {
		return classifyToken(te)
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return classifyAPI(ge, upload)
	}
	if errors.Is(err, errNullReply) {
		return verdict{kind: ErrBadReply, retry: true}
	}
	if errors.Is(err, ErrChecksum) || errors.Is(err, ErrShortcutLoop) {
		return verdict{kind: errKind(err)}
	}
	var ne net.Error
	var ue *url.Error
	switch {
	case errors.As(err, &ue), errors.As(err, &ne),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, errStalled):
		return verdict{retry: true}
	}
	return verdict{}
}

// classifyToken judges a failure to get a token: the token server being
// down is worth a retry, a refused refresh token needs a new login.
func classifyToken(te tokenError) verdict {
	var re *oauth2.RetrieveError
	if errors.As(te.err, &re) && re.Response != nil && (re.Response.StatusCode >= 500 || re.Response.StatusCode == 429) {
		return verdict{retry: true}
	}
	var ne net.Error
	if !errors.As(te.err, &re) && errors.As(te.err, &ne) {
		return verdict{retry: true}
	}
	return verdict{kind: ErrUnauthorized, hint: "the saved login no longer works; run `drivesync login` again"}
}

func errKind(err error) error {
	for _, k := range []error{ErrChecksum, ErrShortcutLoop} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

func classifyAPI(ge *googleapi.Error, upload bool) verdict {
	v := verdict{status: ge.Code}
	var msg string
	if len(ge.Errors) > 0 {
		v.reason, msg = ge.Errors[0].Reason, ge.Errors[0].Message
	}
	v.retryAfter = retryAfter(ge.Header.Get("Retry-After"), time.Now())
	switch {
	case ge.Code == 401:
		v.reauth = true
		v.kind = ErrUnauthorized
		v.hint = "Drive rejected the login even after a token refresh; run `drivesync login` again"
	case ge.Code == 404:
		v.kind = ErrNotFound
		v.hint = "it was deleted or this account cannot see it; check the ID or path"
	case ge.Code == 429:
		v.retry, v.pushback, v.kind = true, true, ErrRateLimited
	case ge.Code == 403 && (v.reason == "userRateLimitExceeded" || v.reason == "rateLimitExceeded"):
		if upload && v.reason == "userRateLimitExceeded" && msg == uploadCapMessage {
			v.kind = ErrUploadLimit
			v.hint = "Drive's daily upload limit (750 GB) is reached; uploads can resume after 24 hours"
			break
		}
		v.retry, v.pushback, v.kind = true, true, ErrRateLimited
	case ge.Code == 403 && v.reason == "storageQuotaExceeded":
		v.kind = ErrStorageQuota
		v.hint = "Drive storage is full; empty Drive's trash, delete files or buy storage, then sync again"
	case ge.Code == 403 && v.reason == "downloadQuotaExceeded":
		v.kind = ErrDownloadQuota
		v.hint = "this file was downloaded too often; Drive blocks it for up to 24 hours. Wait, or copy it in Drive and sync the copy"
	case ge.Code == 403 && v.reason == "teamDriveFileLimitExceeded":
		v.kind = ErrSharedDriveFull
		v.hint = "the shared drive holds the most items Drive allows; move items out or use another shared drive"
	case ge.Code == 403 && v.reason == "dailyLimitExceeded":
		v.kind = ErrRateLimited
		v.hint = "the API project's daily quota is used up; wait until it resets or use your own OAuth client"
	case ge.Code == 403 && (v.reason == "fileNotDownloadable" || v.reason == "cannotDownloadAbusiveFile"):
		v.kind = ErrNotDownloadable
		v.hint = "Drive will not serve this file's content; Google Docs, Sheets and Slides must be exported"
	case ge.Code == 403 && v.reason == "exportSizeLimitExceeded":
		v.kind = ErrNotDownloadable
		v.hint = "the document is too large for Drive to export; download it from the Drive web interface"
	case ge.Code == 403 && (v.reason == "insufficientPermissions" || v.reason == "insufficientFilePermissions" ||
		v.reason == "forbidden" || v.reason == "appNotAuthorizedToFile"):
		v.kind = ErrPermission
		v.hint = "this account may not do that; log in with full Drive access, or ask the owner for edit access"
	case ge.Code == 408 || ge.Code >= 500:
		v.retry = true
	}
	return v
}

// retryAfter parses a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return time.Duration(min(n, 3600)) * time.Second
	}
	if t, err := time.Parse(http1Date, h); err == nil {
		return min(max(t.Sub(now), 0), time.Hour)
	}
	return 0
}

const http1Date = "Mon, 02 Jan 2006 15:04:05 GMT"

// wrap turns err from operation op on target into an *Error. It returns
// nil for nil and leaves an *Error as it is.
func wrap(op, target string, err error, upload bool) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	v := classify(err, upload)
	return &Error{Op: op, Target: target, Status: v.status, Reason: v.reason, Hint: v.hint, Err: err, kind: v.kind, retry: v.retry}
}

// errorf makes a local *Error that no retry will fix.
func errorf(op, target string, kind error, hint, format string, args ...any) error {
	return &Error{Op: op, Target: target, Err: fmt.Errorf(format, args...), kind: kind, Hint: hint}
}
