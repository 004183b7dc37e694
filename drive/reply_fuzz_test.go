package drive_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/drivesync/drivesync/drive"
)

// replyClient is a client of a server that answers every request with status 200 and body, as a
// broken proxy or a buggy server might.
func replyClient(t testing.TB, body []byte) *drive.Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Write(body)
	}))
	t.Cleanup(ts.Close)
	c, err := drive.New(context.Background(), drive.Options{Endpoint: ts.URL,
		TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}),
		Pacer:       drive.PacerConfig{QPS: 1e6, Burst: 1000, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond, MaxAttempts: 2, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// checkReplies runs the read calls against a server that always answers
// body: each either fails with a *drive.Error or returns something
// usable (items with IDs, a token to continue from); none panics or
// loops.
func checkReplies(t *testing.T, body []byte) {
	c := replyClient(t, body)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	fail := func(op string, err error) {
		t.Helper()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s did not end on reply %q: %v", op, body, err)
		}
		var de *drive.Error
		if !errors.As(err, &de) || !strings.HasPrefix(err.Error(), "drive: ") || de.Op == "" {
			t.Fatalf("%s on reply %q: %T %v, want a *drive.Error naming the call", op, body, err, err)
		}
	}
	if f, err := c.Get(ctx, "id1"); err != nil {
		fail("Get", err)
	} else if f.ID == "" {
		t.Fatalf("Get on reply %q: a file without an ID", body)
	}
	if tree, err := c.ListTree(ctx, "id1", drive.ListOptions{FollowShortcuts: true}); err != nil {
		fail("ListTree", err)
	} else {
		for _, f := range tree.Files {
			if f.ID == "" {
				t.Fatalf("ListTree on reply %q: an item without an ID", body)
			}
		}
		tree.Walk(func(string, drive.File) error { return nil })
	}
	if cs, err := c.Changes(ctx, "", "1"); err != nil {
		fail("Changes", err)
	} else {
		if cs.NewStartToken == "" {
			t.Fatalf("Changes on reply %q: no token to continue from", body)
		}
		for _, ch := range cs.Changes {
			if ch.FileID == "" || !ch.Removed && ch.File.ID == "" {
				t.Fatalf("Changes on reply %q: a change without a file ID: %+v", body, ch)
			}
		}
	}
	if tok, err := c.StartPageToken(ctx, ""); err != nil {
		fail("StartPageToken", err)
	} else if tok == "" {
		t.Fatalf("StartPageToken on reply %q: empty", body)
	}
	if _, err := c.About(ctx); err != nil {
		fail("About", err)
	}
	if f, err := c.ResolvePath(ctx, "id1", "data/x.jpg"); err != nil {
		fail("ResolvePath", err)
	} else if f.ID == "" {
		t.Fatalf("ResolvePath on reply %q: a file without an ID", body)
	}
	if d, err := c.SharedDrive(ctx, "Team"); err != nil {
		fail("SharedDrive", err)
	} else if d.ID == "" {
		t.Fatalf("SharedDrive on reply %q: a drive without an ID", body)
	}
}

// replySeeds are replies real and broken: what Drive sends, and what a
// truncating proxy or a buggy server could.
var replySeeds = []string{
	`{"id":"id1","name":"data","mimeType":"application/vnd.google-apps.folder"}`,
	`{"id":"id1","mimeType":"application/vnd.google-apps.folder","files":[{"id":"a","name":"x.jpg","parents":["id1"]}],"changes":[{"fileId":"a","removed":true}],"newStartPageToken":"9","startPageToken":"9","user":{"emailAddress":"u@example.com"}}`,
	`{"id":"id1","mimeType":"application/vnd.google-apps.folder","files":[null]}`,
	`{"id":"id1","mimeType":"application/vnd.google-apps.folder","files":[{"name":"no id","mimeType":"application/vnd.google-apps.folder"}]}`,
	`{"id":"id1","mimeType":"application/vnd.google-apps.folder","nextPageToken":"p","files":[]}`,
	`{"changes":[null],"newStartPageToken":"2"}`,
	`{"changes":[{"fileId":"","removed":false}],"newStartPageToken":"2"}`,
	`{"changes":[{"fileId":"f","file":{"name":"x"}}],"newStartPageToken":"2"}`,
	`{"changes":[],"nextPageToken":"1"}`,
	`{"changes":[]}`,
	`{"id":"id1","mimeType":"application/vnd.google-apps.shortcut","shortcutDetails":{"targetId":"id1","targetMimeType":"application/vnd.google-apps.folder"}}`,
	`{"drives":[null],"nextPageToken":"d"}`,
	`{"id":"x.jpg","name":"x.jpg","files":[{"id":"d","name":"data","mimeType":"application/vnd.google-apps.folder"}],"nextPageToken":"q"}`,
	`{}`, `null`, `[]`, `{"id":`, `{"id":1}`, ``,
}

func TestMalformedReplies(t *testing.T) {
	for _, s := range replySeeds {
		t.Run("", func(t *testing.T) { checkReplies(t, []byte(s)) })
	}
}

func FuzzDriveReply(f *testing.F) {
	for _, s := range replySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkReplies(t, body) })
}
