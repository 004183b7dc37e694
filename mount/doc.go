// Package mount keeps a local folder and a Drive folder in sync: what
// Colab's drive.mount gives a notebook, as a real local folder.
//
// One Mount (New, then Run) owns one local root and one Drive folder. Its
// contract, case by case, is docs/sync-semantics.md; every row there has a
// TestSync/<row> here.
//
// # Shape
//
// One goroutine owns all sync state, as in Syncthing: its select loop takes
// the changes-feed poll, debounced watcher events, the periodic rescan,
// flush requests and transfer completions. fsnotify events only mark paths
// dirty; the loop scans those paths after the debounce, and a file is
// uploaded only once its size and mtime have been still for Config.Settle
// and no other process has it open for writing (for Config.OpenHold at
// most), so a checkpoint still being written goes up once, complete.
//
// A pass runs rounds of plan, act, rescan until nothing is left to do:
//
//   - decide.go: the decision table, a pure function of (base, remote side,
//     local side) to an action; one row per sync-semantics row.
//   - plan.go: the store, the remote layout and the local scan turned into
//     actions for one round.
//   - apply.go, transfer.go: local renames in order, then transfers on a
//     bounded worker pool reporting back to the loop, then deletes.
//   - remote.go: the changes feed; the page token is committed in the same
//     store transaction as the entries it produced.
//   - conflict.go, trash.go, safety.go: conflict copies, the local trash
//     (kept Config.TrashKeep), the marker file and the mass-delete guard.
//
// State lives in package cache (one bbolt file per mount); Drive is reached
// only through the Remote interface declared here, which *drive.Client
// satisfies.
//
// # Memory
//
// A mount may hold millions of files, so what the engine keeps per file
// is bounded (docs/benchmarks.md, "Resource bounds"): its copy of the
// entries is a table of compact binary records with two hash indexes of
// slot numbers (table.go, index.go), ~180 bytes a file; a scan keeps one
// bit for each file that is as its entry recorded and whole records only
// for the others (scan.go), reading folders without garbage per file
// (walk_linux.go); layout and plan derive what is held from the table
// instead of copying it into maps. Transfers run on Config.Parallel
// workers whatever the number pending (transfer.go).
//
// # Names
//
// names.go maps a single name reversibly: Drive allows names a local
// filesystem does not ("a/b", "..", NUL, 300-byte names). The escape scheme
// is modelled on rclone's lib/encoder, hand-written because importing
// rclone for one function would pull in its whole config stack. dedupe.go
// gives each child of a folder a distinct local name, stable across runs;
// safejoin.go refuses any local path that would leave the mount root,
// checking existing components through os.Root (Go 1.24+), whose lookups
// cannot be redirected outside the root by symbolic links.
package mount
