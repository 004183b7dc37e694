package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/cache"
	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
	"github.com/drivesync/drivesync/glob"
	"github.com/drivesync/drivesync/mount"
)

// engine is what the daemon needs of the mirror engine (*mount.Mount).
type engine interface {
	Run(ctx context.Context) error
	Once(ctx context.Context) (mount.Summary, error)
	Flush(ctx context.Context) error
	Fetch(ctx context.Context, paths []string) error
	Status() mount.Status
}

// daemonService adapts a running engine and its store to the API.
type daemonService struct {
	eng      engine
	store    *cache.Store
	index    *liveIndex // the paths of the store's listing in memory, for glob
	info     mountInfo
	progress atomic.Pointer[apiProgress]
	ready    chan struct{} // closed when the engine's loop first runs (phase idle)
}

func (d *daemonService) Status() apiStatus {
	s := d.eng.Status()
	st := apiStatus{
		Root: s.Root, Remote: d.info.Remote, Phase: s.Phase, Demo: d.info.Demo, ReadOnly: d.info.ReadOnly,
		Files: s.Files, Dirs: s.Dirs, Bytes: s.Bytes, PendingUploads: s.PendingUploads, PendingDownloads: s.PendingDownloads,
		Conflicts: s.Conflicts, HeldOpen: s.HeldOpen, LastPoll: s.LastPoll, LastError: s.LastError, LastErrorTime: s.LastErrorTime,
	}
	if st.Conflicts == nil {
		st.Conflicts = []string{}
	}
	st.Skipped = make([]apiSkipped, len(s.Skipped))
	for i, k := range s.Skipped {
		st.Skipped[i] = apiSkipped{Path: k.Path, DriveID: k.DriveID, Reason: k.Reason}
	}
	if p := d.progress.Load(); p != nil && s.Phase != "idle" && s.Phase != "stopped" {
		st.Progress = p
	}
	return st
}

// Flush waits through the initial pass (the engine serves requests only
// once its loop runs), then asks the engine.
func (d *daemonService) Flush(ctx context.Context) error { return d.whenRunning(ctx, d.eng.Flush) }

func (d *daemonService) Fetch(ctx context.Context, paths []string) error {
	return d.whenRunning(ctx, func(ctx context.Context) error { return d.eng.Fetch(ctx, paths) })
}

func (d *daemonService) whenRunning(ctx context.Context, fn func(context.Context) error) error {
	select {
	case <-d.ready:
	case <-ctx.Done():
		return fmt.Errorf("the initial mirror is still running: %w", ctx.Err())
	}
	return fn(ctx)
}

// Index walks the store's listing.
func (d *daemonService) Index() (glob.Index, error) { return storeIndex{d.store}, nil }

// PathIndex is the paths of the store's listing as committed now, kept in
// memory between queries while the store does not change.
func (d *daemonService) PathIndex() (glob.Index, error) { return d.index.Current() }

// mountFlags are the flags of `drivesync mount`.
type mountFlags struct {
	creds           credFlags
	foreground      bool
	demo            bool
	remote          string
	sharedDrive     string
	poll            time.Duration
	settle          time.Duration
	openHold        time.Duration
	once            bool
	readOnly        bool
	exportDocs      bool
	allowMassDelete bool
	parallel        int
	noWait          bool
}

// openHold maps --open-hold (0: do not wait) to mount.Config.OpenHold
// (negative: do not wait).
func openHold(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// runDaemon is `drivesync mount --foreground`: it holds the mount's lock,
// serves the API and runs the engine until ctx ends or /v1/stop.
func runDaemon(ctx context.Context, cmd *cobra.Command, g *globals, f *mountFlags, md mountDirs, log *slog.Logger, prog *progressReporter) error {
	lock, err := lockMount(md)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := os.MkdirAll(md.State, 0o700); err != nil {
		return fmt.Errorf("mount: %w", err)
	}
	if err := os.MkdirAll(md.Root, 0o755); err != nil {
		return fmt.Errorf("mount: folder %s: %w", md.Root, err)
	}
	var marker atomic.Pointer[os.File] // set again by the goroutine below after a first pass
	mf, err := lockMarker(md.Root)
	if err != nil {
		return err
	}
	marker.Store(mf)
	defer func() {
		if f := marker.Load(); f != nil {
			f.Close()
		}
	}()
	info := mountInfo{Root: md.Root, Remote: f.remote, DriveID: f.sharedDrive, Demo: f.demo, ReadOnly: f.readOnly}

	endpoint, ts := g.endpoint, oauth2.TokenSource(nil)
	if f.demo {
		demo, err := startDemoDrive(ctx, md, log)
		if err != nil {
			return err
		}
		defer demo.Close()
		endpoint, ts = demo.base, demo
		info.DemoToken = demo.sv.Token()
	}
	info.Endpoint = endpoint
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if ts == nil {
		if ts, err = g.tokenSource(runCtx, cmd, &f.creds, f.readOnly); err != nil {
			return err
		}
	}
	// Sessions live in the store, which needs the identity, which needs the
	// client: a first client without sessions answers About and the root.
	probe, err := drive.New(runCtx, drive.Options{Endpoint: endpoint, TokenSource: ts, Logger: log})
	if err != nil {
		return err
	}
	id, err := resolveIdentity(runCtx, probe, f)
	probe.Close()
	if err != nil {
		return err
	}
	info.RootID, info.DriveID = id.RootID, id.DriveID
	store, err := cache.Open(md.DB(), cache.Options{Identity: id, LockTimeout: time.Second})
	if err != nil {
		return fmt.Errorf("mount: state of %s: %w", md.Root, err)
	}
	defer store.Close()
	// The listing snapshot of the last run stops matching with the first
	// change; a new one is written when this run ends.
	if err := os.Remove(listingSnapPath(md)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("mount: %w", err)
	}
	defer func() {
		if err := writeListingSnap(store, listingSnapPath(md)); err != nil {
			log.Warn("cannot save the listing for glob without a daemon", "err", err)
		}
	}()
	client, err := drive.New(runCtx, drive.Options{Endpoint: endpoint, TokenSource: ts, Logger: log, Sessions: store.Sessions()})
	if err != nil {
		return err
	}
	defer client.Close()
	svc := &daemonService{store: store, index: &liveIndex{st: store}, info: info, ready: make(chan struct{})}
	m, err := mount.New(mount.Config{
		Remote: client, Store: store, Root: md.Root, RemoteRoot: id.RootID, DriveID: id.DriveID,
		StateDir: md.State, Poll: f.poll, Settle: f.settle, OpenHold: openHold(f.openHold), Parallel: f.parallel, ReadOnly: f.readOnly, ExportDocs: f.exportDocs,
		AllowMassDelete: f.allowMassDelete, Logger: log,
		Progress: func(p mount.Progress) {
			ap := apiProgress{Phase: p.Phase, Files: p.Files, TotalFiles: p.TotalFiles, Bytes: p.Bytes, TotalBytes: p.TotalBytes}
			svc.progress.Store(&ap)
			prog.update(ap)
		},
	})
	if err != nil {
		return err
	}
	svc.eng = m
	if err := writeMountInfo(md.Info(), info); err != nil {
		return fmt.Errorf("mount: %w", err)
	}
	if f.once {
		sum, err := m.Once(runCtx)
		prog.done()
		log.Info("pass done", "summary", sum.String())
		return err
	}

	ln, err := listenUnix(md.Sock)
	if err != nil {
		return err
	}
	defer os.Remove(md.Sock)
	api := newAPIServer(svc, log, stop)
	hs := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("api", "err", err)
		}
	}()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	log.Info("mounted", "root", md.Root, "remote", f.remote, "rootId", id.RootID, "account", id.Account, "socket", md.Sock, "pid", os.Getpid())
	go func() { // the initial pass ends when the engine first goes idle
		for runCtx.Err() == nil {
			if m.Status().Phase == "idle" {
				if marker.Load() == nil { // the first pass wrote it
					if l, err := lockMarker(md.Root); err != nil {
						log.Warn("cannot lock the marker file", "err", err)
					} else {
						marker.Store(l)
					}
				}
				close(svc.ready)
				break
			}
			select {
			case <-runCtx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
		prog.done()
	}()
	err = m.Run(runCtx)
	if err != nil && runCtx.Err() != nil && errors.Is(err, context.Canceled) {
		err = nil
	}
	log.Info("stopped", "root", md.Root, "err", err)
	return err
}

// resolveIdentity finds the account and the Drive folder to mirror:
// --remote is a path below My Drive (or --shared-drive), or a folder ID.
func resolveIdentity(ctx context.Context, c *drive.Client, f *mountFlags) (cache.Identity, error) {
	about, err := c.About(ctx)
	if err != nil {
		return cache.Identity{}, fmt.Errorf("mount: reaching Drive: %w", err)
	}
	base, driveID := "root", ""
	if f.sharedDrive != "" {
		sd, err := c.SharedDrive(ctx, f.sharedDrive) // an ID or an exact name
		if err != nil {
			return cache.Identity{}, fmt.Errorf("mount: --shared-drive %q: %w", f.sharedDrive, err)
		}
		base, driveID = sd.ID, sd.ID
	}
	remote := strings.Trim(f.remote, "/")
	root, err := c.ResolvePath(ctx, base, remote)
	if errors.Is(err, drive.ErrNotFound) && remote != "" && !strings.Contains(remote, "/") {
		var gerr error
		if root, gerr = c.Get(ctx, remote); gerr == nil { // a folder ID
			err = nil
		}
	}
	if errors.Is(err, drive.ErrNotFound) {
		where := "My Drive"
		if f.sharedDrive != "" {
			where = "shared drive " + f.sharedDrive
		}
		return cache.Identity{}, fmt.Errorf("mount: --remote %q: no such folder in %s, and no folder has that ID: %w", f.remote, where, err)
	}
	if err != nil {
		return cache.Identity{}, fmt.Errorf("mount: --remote %q: %w", f.remote, err)
	}
	if !root.IsFolder() {
		return cache.Identity{}, fmt.Errorf("mount: --remote %q is a file, not a folder", f.remote)
	}
	return cache.Identity{Account: about.User, DriveID: driveID, RootID: root.ID}, nil
}

// demoDrive is the in-process emulator of --demo; it mints its own tokens.
type demoDrive struct {
	sv   *fakedrive.Server
	hs   *http.Server
	base string
	mu   sync.Mutex
}

// Token implements oauth2.TokenSource with a fresh emulator token.
func (d *demoDrive) Token() (*oauth2.Token, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return &oauth2.Token{AccessToken: d.sv.Token(), TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

func (d *demoDrive) Close() error {
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = d.hs.Shutdown(sctx)
	return d.sv.Close()
}

// startDemoDrive serves the emulator on a loopback port, its drive kept in
// the mount's state dir (so a restarted demo finds its files and changes)
// and seeded with the demo dataset the first time.
func startDemoDrive(ctx context.Context, md mountDirs, log *slog.Logger) (*demoDrive, error) {
	sv, err := fakedrive.New(fakedrive.Options{StateDir: md.DemoDrive(), Logger: log.With("component", "demo-drive")})
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if sv.Empty() {
		fsys, err := demoFS(defaultDemo)
		if err != nil {
			return nil, err
		}
		n, err := sv.ImportFS(fsys, "")
		if err != nil {
			return nil, fmt.Errorf("demo: seeding the drive: %w", err)
		}
		log.Info("demo drive seeded", "items", n)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &demoDrive{sv: sv, base: "http://" + ln.Addr().String()}
	d.hs = &http.Server{Handler: sv, ReadHeaderTimeout: 10 * time.Second}
	go d.hs.Serve(ln)
	return d, nil
}
