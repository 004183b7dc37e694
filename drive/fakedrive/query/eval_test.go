package query

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// utc is a fixture time.
func utc(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
}

// evalFixture is a small Drive: each subject exercises some terms.
func evalFixture() []*Subject {
	return []*Subject{{
		ID: "folder", Name: "Photos 2024", MimeType: "application/vnd.google-apps.folder",
		Parents: []string{"abc"}, Owners: []string{"me@x.com"},
		ModifiedTime: utc(2024, 1, 1, 0, 0, 0, 0), CreatedTime: utc(2020, 1, 1, 0, 0, 0, 0),
	}, {
		ID: "report", Name: "my report.pdf", MimeType: "application/pdf",
		Description: "Quarterly numbers. Hello there world!", Parents: []string{"abc"},
		Starred: true, Owners: []string{"ME@X.com"}, Writers: []string{"Bob@Example.com"},
		Properties:   map[string]string{"k": "v"},
		ModifiedTime: utc(2024, 6, 4, 12, 0, 0, 5e8),
	}, {
		ID: "trash", Name: "HelloWorld.txt", MimeType: "text/plain", Parents: []string{"def"},
		Trashed: true, Owners: []string{"bob@example.com"}, Readers: []string{"carol@example.com"},
		AppProperties: map[string]string{"app": "1"},
		ModifiedTime:  utc(2023, 5, 5, 5, 5, 5, 0),
	}, {
		ID: "shortcut", Name: "Valentine's Day", MimeType: "application/vnd.google-apps.shortcut",
		Parents: []string{"root-id"}, ShortcutTargetID: "report", SharedWithMe: true,
		Owners: []string{"other@x.com"}, Visibility: "anyoneWithLink",
	}, {
		ID: "photo", Name: "IMG_0001.JPG", MimeType: "image/jpeg", Parents: []string{"abc", "def"},
		IndexableText: "Hello_world", Owners: []string{"me@x.com"}, Readers: []string{"bob@example.com"},
		ModifiedTime:   time.Date(2024, 6, 4, 4, 0, 0, 0, time.FixedZone("PST", -8*3600)),
		ViewedByMeTime: utc(2025, 1, 1, 0, 0, 0, 0),
	}}
}

func TestEval(t *testing.T) {
	subjects := evalFixture()
	env := &Env{Me: "me@x.com", RootID: "root-id"}
	tests := []struct {
		q    string
		want string // space-separated IDs of the matching subjects, in fixture order
	}{
		{"", "folder report trash shortcut photo"},
		{"'abc' in parents", "folder report photo"},
		{"'abc' in parents and trashed = false and mimeType != 'application/vnd.google-apps.folder'", "report photo"},
		{"'root' in parents", "shortcut"},
		{"'root-id' in parents", "shortcut"},
		{"'ABC' in parents", ""},
		{"trashed = true", "trash"},
		{"trashed != true", "folder report shortcut photo"},
		{"trashed=false", "folder report shortcut photo"},

		// name: = and != ignore case; contains is a word-prefix match.
		{"name = 'my report.pdf'", "report"},
		{"name = 'MY REPORT.PDF'", "report"},
		{"name = 'my report'", ""},
		{"name != 'my report.pdf'", "folder trash shortcut photo"},
		{"name = 'Valentine\\'s Day'", "shortcut"},
		{"name contains 'rep'", "report"},
		{"name contains 'port'", ""},
		{"name contains 'Hello'", "trash"},
		{"name contains 'World'", ""},
		{"name contains 'helloworld.TXT'", "trash"},
		{"name contains '.pdf'", "report"},
		{"name contains 'txt'", "trash"},
		{"name contains 'my r'", "report"},
		{"name contains 's day'", "shortcut"},
		{"name contains '0001'", "photo"},
		{"name contains '2024'", "folder"},
		{"name contains ''", "folder report trash shortcut photo"},

		// fullText: whole tokens over name, description, indexableText.
		{"fullText contains 'hello'", "report photo"},
		{"fullText contains 'HelloWorld'", "trash"},
		{"fullText contains 'hell'", ""},
		{"fullText contains '\"hello there\"'", "report"},
		{"fullText contains '\"hello world\"'", "photo"},
		{"fullText contains 'world hello'", "report photo"},
		{"fullText contains 'quarterly report'", "report"},
		{"fullText contains '\"quarterly report\"'", ""},
		{"fullText contains '...'", ""},

		{"mimeType = 'application/vnd.google-apps.folder'", "folder"},
		{"mimeType = 'IMAGE/JPEG'", "photo"},
		{"mimeType != 'application/vnd.google-apps.folder'", "report trash shortcut photo"},
		{"mimeType contains 'image/'", "photo"},
		{"mimeType contains 'google-apps'", "folder shortcut"},

		// Times; the shortcut's are unset and satisfy no comparison.
		{"modifiedTime > '2024-01-01T00:00:00'", "report photo"},
		{"modifiedTime >= '2024-01-01'", "folder report photo"},
		{"modifiedTime = '2024-06-04T12:00:00.5Z'", "report"},
		{"modifiedTime = '2024-06-04T12:00:00Z'", "photo"},
		{"modifiedTime != '2024-01-01T00:00:00Z'", "report trash photo"},
		{"modifiedTime < '2024-01-01T00:00:00Z'", "trash"},
		{"modifiedTime <= '2024-01-01T01:00:00+01:00'", "folder trash"},
		{"not modifiedTime < '2024-01-01'", "folder report shortcut photo"},
		{"createdTime < '2021-01-01'", "folder"},
		{"viewedByMeTime > '2024-12-31T23:59:59.999999999Z'", "photo"},
		{"viewedByMeTime <= '2025-01-01T00:00:00Z'", "photo"},

		{"starred = true", "report"},
		{"starred != false", "report"},
		{"sharedWithMe = true", "shortcut"},

		// People: 'me' is Env.Me; roles nest owner > writer > reader.
		{"'me' in owners", "folder report photo"},
		{"'ME@x.com' in owners", "folder report photo"},
		{"'bob@example.com' in owners", "trash"},
		{"'bob@example.com' in writers", "report trash"},
		{"'bob@example.com' in readers", "report trash photo"},
		{"'carol@example.com' in writers", ""},
		{"'carol@example.com' in readers", "trash"},

		{"properties has { key='k' and value='v' }", "report"},
		{"properties has { key='k' and value='V' }", ""},
		{"properties has { value='v' and key='k' }", "report"},
		{"appProperties has { key='k' and value='v' }", ""},
		{"appProperties has { key='app' and value='1' }", "trash"},

		{"shortcutDetails.targetId = 'report'", "shortcut"},
		{"shortcutDetails.targetId != 'report'", "folder report trash photo"},
		{"visibility = 'anyoneWithLink'", "shortcut"},
		{"visibility != 'anyoneWithLink'", "folder report trash photo"},

		// Boolean structure.
		{"('abc' in parents or 'def' in parents) and not name contains 'img'", "folder report trash"},
		{"not trashed = true and (starred = true or sharedWithMe = true)", "report shortcut"},
		{"trashed = true or starred = true and name contains 'my'", "report trash"},
		{"(trashed = true or starred = true) and name contains 'my'", "report"},
		{"not not starred = true", "report"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		if got := matching(e, subjects, env); got != tt.want {
			t.Errorf("%q matches [%s], want [%s]", tt.q, got, tt.want)
		}
	}
}

func matching(e Expr, subjects []*Subject, env *Env) string {
	var ids []string
	for _, s := range subjects {
		if e.Eval(s, env) {
			ids = append(ids, s.ID)
		}
	}
	return strings.Join(ids, " ")
}

// TestEvalNoEnv: without an Env, 'me' is nobody and 'root' is literal.
func TestEvalNoEnv(t *testing.T) {
	subjects := evalFixture()
	subjects[0].Parents = append(subjects[0].Parents, "root")
	for _, env := range []*Env{nil, {}} {
		for q, want := range map[string]string{
			"'me' in owners":    "",
			"'me' in readers":   "",
			"'root' in parents": "folder",
		} {
			e, err := Parse(q)
			if err != nil {
				t.Fatal(err)
			}
			if got := matching(e, subjects, env); got != want {
				t.Errorf("env %v: %q matches [%s], want [%s]", env, q, got, want)
			}
		}
	}
}

func TestEvalDrives(t *testing.T) {
	drives := []*Subject{
		{ID: "team", Name: "Team Drive", MemberCount: 12, OrganizerCount: 2,
			CreatedTime: utc(2020, 1, 1, 0, 0, 0, 0)},
		{ID: "old", Name: "Archive", Hidden: true, MemberCount: 1, OrganizerCount: 1,
			CreatedTime: utc(2015, 1, 1, 0, 0, 0, 0)},
	}
	tests := []struct{ q, want string }{
		{"hidden = true", "old"},
		{"hidden != true", "team"},
		{"memberCount > 1", "team"},
		{"memberCount >= 1", "team old"},
		{"organizerCount = 2", "team"},
		{"organizerCount != 2", "old"},
		{"memberCount < 0", ""},
		{"memberCount <= 12 and organizerCount < 2", "old"},
		{"name contains 'dri'", "team"},
		{"name = 'archive'", "old"},
		{"createdTime > '2019-01-01'", "team"},
	}
	for _, tt := range tests {
		e, err := ParseDrives(tt.q)
		if err != nil {
			t.Errorf("ParseDrives(%q): %v", tt.q, err)
			continue
		}
		if got := matching(e, drives, nil); got != tt.want {
			t.Errorf("%q matches [%s], want [%s]", tt.q, got, tt.want)
		}
	}
}

// TestEvalDoesNotAllocate guards the promise the server relies on when it
// filters thousands of files per request.
func TestEvalDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's instrumentation allocates")
	}
	subjects := evalFixture()
	env := &Env{Me: "me@x.com", RootID: "root-id"}
	for _, q := range []string{
		benchQuery,
		"name contains 'rep' or fullText contains '\"hello there\"' or fullText contains 'quarterly report'",
		"'me' in readers and modifiedTime > '2024-01-01' and properties has { key='k' and value='v' }",
		"mimeType contains 'IMAGE' or name = 'MY REPORT.PDF' or not 'root' in parents",
	} {
		e, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			for _, s := range subjects {
				e.Eval(s, env)
			}
		})
		if allocs != 0 {
			t.Errorf("%q: %v allocs per run, want 0", q, allocs)
		}
	}
}

func TestCandidateParents(t *testing.T) {
	tests := []struct {
		q    string
		ids  []string
		want bool
	}{
		{"'a' in parents", []string{"a"}, true},
		{"'a' in parents and trashed = false", []string{"a"}, true},
		{"trashed = false and mimeType != 'x' and 'a' in parents", []string{"a"}, true},
		{"('a' in parents or 'b' in parents) and trashed = false", []string{"a", "b"}, true},
		{"('a' in parents or 'b' in parents or 'a' in parents)", []string{"a", "b"}, true},
		{"('a' in parents or 'b' in parents) and 'c' in parents", []string{"c"}, true},
		{"('a' in parents and starred = true) or ('b' in parents and trashed = true)", []string{"a", "b"}, true},
		{"'root' in parents", []string{"root"}, true},
		{"", nil, false},
		{"trashed = false", nil, false},
		{"not 'a' in parents", nil, false},
		{"'a' in parents or trashed = false", nil, false},
		{"'me' in owners", nil, false},
		{"'a' in owners and name = 'x'", nil, false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.q, err)
		}
		ids, ok := CandidateParents(e)
		if ok != tt.want || !slices.Equal(ids, tt.ids) {
			t.Errorf("CandidateParents(%q) = %q, %v; want %q, %v", tt.q, ids, ok, tt.ids, tt.want)
		}
	}
}

// TestCandidateParentsIsSound checks the promise itself on the fixture:
// whatever matches has one of the candidate IDs as a parent.
func TestCandidateParentsIsSound(t *testing.T) {
	subjects := evalFixture()
	for _, q := range []string{
		"'abc' in parents and trashed = false",
		"('abc' in parents or 'def' in parents) and not starred = true",
		"'abc' in parents and 'def' in parents",
		"'def' in parents or ('abc' in parents and name contains 'my')",
	} {
		e, err := Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		ids, ok := CandidateParents(e)
		if !ok {
			t.Fatalf("CandidateParents(%q) not ok", q)
		}
		for _, s := range subjects {
			if e.Eval(s, nil) && !slices.ContainsFunc(s.Parents, func(p string) bool { return slices.Contains(ids, p) }) {
				t.Errorf("%q matches %s, whose parents %q miss candidates %q", q, s.ID, s.Parents, ids)
			}
		}
	}
}
