package drive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"golang.org/x/oauth2"

	gdrive "google.golang.org/api/drive/v3"
	"google.golang.org/api/option"

	"github.com/drivesync/drivesync/drive"
	"github.com/drivesync/drivesync/drive/fakedrive"
)

func TestSharedDriveByIDOrName(t *testing.T) {
	e := newEnv(t, fakedrive.Options{}, drive.Options{})
	ctx := context.Background()
	api, err := gdrive.NewService(ctx, option.WithEndpoint(e.ts.URL+"/drive/v3/"), option.WithHTTPClient(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: e.sv.Token()}))))
	if err != nil {
		t.Fatal(err)
	}
	made := map[string]string{}
	for i, name := range []string{"Team", "team", "Dup", "Dup", "Other"} {
		d, err := api.Drives.Create(fmt.Sprint("r", i), &gdrive.Drive{Name: name}).Do()
		if err != nil {
			t.Fatal(err)
		}
		made[name] = d.Id
	}
	for _, tc := range []struct {
		arg    string
		wantID string
		kind   error
	}{
		{"Team", made["Team"], nil}, // exact name, though "team" matches case-insensitively on Drive
		{made["Other"], made["Other"], nil},
		{"Dup", "", drive.ErrAmbiguous},
		{"Nope", "", drive.ErrNotFound},
	} {
		got, err := e.c.SharedDrive(ctx, tc.arg)
		if tc.kind != nil {
			if !errors.Is(err, tc.kind) {
				t.Errorf("%s: err %v, want %v", tc.arg, err, tc.kind)
			}
			continue
		}
		if err != nil || got.ID != tc.wantID {
			t.Errorf("%s: %+v %v, want ID %s", tc.arg, got, err, tc.wantID)
		}
	}
}
