package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// exitTimeout is the exit code of a flush or unmount whose --timeout passed.
const exitTimeout = 2

// flushMount asks the daemon of md to flush, waiting at most timeout (0: no limit).
func flushMount(ctx context.Context, md mountDirs, timeout time.Duration) error {
	err := newAPIClient(md.Sock).Flush(ctx, timeout)
	var ae *apiError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNoDaemon):
		return fmt.Errorf("flush: %s: %w", md.Root, errNoDaemon)
	case errors.As(err, &ae) && ae.code == 504:
		return &exitError{code: exitTimeout, err: fmt.Errorf("%s: %w", md.Root, err)}
	default:
		return fmt.Errorf("flush: %s: %w", md.Root, err)
	}
}

func newFlushCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "flush [DIR]",
		Short: "Wait until every local change is on Drive",
		Long: `Wait until every change made in the mount at DIR (default: the mount holding
the working directory) so far is uploaded to Drive, like Colab's
drive.flush_and_unmount() without the unmount. Exits 0 once it is, 2 when
--timeout passes first, 1 on any other failure (no daemon running, an upload
that keeps failing: see drivesync status).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			md, err := g.mountDirsFor(args)
			if err != nil {
				return err
			}
			if timeout < 0 {
				return fmt.Errorf("flush: --timeout %v: want 0 (no limit) or more", timeout)
			}
			return flushMount(cmd.Context(), md, timeout)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up (exit 2) after this long; 0 waits as long as it takes")
	return cmd
}

func newUnmountCmd(g *globals) *cobra.Command {
	var timeout time.Duration
	var force bool
	cmd := &cobra.Command{
		Use:   "unmount [DIR]",
		Short: "Flush, then stop the mount's daemon",
		Long: `Flush the mount at DIR (see drivesync flush), then stop its daemon and wait
until it has exited. The local files stay. If the flush fails or times out the
daemon keeps running, unless --force. Unmounting a folder with no daemon
running is not an error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			md, err := g.mountDirsFor(args)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			c := newAPIClient(md.Sock)
			st, err := c.Status(ctx)
			if errors.Is(err, errNoDaemon) {
				fmt.Fprintf(cmd.ErrOrStderr(), "drivesync: %s is not mounted\n", md.Root)
				return nil
			}
			if err != nil {
				return err
			}
			if !st.ReadOnly {
				if err := flushMount(ctx, md, timeout); err != nil {
					if !force {
						return fmt.Errorf("unmount: not stopping the daemon: %w (--force stops it anyway)", err)
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "drivesync: flush failed, stopping anyway: %v\n", err)
				}
			}
			if err := c.Stop(ctx); err != nil && !errors.Is(err, errNoDaemon) {
				return fmt.Errorf("unmount: %w", err)
			}
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := waitGone(wctx, md, st.PID); err != nil {
				return fmt.Errorf("unmount: %s: %w (pid %d)", md.Root, err, st.PID)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "drivesync: unmounted %s\n", md.Root)
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up flushing after this long; 0 waits as long as it takes")
	cmd.Flags().BoolVar(&force, "force", false, "stop the daemon even if the flush fails or times out")
	return cmd
}
