package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"
)

// globals are the flags every subcommand shares. They are parsed into one
// value and passed down; nothing reads them from package state.
type globals struct {
	home     string // DRIVESYNC_HOME: config, state and runtime files
	endpoint string // DRIVESYNC_ENDPOINT: a Drive-compatible server instead of Google
	logLevel string
}

// newRootCmd builds the command tree. Each subcommand lives in its own file
// and is added here.
func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "drivesync",
		Short:         "Mirror Google Drive into a local folder for training jobs",
		SilenceUsage:  true,
		SilenceErrors: true,
		// The config file and DRIVESYNC_* variables give every command's
		// flags their defaults; a flag on the command line wins.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return g.applyDefaults(cmd) },
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.home, "home", os.Getenv("DRIVESYNC_HOME"), "directory for drivesync's config, state and runtime files (env DRIVESYNC_HOME)")
	pf.StringVar(&g.endpoint, "endpoint", os.Getenv("DRIVESYNC_ENDPOINT"), "base URL of a Drive-compatible server instead of Google (env DRIVESYNC_ENDPOINT)")
	pf.StringVar(&g.logLevel, "log-level", envOr("DRIVESYNC_LOG_LEVEL", "info"), "debug, info, warn or error (env DRIVESYNC_LOG_LEVEL)")

	root.AddCommand(newFakeDriveCmd(g))
	root.AddCommand(newAuthCmd(g))
	root.AddCommand(newImagesCmd(g))
	root.AddCommand(newMountCmd(g))
	root.AddCommand(newStatusCmd(g))
	root.AddCommand(newFlushCmd(g))
	root.AddCommand(newUnmountCmd(g))
	root.AddCommand(newGlobCmd(g))
	root.AddCommand(newServiceCmd(g))
	return root
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

// exitError carries a process exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}
