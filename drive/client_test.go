package drive_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestNewRejectsBadOptions(t *testing.T) {
	ts := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"})
	tests := []struct {
		name string
		opt  drive.Options
		want string
	}{
		{"no token source", drive.Options{}, "TokenSource is required"},
		{"relative endpoint", drive.Options{TokenSource: ts, Endpoint: "localhost:8080"}, `endpoint "localhost:8080"`},
		{"ftp endpoint", drive.Options{TokenSource: ts, Endpoint: "ftp://host"}, `endpoint "ftp://host"`},
		{"no host", drive.Options{TokenSource: ts, Endpoint: "http://"}, `endpoint "http://"`},
	}
	for _, tt := range tests {
		_, err := drive.New(context.Background(), tt.opt)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}

func TestEndpointWithTrailingSlash(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{Pacer: fastPacer()})
	c, err := drive.New(context.Background(), drive.Options{Endpoint: e.ts.URL + "/", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: e.sv.Token()})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	a, err := c.About(context.Background())
	if err != nil || a.User != "user@example.com" || a.StorageLimit == 0 {
		t.Fatalf("About = %+v, %v", a, err)
	}
	big := randomBytes(1, 6<<20)
	if _, err := c.Create(context.Background(), "root", "big", writeFile(t, t.TempDir(), "big", big)); err != nil {
		t.Fatalf("resumable upload through %s/: %v", e.ts.URL, err)
	}
}
