package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/oauth2"
	gdrive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

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

	// --shared-drive by name or ID, with --remote below it.
	api, err := gdrive.NewService(ctx, option.WithEndpoint(hs.URL+"/drive/v3/"), option.WithHTTPClient(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: sv.Token()}))))
	if err != nil {
		t.Fatal(err)
	}
	team, err := api.Drives.Create("r1", &gdrive.Drive{Name: "ML Team"}).Do()
	if err != nil {
		t.Fatal(err)
	}
	data, err := api.Files.Create(&gdrive.File{Name: "data", MimeType: drive.FolderMime, Parents: []string{team.Id}}).SupportsAllDrives(true).Do()
	if err != nil {
		t.Fatal(err)
	}
	for _, sd := range []string{"ML Team", team.Id} {
		id, err := resolveIdentity(ctx, c, &mountFlags{sharedDrive: sd, remote: "data"})
		if err != nil || id.DriveID != team.Id || id.RootID != data.Id {
			t.Errorf("--shared-drive %q --remote data: %+v, %v; want drive %s root %s", sd, id, err, team.Id, data.Id)
		}
	}
	if _, err := resolveIdentity(ctx, c, &mountFlags{sharedDrive: "No Such Team"}); err == nil || !strings.Contains(err.Error(), "no shared drive has that ID or name") {
		t.Errorf("unknown shared drive: %v", err)
	}
}
