package auth

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// EmulatorClientID is the OAuth client drivesync uses against an emulator
// when no client secrets file is given; the emulator accepts any client
// unless it was configured with a list.
const EmulatorClientID = "drivesync"

// ErrNoClient means a login against Google was asked for without an OAuth
// client.
var ErrNoClient = errors.New("auth: no OAuth client: pass --client-secrets with the credentials.json of a Desktop app client from the Google Cloud console")

// ClientConfig returns the OAuth client for a login: the one in the Google
// Cloud credentials.json at path ("installed" or "web" key), or, when path is
// "" and base is set, EmulatorClientID. With a base URL the endpoints are the
// emulator's whatever the file says.
func ClientConfig(path, base string) (*oauth2.Config, error) {
	if path == "" {
		if base == "" {
			return nil, ErrNoClient
		}
		return &oauth2.Config{ClientID: EmulatorClientID, Endpoint: Endpoints(base)}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: client secrets: %w", err)
	}
	c, err := google.ConfigFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("auth: client secrets %s: %w", path, err)
	}
	if c.ClientID == "" {
		return nil, fmt.Errorf("auth: client secrets %s: no client_id", path)
	}
	def := Endpoints(base)
	if base != "" || c.Endpoint.AuthURL == "" {
		c.Endpoint.AuthURL = def.AuthURL
	}
	if base != "" || c.Endpoint.TokenURL == "" {
		c.Endpoint.TokenURL = def.TokenURL
	}
	c.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	c.RedirectURL = "" // set per login to the loopback listener
	return c, nil
}
