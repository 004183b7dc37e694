package auth

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// ErrNoBrowser means OpenBrowser found no way to show a page.
var ErrNoBrowser = errors.New("auth: no browser on this machine")

// OpenBrowser shows url in the user's browser: $BROWSER if set, else
// open(1) on macOS, the URL handler on Windows and xdg-open on other systems
// with a display. It returns once the opener has started.
func OpenBrowser(url string) error {
	var cmd *exec.Cmd
	switch b := os.Getenv("BROWSER"); {
	case b != "":
		cmd = exec.Command(b, url)
	case runtime.GOOS == "darwin":
		cmd = exec.Command("open", url)
	case runtime.GOOS == "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	case os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "":
		return ErrNoBrowser
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("auth: open browser: %w", err)
	}
	go cmd.Wait() //nolint:errcheck // the opener's exit status says nothing about the login
	return nil
}
