package query

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		q    string
		pos  int
		want string // substring of Msg
	}{
		{"foo = 'x'", 0, `unknown query term "foo"`},
		{"mimetype = 'x'", 0, "did you mean mimeType"},
		{"title = 'x'", 0, `unknown query term "title"`},
		{"hidden = true", 0, "hidden is not a files.list query term"},
		{"name < 'x'", 5, "operator < is not valid for name (valid: contains = !=)"},
		{"trashed contains 'x'", 8, "operator contains is not valid for trashed"},
		{"fullText = 'x'", 9, "operator = is not valid for fullText"},
		{"modifiedTime contains '2012-01-01'", 13, "operator contains is not valid for modifiedTime"},
		{"trashed = 'x'", 10, "trashed needs true or false, found string 'x'"},
		{"trashed = yes", 10, `trashed needs true or false, found "yes"`},
		{"name = true", 7, "name needs a string in single quotes"},
		{"name = 'abc", 7, "unterminated string"},
		{`name = 'abc\'`, 7, "unterminated string"},
		{`name = 'a\nb'`, 9, `invalid escape "\n"`},
		{`name = "x"`, 7, "single quotes"},
		{"modifiedTime > '2012-13-01T00:00:00'", 15, "invalid date '2012-13-01T00:00:00' for modifiedTime"},
		{"modifiedTime > 'yesterday'", 15, "invalid date"},
		{"modifiedTime > 2012", 15, "needs an RFC 3339 date"},
		{"trashed = false foo", 16, `expected and, or or end of query, found "foo"`},
		{"trashed = false)", 15, `unbalanced ")"`},
		{"(trashed = false", 16, `expected ")" to close "(" at offset 0, found end of query`},
		{"trashed = false and", 19, "unexpected end of query: expected a query term"},
		{"and trashed = false", 0, `expected a query term, found keyword "and"`},
		{"not", 3, "unexpected end of query"},
		{"()", 1, `expected a query term, found ")"`},
		{"'abc' parents", 6, `expected in after string 'abc', found "parents"`},
		{"'abc' in name", 9, "name does not support in"},
		{"'abc' in", 8, "unexpected end of query: expected a query term"},
		{"'abc' in folders", 9, `unknown query term "folders"`},
		{"parents = 'abc'", 0, "parents is queried as 'value' in parents"},
		{"name", 4, "unexpected end of query: expected an operator after name"},
		{"name 'x'", 5, "expected an operator after name, found string 'x'"},
		{"name ! 'x'", 5, `unexpected "!"`},
		{"name = 'x' & trashed = false", 11, `unexpected character '&'`},
		{"name = 'é' and é", 16, // byte offset
			`unexpected character 'é'`},
		{"properties = 'x'", 11, "expected has after properties"},
		{"properties has key='k'", 15, `expected "{" after properties has`},
		{"properties has { key='k' }", 25, "expected and between key and value"},
		{"properties has { key='k' and key='v' }", 29, "needs one key and one value, found key twice"},
		{"properties has { name='k' and value='v' }", 17, "expected key or value"},
		{"properties has { key:'k' and value='v' }", 20, `unexpected character ':'`},
		{"properties has { key='k' and value=true }", 35, "value needs a string"},
		{"properties has { key='k' and value='v'", 38, `expected "}" to close properties has`},
		{"visibility = 'public'", 13, "invalid visibility 'public'"},
		{"shortcutDetails.targetId contains 'x'", 25, "operator contains is not valid"},
		{"memberCount > 3", 0, "memberCount is not a files.list query term"},
		{strings.Repeat("(", 101) + "trashed = true" + strings.Repeat(")", 101), 100, "nested too deeply"},
		{strings.Repeat("not ", 101) + "trashed = true", 400, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			checkSyntaxError(t, Parse, tt.q, tt.pos, tt.want)
		})
	}
}

func TestParseDrivesErrors(t *testing.T) {
	tests := []struct {
		q    string
		pos  int
		want string
	}{
		{"trashed = false", 0, "trashed is not a drives.list query term"},
		{"'abc' in parents", 9, "parents is not a drives.list query term"},
		{"memberCount > 'x'", 14, "memberCount needs an integer"},
		{"memberCount > 99999999999999999999", 14, "out of range"},
		{"hidden = 1", 9, "hidden needs true or false"},
		{"organizerCount contains 3", 15, "operator contains is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			checkSyntaxError(t, ParseDrives, tt.q, tt.pos, tt.want)
		})
	}
}

func checkSyntaxError(t *testing.T, parse func(string) (Expr, error), q string, pos int, want string) {
	t.Helper()
	e, err := parse(q)
	if err == nil {
		t.Fatalf("parse(%q) = %v, want error %q", q, e, want)
	}
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("parse(%q) error %T %v, want *SyntaxError", q, err, err)
	}
	if se.Pos != pos || !strings.Contains(se.Msg, want) {
		t.Errorf("parse(%q) = offset %d %q, want offset %d containing %q", q, se.Pos, se.Msg, pos, want)
	}
}

// TestParseString checks what parses and its canonical form.
func TestParseString(t *testing.T) {
	tests := []struct{ q, want string }{
		{"", ""},
		{"  \t\n ", ""},
		{"'abc' in parents", "'abc' in parents"},
		{"'abc'in parents", "'abc' in parents"},
		{"trashed=false", "trashed = false"},
		{"trashed = FALSE", "trashed = false"},
		{"trashed != true", "trashed != true"},
		{"'a' in parents AND trashed = false", "'a' in parents and trashed = false"},
		{"(('a' in parents))", "'a' in parents"},
		{"name = 'Valentine\\'s Day'", `name = 'Valentine\'s Day'`},
		{`name = 'C:\\dir'`, `name = 'C:\\dir'`},
		{"name contains 'rep'", "name contains 'rep'"},
		{"name CONTAINS 'rep'", "name contains 'rep'"},
		{"mimeType != 'application/vnd.google-apps.folder'", "mimeType != 'application/vnd.google-apps.folder'"},
		{"fullText contains '\"hello there\"'", `fullText contains '"hello there"'`},
		{"modifiedTime > '2012-06-04T12:00:00-08:00'", "modifiedTime > '2012-06-04T20:00:00Z'"},
		{"modifiedTime > '2012-06-04T12:00:00'", "modifiedTime > '2012-06-04T12:00:00Z'"},
		{"createdTime <= '2012-06-04T12:00:00.250Z'", "createdTime <= '2012-06-04T12:00:00.25Z'"},
		{"viewedByMeTime >= '2012-06-04'", "viewedByMeTime >= '2012-06-04T00:00:00Z'"},
		{"'me' in owners or 'x@y.z' in writers or 'q' in readers", "'me' in owners or 'x@y.z' in writers or 'q' in readers"},
		{"properties has {key='k' and value='v'}", "properties has { key='k' and value='v' }"},
		{"appProperties has { VALUE = 'v' and KEY = 'k' }", "appProperties has { key='k' and value='v' }"},
		{"shortcutDetails.targetId = 'abc'", "shortcutDetails.targetId = 'abc'"},
		{"visibility != 'limited'", "visibility != 'limited'"},
		{"starred = true or sharedWithMe = true", "starred = true or sharedWithMe = true"},
		// Precedence: not > and > or.
		{"trashed = true or starred = true and name = 'x'", "trashed = true or starred = true and name = 'x'"},
		{"(trashed = true or starred = true) and name = 'x'", "(trashed = true or starred = true) and name = 'x'"},
		{"not trashed = true and starred = true", "not trashed = true and starred = true"},
		{"not (trashed = true and starred = true)", "not (trashed = true and starred = true)"},
		{"NOT NOT trashed = true", "not not trashed = true"},
		// Flattening: parentheses around a same-kind operand vanish.
		{"(trashed = true and starred = true) and (name = 'x' and name = 'y')",
			"trashed = true and starred = true and name = 'x' and name = 'y'"},
		{"('a' in parents or 'b' in parents) or 'c' in parents", "'a' in parents or 'b' in parents or 'c' in parents"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestParseDrivesString(t *testing.T) {
	tests := []struct{ q, want string }{
		{"hidden = true and memberCount >= 3", "hidden = true and memberCount >= 3"},
		{"organizerCount != -1 or name contains 'team'", "organizerCount != -1 or name contains 'team'"},
		{"createdTime > '2020-01-01T00:00:00+01:00'", "createdTime > '2019-12-31T23:00:00Z'"},
	}
	for _, tt := range tests {
		e, err := ParseDrives(tt.q)
		if err != nil {
			t.Errorf("ParseDrives(%q): %v", tt.q, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("ParseDrives(%q).String() = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("name = 'x' junk")
	if got, want := err.Error(), `query: invalid q at offset 11: expected and, or or end of query, found "junk"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
