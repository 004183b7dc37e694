package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive/auth"
)

// credFlags pick the credentials of a command that talks to Drive. Their
// environment fallbacks are read at use time, not shown as flag defaults, so
// `--help` never prints a token.
type credFlags struct {
	token          string // --token, else DRIVESYNC_TOKEN
	serviceAccount string // --service-account, else DRIVESYNC_SERVICE_ACCOUNT
}

// addCredFlags registers --token and --service-account on cmd.
func addCredFlags(cmd *cobra.Command, c *credFlags) {
	fl := cmd.Flags()
	fl.StringVar(&c.token, "token", "", "use this OAuth access token as is (env DRIVESYNC_TOKEN); wins over everything else")
	fl.StringVar(&c.serviceAccount, "service-account", "", "authenticate as the service account in this JSON key file (env DRIVESYNC_SERVICE_ACCOUNT)")
}

// authConfig is the auth.Config of g and c. Commands that talk to Drive get
// their tokens with auth.TokenSource(ctx, cfg).
func (g *globals) authConfig(c *credFlags) (auth.Config, error) {
	d, err := g.dirs()
	if err != nil {
		return auth.Config{}, err
	}
	cfg := auth.Config{Endpoint: g.endpoint, ConfigDir: d.Config, AccessToken: c.token, ServiceAccountFile: c.serviceAccount}
	if cfg.AccessToken == "" {
		cfg.AccessToken = os.Getenv("DRIVESYNC_TOKEN")
	}
	if cfg.ServiceAccountFile == "" {
		cfg.ServiceAccountFile = os.Getenv("DRIVESYNC_SERVICE_ACCOUNT")
	}
	return cfg, nil
}

// tokenSource is what Drive-facing commands call: the credentials chosen by
// --token, --service-account or the stored login, with logging.
func (g *globals) tokenSource(ctx context.Context, cmd *cobra.Command, c *credFlags, readOnly bool) (oauth2.TokenSource, error) {
	cfg, err := g.authConfig(c)
	if err != nil {
		return nil, err
	}
	if cfg.Logger, err = newLogger(g, cmd.ErrOrStderr()); err != nil {
		return nil, err
	}
	cfg.ReadOnly = readOnly
	return auth.TokenSource(ctx, cfg)
}

func newAuthCmd(g *globals) *cobra.Command { return authCommand(g, auth.OpenBrowser) }

// authCommand builds `drivesync auth`; open shows the login page (tests pass
// a fake browser).
func authCommand(g *globals, open func(string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Log in to Google Drive, show the login, log out",
		Long: `Manage drivesync's access to Google Drive.

Credentials are taken from, in order: --token (or DRIVESYNC_TOKEN), a service
account key (--service-account or DRIVESYNC_SERVICE_ACCOUNT), and the login
that "drivesync auth login" stores in the config directory. With --endpoint
all of them go to that Drive-compatible server instead of Google.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newAuthLoginCmd(g, open), newAuthStatusCmd(g), newAuthLogoutCmd(g))
	return cmd
}

type loginFlags struct {
	clientSecrets string
	noBrowser     bool
	readOnly      bool
}

func newAuthLoginCmd(g *globals, open func(string) error) *cobra.Command {
	f := &loginFlags{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in with a browser and store the login",
		Long: `Sign in to Google with the browser and store the login (a refresh token,
mode 0600) in the config directory; drivesync refreshes it as needed.

On a machine without a browser (say, a GPU box over SSH) use --no-browser:
open the printed URL on any machine, sign in, and paste back the address the
browser shows when it fails to load the 127.0.0.1 page.

Against Google, --client-secrets must name the credentials.json of a
"Desktop app" OAuth client from the Google Cloud console (default:
DRIVESYNC_CLIENT_SECRETS, else credentials.json in the config directory).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAuthLogin(cmd, g, f, open) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.clientSecrets, "client-secrets", "", "OAuth client file (credentials.json) from the Google Cloud console")
	fl.BoolVar(&f.noBrowser, "no-browser", false, "print the URL and read the redirected URL from standard input")
	fl.BoolVar(&f.readOnly, "read-only", false, "ask only for read access (drive.readonly)")
	return cmd
}

func runAuthLogin(cmd *cobra.Command, g *globals, f *loginFlags, open func(string) error) error {
	d, err := g.dirs()
	if err != nil {
		return err
	}
	log, err := newLogger(g, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	secrets := f.clientSecrets
	if secrets == "" {
		secrets = os.Getenv("DRIVESYNC_CLIENT_SECRETS")
	}
	if secrets == "" {
		p := filepath.Join(d.Config, "credentials.json")
		if _, err := os.Stat(p); err == nil {
			secrets = p
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("auth login: %w", err)
		}
	}
	creds, err := auth.Login(cmd.Context(), auth.LoginOptions{
		Endpoint: g.endpoint, ClientSecrets: secrets, ReadOnly: f.readOnly, NoBrowser: f.noBrowser,
		Open: open, In: cmd.InOrStdin(), Out: cmd.ErrOrStderr(), Logger: log,
	})
	if err != nil {
		return err
	}
	path := auth.TokenFile(d.Config)
	if err := auth.SaveCredentials(path, creds); err != nil {
		return err
	}
	who := creds.Account
	if who == "" {
		who = "an account whose email was not shared"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Logged in as %s (%s).\nLogin saved to %s\n", who, strings.Join(creds.Scopes, " "), path)
	return nil
}

func newAuthStatusCmd(g *globals) *cobra.Command {
	c := &credFlags{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which credentials drivesync uses (never the token itself)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.authConfig(c)
			if err != nil {
				return err
			}
			info, err := auth.Describe(cfg)
			if err != nil {
				return err
			}
			writeAuthStatus(cmd.OutOrStdout(), info, g.endpoint, time.Now())
			return nil
		},
	}
	addCredFlags(cmd, c)
	return cmd
}

// writeAuthStatus prints info as aligned "key: value" lines.
func writeAuthStatus(w io.Writer, info auth.Info, endpoint string, now time.Time) {
	server := "Google"
	if endpoint != "" {
		server = endpoint
	}
	line := func(k, v string) { fmt.Fprintf(w, "%-12s %s\n", k+":", v) }
	switch info.Method {
	case auth.MethodToken:
		line("credentials", "static access token from --token or DRIVESYNC_TOKEN (not shown, never refreshed)")
	case auth.MethodServiceAccount:
		line("credentials", "service account key")
	default:
		line("credentials", "stored login")
	}
	line("server", server)
	if info.Method == auth.MethodToken {
		return
	}
	account := info.Account
	if account == "" {
		account = "(unknown)"
	}
	line("account", account)
	line("scopes", strings.Join(info.Scopes, " "))
	if info.Method == auth.MethodLogin {
		switch {
		case info.Expiry.IsZero():
			line("expiry", "unknown")
		case info.Expiry.After(now):
			line("expiry", fmt.Sprintf("%s (in %s)", info.Expiry.Local().Format(time.RFC3339), info.Expiry.Sub(now).Round(time.Second)))
		default:
			line("expiry", fmt.Sprintf("%s (expired; refreshed on next use)", info.Expiry.Local().Format(time.RFC3339)))
		}
		line("token file", info.File)
	} else {
		line("key file", info.File)
	}
	line("token URI", info.TokenURI)
}

func newAuthLogoutCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke the stored login and delete it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.authConfig(&credFlags{})
			if err != nil {
				return err
			}
			if cfg.Logger, err = newLogger(g, cmd.ErrOrStderr()); err != nil {
				return err
			}
			path, err := auth.Logout(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Logged out: the login was revoked and %s removed.\n", path)
			return nil
		},
	}
}
