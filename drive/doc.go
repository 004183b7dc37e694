// Package drive is drivesync's only way to Google Drive: a narrow,
// ctx-first interface (Remote) over the official Drive v3 client
// (google.golang.org/api/drive/v3) and golang.org/x/oauth2, and its Drive
// implementation (Client).
//
// Every HTTP request the Client makes passes one Pacer: a token bucket at
// a configurable rate that slows down when Drive pushes back (403
// rateLimitExceeded / userRateLimitExceeded, 429) and speeds up again,
// with exponential backoff and jitter on transient failures, honouring
// Retry-After. Whether an error is worth retrying is decided in one place
// (classify, errors.go); callers ask IsRetryable or match the sentinel
// errors (ErrNotFound, ErrStorageQuota, ...) with errors.Is. Errors that
// waiting will not fix carry a hint saying what to do.
//
// Listing walks a folder tree with batched parent queries run in
// parallel; downloads land in a temp file beside the destination, are md5
// checked and renamed into place, and resume with Range after a broken
// connection; uploads are multipart when small and resumable in 256 KiB
// multiples when large.
//
// The resumable upload protocol is written here rather than taken from the
// official client because the official client keeps the session in
// memory: it cannot persist the session URI and resume it in another
// process after a crash. SessionStore is where that state lives.
//
// The package never knows whether it talks to Google or to an emulator:
// Options.Endpoint names the server.
package drive
