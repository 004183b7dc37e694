package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestResolveIdentity(t *testing.T) {
	sv, err := fakedrive.New(fakedrive.Options{User: "me@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sv.ImportFS(fstest.MapFS{"datasets/x/a.txt": {Data: []byte("a")}, "notes.txt": {Data: []byte("n")}}, ""); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(sv)
	defer hs.Close()
	c, err := drive.New(context.Background(), drive.Options{Endpoint: hs.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token()})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	x, err := c.ResolvePath(ctx, "root", "datasets/x")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		remote, wantID, wantErr string
	}{
		{"", sv.RootID(), ""},
		{"datasets/x", x.ID, ""},
		{"/datasets/x/", x.ID, ""},
		{x.ID, x.ID, ""},
		{"notes.txt", "", "is a file, not a folder"},
		{"datasets/nope", "", "no such folder in My Drive"},
		{"nope", "", "no folder has that ID"},
	}
	for _, tt := range tests {
		id, err := resolveIdentity(ctx, c, &mountFlags{remote: tt.remote})
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("--remote %q: %v, want an error with %q", tt.remote, err, tt.wantErr)
			}
			continue
		}
		if err != nil || id.RootID != tt.wantID || id.Account != "me@example.com" {
			t.Errorf("--remote %q: %+v, %v; want root %s", tt.remote, id, err, tt.wantID)
		}
	}
}
