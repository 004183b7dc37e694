package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
)

func newMountCmd(g *globals) *cobra.Command {
	f := &mountFlags{}
	var progressMode string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "mount DIR",
		Short: "Mirror a Drive folder into DIR, both ways, in a background daemon",
		Long: `Mirror a Google Drive folder (My Drive by default, or --remote) into the local
folder DIR and keep both in sync: a background daemon downloads what changes on
Drive and uploads what changes in DIR. The command returns once the initial
mirror is done (Ctrl-C stops waiting, not the daemon); the daemon logs to a file
under the state directory and answers "drivesync status", "flush", "glob" and
"unmount" through its local API. One daemon per folder.

With --demo the daemon starts a Drive emulator in-process, seeded with a sample
dataset (my_data/images/{cats,dogs,birds}/..., checkpoints/*.h5), and mirrors it
like a real Drive: no account needed.

Credentials: see "drivesync auth". Any flag of mount, status, flush, unmount,
glob and service also takes its default from DRIVESYNC_<FLAG> (DRIVESYNC_POLL=30s)
or the config file (<config dir>/config, or DRIVESYNC_CONFIG): lines
"flag = value", optionally under a [mount] section.`,
		Example: `  drivesync mount --demo ~/demo
  drivesync mount --remote datasets/imagenet ~/data
  drivesync mount --shared-drive "ML Team" --read-only /mnt/team`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMount(cmd, g, f, args[0], progressMode, wait)
		},
	}
	fl := cmd.Flags()
	addCredFlags(cmd, &f.creds)
	fl.BoolVar(&f.foreground, "foreground", false, "run the daemon in this process instead of in the background")
	fl.BoolVar(&f.demo, "demo", false, "mirror an in-process Drive emulator seeded with a sample dataset")
	fl.StringVar(&f.remote, "remote", "", "Drive folder to mirror: a path below My Drive (or --shared-drive) or a folder ID (default: all of My Drive)")
	fl.StringVar(&f.sharedDrive, "shared-drive", "", "shared drive to mirror from: its name or ID")
	fl.DurationVar(&f.poll, "poll", 10*time.Second, "how often to read Drive's changes feed")
	fl.DurationVar(&f.settle, "settle", 2*time.Second, "upload a changed local file once it has been still this long (a checkpoint still being written is not sent half-done)")
	fl.DurationVar(&f.openHold, "open-hold", time.Minute, "a settled file that another process still has open for writing waits for the close this long at most (0: do not wait)")
	fl.BoolVar(&f.once, "once", false, "make one two-way pass in this process and exit (non-zero if anything failed)")
	fl.BoolVar(&f.readOnly, "read-only", false, "only download; never change anything on Drive")
	fl.BoolVar(&f.exportDocs, "export-docs", false, "export Google Docs, Sheets and Slides as .docx, .xlsx and .pptx instead of skipping them")
	fl.BoolVar(&f.allowMassDelete, "allow-mass-delete", false, "let one pass delete more than half of the files, or over 1000 (otherwise it stops and deletes nothing)")
	fl.IntVar(&f.parallel, "parallel", 8, "concurrent transfers")
	fl.StringVar(&progressMode, "progress", "auto", "progress display: auto (a bar on a terminal), bar, plain or none")
	fl.BoolVar(&f.noWait, "no-wait", false, "return once the daemon answers, without waiting for the initial mirror")
	fl.DurationVar(&wait, "start-timeout", 60*time.Second, "how long to wait for the daemon to start")
	return cmd
}

func runMount(cmd *cobra.Command, g *globals, f *mountFlags, dir, progressMode string, wait time.Duration) error {
	ctx := cmd.Context()
	d, err := g.dirs()
	if err != nil {
		return err
	}
	md, err := d.mountDirsOf(dir)
	if err != nil {
		return err
	}
	if f.parallel < 1 {
		return fmt.Errorf("mount: --parallel %d: want at least 1", f.parallel)
	}
	if f.poll < time.Second {
		return fmt.Errorf("mount: --poll %v: want at least 1s", f.poll)
	}
	if f.settle < 100*time.Millisecond {
		return fmt.Errorf("mount: --settle %v: want at least 100ms", f.settle)
	}
	if f.openHold < 0 {
		return fmt.Errorf("mount: --open-hold %v: want 0 or more", f.openHold)
	}
	if f.foreground || f.once {
		log, err := newLogger(g, cmd.ErrOrStderr())
		if err != nil {
			return err
		}
		prog, err := newProgress(cmd.ErrOrStderr(), progressMode, 5*time.Second)
		if err != nil {
			return err
		}
		defer prog.done()
		return runDaemon(ctx, cmd, g, f, md, log, prog)
	}
	if _, err := newLogger(g, cmd.ErrOrStderr()); err != nil { // a bad --log-level fails here, not in the log
		return err
	}
	if locked(md) {
		l, err := lockMount(md)
		if err == nil { // it just exited
			l.Close()
		} else {
			return err
		}
	}
	pid, err := spawnDaemon(ctx, md, os.Args[1:], wait)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "drivesync: mounting %s (daemon pid %d, log %s)\n", md.Root, pid, md.Log())
	if f.noWait {
		return nil
	}
	if err := followInitial(ctx, md, cmd, progressMode); err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(out, "drivesync: still mirroring in the background; see drivesync status %s\n", md.Root)
			return nil
		}
		return err
	}
	fmt.Fprintf(out, "drivesync: %s is mirrored; stop with drivesync unmount %s\n", md.Root, md.Root)
	return nil
}

// followInitial shows the daemon's initial mirror until it is done.
func followInitial(ctx context.Context, md mountDirs, cmd *cobra.Command, mode string) error {
	prog, err := newProgress(cmd.ErrOrStderr(), mode, 5*time.Second)
	if err != nil {
		return err
	}
	defer prog.done()
	c := newAPIClient(md.Sock)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := c.Status(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("mount: the daemon stopped during the initial mirror: %w; see %s", err, md.Log())
		}
		if p := st.Progress; p != nil {
			prog.update(*p)
		}
		if st.Phase == "idle" { // the engine's loop runs: the initial pass is over
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
