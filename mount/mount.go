package mount

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
)

// Remote is the part of drive.Remote the engine calls; *drive.Client
// satisfies it.
type Remote interface {
	Get(ctx context.Context, id string) (drive.File, error)
	ListTree(ctx context.Context, rootID string, opt drive.ListOptions) (*drive.Tree, error)
	Download(ctx context.Context, f drive.File, dst string, opt drive.DownloadOptions) (drive.File, error)
	Create(ctx context.Context, parentID, name, src string) (drive.File, error)
	Update(ctx context.Context, id, src string) (drive.File, error)
	Mkdir(ctx context.Context, parentID, name string) (drive.File, error)
	Move(ctx context.Context, id, fromParentID, toParentID, newName string) (drive.File, error)
	Trash(ctx context.Context, id string) (drive.File, error)
	StartPageToken(ctx context.Context, driveID string) (string, error)
	Changes(ctx context.Context, driveID, token string) (drive.ChangeSet, error)
}

// Config configures a Mount.
//
// It is the type mount-api.md calls Options: names.go already declares an
// Options (the local filesystem's case sensitivity, for Dedupe), so the
// two cannot share the name until one of them is renamed.
type Config struct {
	Remote          Remote        // Drive
	Store           *cache.Store  // the state store, opened by the caller
	Root            string        // absolute local folder (created if missing; marker file .drivesync inside)
	RemoteRoot      string        // Drive folder ID to mirror ("root" = My Drive)
	DriveID         string        // shared drive ID, "" for My Drive
	StateDir        string        // per-mount state dir: local trash in trash/
	Poll            time.Duration // changes-feed poll interval (default 10s)
	Settle          time.Duration // a local file is uploaded once unchanged this long (default 2s)
	OpenHold        time.Duration // ... and no other process has it open for writing, for this long at most (default 1m; negative: not looked for)
	Rescan          time.Duration // periodic full local rescan (default 10m)
	Debounce        time.Duration // local events are gathered this long before a scan (default 200ms)
	Parallel        int           // concurrent transfers (default 8)
	ReadOnly        bool          // never write to Drive
	ExportDocs      bool          // export Google Docs/Sheets/Slides instead of skipping them
	AllowMassDelete bool          // let a pass delete more than the threshold
	// MassDeleteRatio and MassDeleteMax are the threshold: a pass that
	// would delete more than MassDeleteRatio of the files (default 0.5),
	// counted only from MassDeleteMin deletes on (default 10), or more
	// than MassDeleteMax files (default 1000) stops its deletes.
	MassDeleteRatio float64
	MassDeleteMin   int
	MassDeleteMax   int
	TrashKeep       time.Duration // local trash is kept this long (default 30 days)
	CaseInsensitive bool          // the local filesystem folds case (see DetectCaseInsensitive)
	Host            string        // for conflict copy names (default the short host name)
	Logger          *slog.Logger
	Progress        func(Progress) // optional; called from the engine goroutine, must not block
	Now             func() time.Time
}

// Mount keeps Root and RemoteRoot in sync. One goroutine (Run or Once)
// owns the sync state; Status, Flush and Fetch talk to it.
type Mount struct {
	cfg Config
	log *slog.Logger

	st *state // owned by the running pass/loop

	mu     sync.Mutex // guards status
	status Status

	running sync.Mutex            // one Run or Once at a time
	reqs    chan request          // Flush and Fetch to the loop
	serving chan struct{}         // guarded by mu: non-nil while Run's loop serves reqs
	settle  map[string]obs        // local path -> first observation of its current stat
	held    map[string]time.Time  // local path -> since when it waits for a writer to close
	writers map[uint64]writerScan // device -> files open for writing, as last read
	force   bool                  // this pass takes every local file as settled (Flush)
}

// New checks cfg and returns a Mount; it touches neither side yet.
func New(cfg Config) (*Mount, error) {
	if cfg.Remote == nil || cfg.Store == nil {
		return nil, errors.New("mount: Remote and Store are required")
	}
	if cfg.Root == "" || !filepath.IsAbs(cfg.Root) {
		return nil, fmt.Errorf("mount: root %q must be an absolute path", cfg.Root)
	}
	if cfg.RemoteRoot == "" {
		return nil, errors.New("mount: RemoteRoot is required")
	}
	if cfg.StateDir == "" {
		return nil, errors.New("mount: StateDir is required")
	}
	if rel, err := filepath.Rel(cfg.Root, cfg.StateDir); err == nil && filepath.IsLocal(rel) || rel == "." {
		return nil, fmt.Errorf("mount: state dir %q is inside the mount root %q; it would be mirrored", cfg.StateDir, cfg.Root)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 10 * time.Second
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 2 * time.Second
	}
	if cfg.OpenHold == 0 {
		cfg.OpenHold = time.Minute
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = 10 * time.Minute
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = 200 * time.Millisecond
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 8
	}
	if cfg.MassDeleteRatio <= 0 {
		cfg.MassDeleteRatio = 0.5
	}
	if cfg.MassDeleteMin <= 0 {
		cfg.MassDeleteMin = 10
	}
	if cfg.MassDeleteMax <= 0 {
		cfg.MassDeleteMax = 1000
	}
	if cfg.TrashKeep <= 0 {
		cfg.TrashKeep = 30 * 24 * time.Hour
	}
	if cfg.Host == "" {
		h, _ := os.Hostname()
		if i := strings.IndexByte(h, '.'); i > 0 {
			h = h[:i]
		}
		if h == "" {
			h = "host"
		}
		cfg.Host = h
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	m := &Mount{cfg: cfg, log: cfg.Logger, reqs: make(chan request),
		settle: map[string]obs{}, held: map[string]time.Time{}}
	m.status = Status{Root: cfg.Root, RemoteRoot: cfg.RemoteRoot, Phase: "stopped"}
	return m, nil
}

// Once runs one full two-way pass and returns what it did; the error is
// non-nil if anything failed (the Summary lists it).
func (m *Mount) Once(ctx context.Context) (Summary, error) {
	if !m.running.TryLock() {
		return Summary{}, errors.New("mount: already running")
	}
	defer m.running.Unlock()
	defer m.setPhase("stopped")
	sum := m.fullPass(ctx, true)
	return sum, sum.Err()
}
