package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// dirs are where drivesync keeps its files. With --home (DRIVESYNC_HOME) all
// three live under one directory, so tests and several accounts can coexist.
type dirs struct {
	Config  string // credentials, token, config file
	State   string // per-mount state stores, logs, trash
	Runtime string // sockets and locks
}

func (g *globals) dirs() (dirs, error) {
	if g.home != "" {
		h, err := filepath.Abs(g.home)
		if err != nil {
			return dirs{}, fmt.Errorf("home %q: %w", g.home, err)
		}
		return dirs{Config: filepath.Join(h, "config"), State: filepath.Join(h, "state"), Runtime: filepath.Join(h, "run")}, nil
	}
	cfg, err := os.UserConfigDir()
	if err != nil {
		return dirs{}, fmt.Errorf("config dir: %w", err)
	}
	d := dirs{Config: filepath.Join(cfg, "drivesync")}
	if v := os.Getenv("XDG_STATE_HOME"); v != "" {
		d.State = filepath.Join(v, "drivesync")
	} else if h, err := os.UserHomeDir(); err == nil {
		d.State = filepath.Join(h, ".local", "state", "drivesync")
	} else {
		d.State = filepath.Join(d.Config, "state")
	}
	if v := os.Getenv("XDG_RUNTIME_DIR"); v != "" {
		d.Runtime = filepath.Join(v, "drivesync")
	} else {
		d.Runtime = filepath.Join(d.State, "run")
	}
	return d, nil
}
