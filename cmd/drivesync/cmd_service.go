package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// systemd user units: `drivesync service install DIR -- MOUNT-FLAGS` writes
// a unit that runs `drivesync mount --foreground DIR MOUNT-FLAGS` under the
// user's systemd, so the mirror starts at login (or at boot with lingering).

type serviceFlags struct {
	unitDir string
	print   bool
}

func newServiceCmd(g *globals) *cobra.Command {
	f := &serviceFlags{}
	cmd := &cobra.Command{
		Use:   "service",
		Short: "Install a systemd user unit that keeps a mount running",
		Args:  cobra.NoArgs,
	}
	install := &cobra.Command{
		Use:   "install DIR [-- MOUNT-FLAGS...]",
		Short: "Write a systemd user unit running drivesync mount for DIR",
		Long: `Write a systemd user unit that runs "drivesync mount --foreground DIR" with the
mount flags given after "--", restarts it if it fails, and stops it with
"drivesync unmount" (which flushes first). Then enable it as printed:

  systemctl --user daemon-reload
  systemctl --user enable --now drivesync-NAME.service

A user unit starts at login; "loginctl enable-linger $USER" starts it at boot.`,
		Example: `  drivesync service install ~/data -- --remote datasets/imagenet --read-only`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if n := cmd.ArgsLenAtDash(); n > 1 || n == -1 && len(args) > 1 {
				return errors.New("service install: one DIR, then mount flags after --")
			}
			return runServiceInstall(cmd.OutOrStdout(), g, f, args[0], args[1:])
		},
	}
	uninstall := &cobra.Command{
		Use:   "uninstall DIR",
		Short: "Remove the systemd user unit of DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, path, err := unitPath(g, f, args[0])
			if err != nil {
				return err
			}
			if err := os.Remove(path); err != nil {
				return fmt.Errorf("service uninstall: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %s\nrun: systemctl --user disable --now %s && systemctl --user daemon-reload\n", path, name)
			return nil
		},
	}
	for _, c := range []*cobra.Command{install, uninstall} {
		c.Flags().StringVar(&f.unitDir, "unit-dir", "", "where user units live (default $XDG_CONFIG_HOME/systemd/user)")
	}
	install.Flags().BoolVar(&f.print, "print", false, "print the unit instead of writing it")
	cmd.AddCommand(install, uninstall)
	return cmd
}

// unitPath is the unit's name and file for the mount at dir.
func unitPath(g *globals, f *serviceFlags, dir string) (name, path string, err error) {
	d, err := g.dirs()
	if err != nil {
		return "", "", err
	}
	md, err := d.mountDirsOf(dir)
	if err != nil {
		return "", "", err
	}
	name = "drivesync-" + filepath.Base(md.State) + ".service"
	ud := f.unitDir
	if ud == "" {
		cfg, err := os.UserConfigDir()
		if err != nil {
			return "", "", fmt.Errorf("service: %w", err)
		}
		ud = filepath.Join(cfg, "systemd", "user")
	}
	return name, filepath.Join(ud, name), nil
}

func runServiceInstall(w io.Writer, g *globals, f *serviceFlags, dir string, mountArgs []string) error {
	for _, a := range mountArgs {
		if a == "--foreground" || a == "--once" || strings.HasPrefix(a, "--foreground=") {
			return fmt.Errorf("service install: %s is set by the unit itself", a)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	d, err := g.dirs()
	if err != nil {
		return err
	}
	md, err := d.mountDirsOf(dir)
	if err != nil {
		return err
	}
	name, path, err := unitPath(g, f, dir)
	if err != nil {
		return err
	}
	var home []string
	if g.home != "" {
		h, _ := filepath.Abs(g.home)
		home = []string{"--home", h}
	}
	unit := systemdUnit(self, home, md.Root, mountArgs)
	if f.print {
		_, err := io.WriteString(w, unit)
		return err
	}
	if err := writeFileAtomic(path, []byte(unit), 0o644); err != nil {
		return fmt.Errorf("service install: %w", err)
	}
	fmt.Fprintf(w, "wrote %s\nenable it with:\n  systemctl --user daemon-reload\n  systemctl --user enable --now %s\nto start it at boot without logging in:\n  loginctl enable-linger $USER\n", path, name)
	return nil
}

// systemdUnit renders the unit file.
func systemdUnit(bin string, global []string, root string, mountArgs []string) string {
	start := append(append(append([]string{bin}, global...), "mount", "--foreground", "--progress", "none"), mountArgs...)
	start = append(start, root)
	stop := append(append([]string{bin}, global...), "unmount", "--timeout", "5m", "--force", root)
	return fmt.Sprintf(`# Written by drivesync service install; remove with drivesync service uninstall.
[Unit]
Description=drivesync mirror of %s
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=%s
ExecStop=%s
Restart=on-failure
RestartSec=10s
TimeoutStopSec=6min

[Install]
WantedBy=default.target
`, systemdEscapeSpecifiers(root), systemdCommand(start), systemdCommand(stop))
}

// systemdCommand quotes each word for an Exec= line: double quotes, with
// backslash and double quote escaped, "%" doubled (specifiers) and "$"
// doubled (variable expansion).
func systemdCommand(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		w = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", "$$", "%", "%%", "\n", `\n`).Replace(w)
		q[i] = `"` + w + `"`
	}
	return strings.Join(q, " ")
}

func systemdEscapeSpecifiers(s string) string {
	return strings.NewReplacer("%", "%%", "\n", " ").Replace(s)
}
