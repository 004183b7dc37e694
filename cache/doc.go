// Package cache is drivesync's state store for one mount (one mirrored
// Drive folder and one local folder): a single bbolt file, crash-safe
// because every change is a committed, fsynced bbolt transaction, so a
// crash leaves the state of the last commit.
//
// It holds:
//   - an Entry per item, indexed by Drive ID and by local path (two
//     buckets, always changed in one transaction): Drive's metadata as
//     last seen plus the base of each side at the last sync, so the mirror
//     engine can tell which side changed (Entry.RemoteChanged,
//     Entry.LocalChanged) and skip files already verified on disk
//     (Entry.Verified, Store.Verified) when it restarts;
//   - the changes page token of each drive, to be saved in the same
//     transaction as the entries the changes produced (Tx.SetPageToken);
//   - the mount's Identity (account, drive, root folder): a store opened
//     for another mount is refused (ErrOtherRemote);
//   - the queue of pending uploads (Pending) and, through Sessions, the
//     resumable upload sessions of package drive (a drive.SessionStore).
//
// Only one process may hold a store: Open takes bbolt's file lock and
// fails with ErrLocked, naming the holder's pid, rather than wait.
//
// Paths are slash-separated and relative to the mount root ("." is the
// root). The path index orders them depth-first (a folder, then its
// contents), so Walk of a folder is one contiguous range scan.
//
// Content is not this package's business: drive.Remote.Download writes
// into a temp file beside the destination, checks its md5, sets the mtime
// from Drive and renames it into place; the caller then records the
// result here with Put (LocalBaseOf).
//
// Entries are stored as JSON with short field names rather than gob: a
// gob stream per value repeats its type description (gob only pays off
// for streams of many values), JSON is stdlib, readable with bbolt's own
// tools when debugging, and tolerant of added fields. See BenchmarkCodec
// for the measured sizes and speeds.
package cache
