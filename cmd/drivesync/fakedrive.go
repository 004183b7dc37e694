package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/drivesync/drivesync/drive/fakedrive"
)

type fakeDriveFlags struct {
	listen    string
	seed      string
	state     string
	latency   time.Duration
	qps       float64
	bandwidth int64
	faults    float64
	faultSeed int64
	user      string
	legacy    bool
}

func newFakeDriveCmd(g *globals) *cobra.Command {
	f := &fakeDriveFlags{}
	cmd := &cobra.Command{
		Use:   "fake-drive",
		Short: "Serve a Google Drive v3 emulator (for tests, benchmarks and offline demos)",
		Long: `Serve a Google Drive v3 emulator over HTTP: the files, uploads, changes and about
endpoints, and OAuth endpoints that approve at once. The first line printed is
the base URL; point drivesync at it with --endpoint, or the official client
with option.WithEndpoint(BASE + "/drive/v3/").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runFakeDrive(cmd.Context(), g, f, cmd) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:0", "address to serve on (loopback by default)")
	fl.StringVar(&f.seed, "seed", "", "import this local folder tree as the initial My Drive (skipped when --state already holds a drive)")
	fl.StringVar(&f.state, "state", "", "persist the drive in this directory across restarts (default: memory only)")
	fl.DurationVar(&f.latency, "latency", 0, "latency added to every API request, e.g. 50ms")
	fl.Float64Var(&f.qps, "qps", 0, "per-user request rate; above it: 403 userRateLimitExceeded, sometimes 429 (0 = unlimited)")
	fl.Int64Var(&f.bandwidth, "bandwidth", 0, "media bandwidth in bytes per second, both directions (0 = unlimited)")
	fl.Float64Var(&f.faults, "faults", 0, "fraction of API requests that fail: 500/503, reset connections, truncated media")
	fl.Int64Var(&f.faultSeed, "fault-seed", 1, "seed of the fault sequence, so a failing run replays")
	fl.StringVar(&f.user, "user", "user@example.com", "the account's email address")
	fl.BoolVar(&f.legacy, "legacy-multi-parent", false, "allow files with several parents (pre-2020 Drive)")
	return cmd
}

func runFakeDrive(ctx context.Context, g *globals, f *fakeDriveFlags, cmd *cobra.Command) error {
	log, err := newLogger(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	sv, err := fakedrive.New(fakedrive.Options{
		Logger: log, StateDir: f.state, User: f.user, Latency: f.latency, QPS: f.qps,
		Bandwidth: f.bandwidth, Faults: f.faults, FaultSeed: f.faultSeed, LegacyMultiParent: f.legacy,
	})
	if err != nil {
		return err
	}
	defer sv.Close()
	if f.seed != "" {
		if st, err := os.Stat(f.seed); err != nil || !st.IsDir() {
			return fmt.Errorf("fake-drive: --seed %q: not a directory", f.seed)
		}
		if sv.Empty() {
			n, err := sv.Import(f.seed, "")
			if err != nil {
				return err
			}
			log.Info("seeded My Drive", "dir", f.seed, "items", n)
		}
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("fake-drive: listen %s: %w", f.listen, err)
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintln(cmd.OutOrStdout(), base)
	fmt.Fprintf(cmd.ErrOrStderr(), "fake-drive: serving Drive v3 at %s/drive/v3/ (user %s)\nfake-drive: a ready access token: %s\n", base, f.user, sv.Token())
	hs := &http.Server{Handler: sv, ReadHeaderTimeout: 30 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("fake-drive: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("fake-drive: shutdown: %w", err)
	}
	return sv.Close()
}
