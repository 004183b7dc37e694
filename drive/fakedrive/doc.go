// Package fakedrive is a Google Drive v3 emulator: an http.Handler that
// serves the REST surface real Drive clients use (files, uploads, changes,
// about, shared drives) and the OAuth endpoints they log in through.
//
// It is the ground every drivesync test, benchmark and the --demo stand on,
// so it follows the Drive v3 reference and what real clients meet — ours,
// rclone, the Python client — rather than what drivesync happens to send:
// Drive's JSON error shape, string-encoded int64s, `fields` partial
// responses, the `q` language (package query), the upload protocols with
// Google's 308 conventions, change coalescing, and the quirks of native
// Google files (not downloadable, exportable).
//
// Realism knobs (Options.Latency, QPS, Bandwidth, Faults) slow it down or
// break it in seeded, replayable ways; /fakedrive/stats counts what a job
// cost. With Options.StateDir the drive survives restarts.
//
// The store is hand-written rather than built on an embedded database
// because the emulator needs Drive's exact semantics (several parents,
// duplicate names, implicit trash, change coalescing) with microsecond
// latency; a map guarded by one RWMutex gives both.
package fakedrive
