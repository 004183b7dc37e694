package query

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: parsing never panics, errors are *SyntaxError with an offset
// inside the query, and whatever parses re-parses from its String() to an
// equal expression that selects the same files.
func FuzzParse(f *testing.F) {
	for _, q := range []string{
		benchQuery,
		"'abc' in parents and trashed=false",
		"name = 'Valentine\\'s Day' or name contains 'C:\\\\'",
		"not (starred = true or sharedWithMe = true) and 'me' in owners",
		"fullText contains '\"hello there\"' and mimeType contains 'image/'",
		"modifiedTime > '2012-06-04T12:00:00-08:00' and createdTime <= '2012-06-04'",
		"properties has { key='k' and value='v' } or appProperties has {value='1' and key='a'}",
		"shortcutDetails.targetId = 'x' and visibility != 'limited'",
		"hidden = true and memberCount >= 3 and organizerCount < -1",
		"((('a' in parents)))",
		"name = 'unterminated",
	} {
		f.Add(q)
	}
	fixture := evalFixture()
	env := &Env{Me: "me@x.com", RootID: "root-id"}
	f.Fuzz(func(t *testing.T, q string) {
		for _, parse := range []func(string) (Expr, error){Parse, ParseDrives} {
			e, err := parse(q)
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("parse(%q): %T %v, want *SyntaxError", q, err, err)
				}
				if se.Pos < 0 || se.Pos > len(q) || se.Msg == "" {
					t.Fatalf("parse(%q): bad SyntaxError %+v", q, se)
				}
				continue
			}
			s := e.String()
			e2, err := parse(s)
			if err != nil {
				t.Fatalf("parse(%q) ok, but its String %q fails: %v", q, s, err)
			}
			if !reflect.DeepEqual(e, e2) {
				t.Fatalf("parse(%q).String() = %q parses to a different expression %q", q, s, e2)
			}
			if s2 := e2.String(); s2 != s {
				t.Fatalf("String not stable: %q then %q", s, s2)
			}
			ids, bounded := CandidateParents(e)
			for _, sub := range fixture {
				m := e.Eval(sub, env)
				if m != e2.Eval(sub, env) {
					t.Fatalf("%q and %q disagree on %s", q, s, sub.ID)
				}
				if m && bounded && !hasAnyParent(sub, ids, env) {
					t.Fatalf("%q matches %s outside candidate parents %q", q, sub.ID, ids)
				}
			}
		}
	})
}

func hasAnyParent(s *Subject, ids []string, env *Env) bool {
	for _, p := range s.Parents {
		for _, id := range ids {
			if p == id || id == "root" && p == env.RootID {
				return true
			}
		}
	}
	return false
}
