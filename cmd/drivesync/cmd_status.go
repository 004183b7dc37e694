package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/drivesync/drivesync/cache"
)

// findMount returns the mount folder a command means: dir if given, else
// the folder holding the mount's marker file (.drivesync) at or above the
// working directory.
func findMount(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".drivesync")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no mount folder given and %s is not inside one", wd)
		}
	}
}

// mountDirsFor resolves the optional DIR argument of a command.
func (g *globals) mountDirsFor(args []string) (mountDirs, error) {
	var dir string
	if len(args) > 0 {
		dir = args[0]
	}
	dir, err := findMount(dir)
	if err != nil {
		return mountDirs{}, err
	}
	d, err := g.dirs()
	if err != nil {
		return mountDirs{}, err
	}
	return d.mountDirsOf(dir)
}

// errNotMount: a folder drivesync has never mounted.
var errNotMount = errors.New("not a drivesync mount")

// offlineStatus describes a mount whose daemon is not running, from its
// state store.
func offlineStatus(md mountDirs) (apiStatus, error) {
	info, err := readMountInfo(md.Info())
	if errors.Is(err, os.ErrNotExist) {
		return apiStatus{}, fmt.Errorf("%s: %w (mount it with drivesync mount %s)", md.Root, errNotMount, md.Root)
	}
	if err != nil {
		return apiStatus{}, err
	}
	st := apiStatus{Root: md.Root, Remote: info.Remote, Phase: "stopped", Demo: info.Demo, ReadOnly: info.ReadOnly, Conflicts: []string{}, Skipped: []apiSkipped{}}
	store, err := cache.Open(md.DB(), cache.Options{})
	if err != nil {
		return st, fmt.Errorf("status of %s: %w", md.Root, err)
	}
	defer store.Close()
	err = store.Walk("", func(e cache.Entry) error {
		switch {
		case e.Path == ".":
		case e.IsDir:
			st.Dirs++
		default:
			st.Files++
			st.Bytes += e.Size
			if entryState(e) == stateRemote {
				st.PendingDownloads++
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	ps, err := store.Pending()
	if err != nil {
		return st, err
	}
	st.PendingUploads = len(ps)
	for _, p := range ps {
		if p.LastError != "" {
			st.LastError = p.Path + ": " + p.LastError
		}
	}
	return st, nil
}

// mountStatus asks the daemon, else reads the state.
func mountStatus(ctx context.Context, md mountDirs) (apiStatus, error) {
	st, err := newAPIClient(md.Sock).Status(ctx)
	if errors.Is(err, errNoDaemon) {
		return offlineStatus(md)
	}
	return st, err
}

func newStatusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [DIR]",
		Short: "Show a mount's files, pending transfers, conflicts and errors",
		Long: `Show the state of the mount at DIR (default: the mount holding the working
directory): files, bytes, pending uploads and downloads, files waiting for
another process to close them (see mount --open-hold), conflict copies,
skipped Drive items (Google Docs without --export-docs, refused names), the
last error and the last poll of Drive's changes. With no daemon running it
reads the mount's saved state.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			md, err := g.mountDirsFor(args)
			if err != nil {
				return err
			}
			st, err := mountStatus(cmd.Context(), md)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printStatus(cmd.OutOrStdout(), st, time.Now())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON (the API's /v1/status answer)")
	return cmd
}

func printStatus(w io.Writer, st apiStatus, now time.Time) {
	state := "not running"
	if st.Running {
		state = fmt.Sprintf("running, pid %d, %s", st.PID, st.Phase)
	}
	remote := st.Remote
	if remote == "" {
		remote = "My Drive"
	}
	if st.Demo {
		remote += " (demo drive)"
	}
	if st.ReadOnly {
		remote += ", read-only"
	}
	fmt.Fprintf(w, "%s  (%s)\n", st.Root, state)
	fmt.Fprintf(w, "  remote:     %s\n", remote)
	fmt.Fprintf(w, "  files:      %d in %d folders, %s\n", st.Files, st.Dirs, humanBytes(st.Bytes))
	fmt.Fprintf(w, "  pending:    %d uploads, %d downloads\n", st.PendingUploads, st.PendingDownloads)
	for _, p := range st.HeldOpen {
		fmt.Fprintf(w, "    %s: waiting for its writer to close it\n", p)
	}
	if p := st.Progress; p != nil {
		fmt.Fprintf(w, "  progress:   %s\n", plainProgress(*p, 0))
	}
	fmt.Fprintf(w, "  conflicts:  %d\n", len(st.Conflicts))
	for _, c := range st.Conflicts {
		fmt.Fprintf(w, "    %s\n", c)
	}
	fmt.Fprintf(w, "  skipped:    %d\n", len(st.Skipped))
	for i, s := range st.Skipped {
		if i == 10 {
			fmt.Fprintf(w, "    ... and %d more (status --json lists all)\n", len(st.Skipped)-10)
			break
		}
		fmt.Fprintf(w, "    %s: %s\n", s.Path, s.Reason)
	}
	if !st.LastPoll.IsZero() {
		fmt.Fprintf(w, "  last poll:  %s (%s ago)\n", st.LastPoll.Local().Format(time.DateTime), now.Sub(st.LastPoll).Round(time.Second))
	}
	if st.LastError != "" {
		when := ""
		if !st.LastErrorTime.IsZero() {
			when = " at " + st.LastErrorTime.Local().Format(time.DateTime)
		}
		fmt.Fprintf(w, "  last error%s: %s\n", when, st.LastError)
	}
}
