// Package cache is drivesync's state store for one mount (one mirrored
// Drive folder and one local folder): a single bbolt file, crash-safe
// because every change is a committed, fsynced bbolt transaction, so a
// crash leaves the state of the last commit.
//
// It holds:
//   - an Entry per item, indexed by Drive ID and by local path (two
//     buckets, always changed in one transaction, with a third, the
//     listing index, below): Drive's metadata as
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
// Only one process may hold a store for writing: Open takes bbolt's file
// lock and fails with ErrLocked, naming the holder's pid, rather than wait.
// Readers (Options.ReadOnly: a listing of a stopped mount) share the lock
// with each other, not with a writer, and write nothing. An Open of a
// complete store commits nothing either, so Tx.Version, which every commit
// moves, tells whether anything derived from the store is still current.
//
// Paths are slash-separated and relative to the mount root ("." is the
// root). The path index orders them depth-first (a folder, then its
// contents), so Walk of a folder is one contiguous range scan.
//
// The listing index (listing.go) is keyed like the path index and holds,
// per path, a small binary record (folder and local-base bits, size,
// mtime, raw md5, ID): WalkListing reads it in one range scan with no
// lookup by ID and no JSON, for listings such as `drivesync glob`. Every
// write of the path index writes it in the same transaction (Tx.index,
// Tx.unindex); a store written before it existed gets it built on Open,
// in one transaction, so the schema version did not change.
//
// Content is not this package's business: drive.Remote.Download writes
// into a temp file beside the destination, checks its md5, sets the mtime
// from Drive and renames it into place; the caller then records the
// result here with Put (LocalBaseOf).
//
// Entries are stored as JSON with short field names rather than gob. A
// bbolt value must decode on its own, so each would be a gob stream of its
// own that repeats the type description; measured on a typical entry
// (BenchmarkCodec), JSON is 421 bytes against gob's 584, and allocates 5
// times (832 B) to encode and 14 times (744 B) to decode against gob's 29
// (3.5 KB) and 263 (11.5 KB); it runs about 4x (encode) and 7x (decode)
// faster. JSON is also stdlib, readable with bbolt's tools when debugging,
// and tolerant of fields added later.
//
// Cost, measured on 2 shared cores under heavy load (so wall times are
// upper bounds): 100,000 entries with random Drive IDs in transactions of
// 1,000 take ~31 us CPU (user+sys) and 74 us wall per entry, 944 bytes of
// the file per entry (1,032 with the file's growth slack); in
// transactions of 10,000, ~23 us CPU, 53 us wall, 1,199 bytes.
// Walk decodes an entry in ~18 us wall, WalkPaths (no decoding) takes
// 0.5 us per entry, so scans that need only names should use it.
// BenchmarkWalk/WalkPaths/WalkListing at load 3 on 2 cores: 8.4 us,
// 0.24 us and 0.06 us per entry (WalkListing: 11 allocations per walk,
// none per entry), so listings should use WalkListing.
package cache
