// Package thirdparty proves that `drivesync fake-drive` is a Drive v3
// emulator a third-party client can use unchanged, not only our own.
//
// Its tests run the real binary (built from cmd/drivesync) with --seed and
// point rclone's drive backend at it. rclone's API and OAuth hosts are fixed
// to Google's, so the tests put a TLS-terminating HTTP CONNECT proxy on
// loopback in front of the emulator: it stands in for *.googleapis.com and
// *.google.com with certificates from a CA made in the test (trusted through
// SSL_CERT_FILE), forwards the decrypted requests to the emulator keeping
// Host and setting X-Forwarded-Proto: https, and refuses everything else.
// It never sends traffic anywhere but the loopback emulator.
//
// Through it rclone must: refresh an expired token at Google's token
// endpoint; list the seeded tree recursively with the right sizes, md5s and
// modification times; download every file byte for byte; upload a small
// file (multipart) and a 40 MiB one (resumable, in several 8 MiB chunks)
// whose md5s the emulator then reports; trash (not destroy) what
// `rclone delete` and `deletefile` remove; and pass `rclone check` between
// the local and remote trees, failing it when a local file is corrupted.
//
// The proxy is hand-written test code (crypto/x509, httputil.ReverseProxy)
// because no module in go.mod does TLS interception, and a proxy that only
// forwards to one loopback address is easier to trust small.
//
// The tests skip when rclone is not installed (.ci/run installs the Debian
// package when apt is available) or with -short. The package has no
// non-test code.
package thirdparty
