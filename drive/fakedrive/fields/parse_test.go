package fields

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		spec string
		pos  int
		want string
	}{
		{",", 0, "expected a field name, found ','"},
		{"a,,b", 2, "expected a field name, found ','"},
		{"a,", 2, "expected a field name, found end of fields"},
		{"a/", 2, "expected a field name, found end of fields"},
		{"/a", 0, "expected a field name, found '/'"},
		{"a//b", 2, "expected a field name, found '/'"},
		{"a()", 2, "expected a field name, found ')'"},
		{"a(b", 3, `expected "," or ")" to close "(" at offset 1, found end of fields`},
		{"a(b c)", 4, `expected "," or ")" to close "(" at offset 1, found 'c'`},
		{"a)", 1, `unbalanced ")"`},
		{"a(b))", 4, `unbalanced ")"`},
		{"a b", 2, `expected "," or end of fields, found 'b'`},
		{"a(b)c", 4, `expected "," or end of fields, found 'c'`},
		{"a(b)/c", 4, `expected "," or end of fields, found '/'`},
		{"a*", 1, `expected "," or end of fields, found '*'`},
		{"a;b", 1, `found ';'`},
		{"files(naïve)", 8, `found 'ï'`},
		{"(a)", 0, "expected a field name, found '('"},
		{strings.Repeat("a(", 101) + "b" + strings.Repeat(")", 101), 201, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			m, err := Parse(tt.spec)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error %q", tt.spec, m, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T %v, want *SyntaxError", tt.spec, err, err)
			}
			if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.want) {
				t.Errorf("Parse(%q) = offset %d %q, want offset %d containing %q", tt.spec, se.Pos, se.Msg, tt.pos, tt.want)
			}
		})
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := Parse("files(id")
	if got, want := err.Error(), `fields: invalid selection at offset 8: expected "," or ")" to close "(" at offset 5, found end of fields`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestParseString checks what parses, and the union and normalization rules,
// through the canonical form.
func TestParseString(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", ""},
		{"  ", ""},
		{"id", "id"},
		{"*", "*"},
		{"files(id,name,parents),nextPageToken", "files(id,name,parents),nextPageToken"},
		{"nextPageToken, files(id, name)", "files(id,name),nextPageToken"},
		{"changes(fileId,file(id,name)),newStartPageToken", "changes(file(id,name),fileId),newStartPageToken"},
		{"files/id", "files(id)"},
		{"files.id", "files(id)"},
		{"a/b/c,a/b/d", "a(b(c,d))"},
		{"a/b(c,d/e)", "a(b(c,d(e)))"},
		// Unions.
		{"files(id),files(name)", "files(id,name)"},
		{"files,files(id)", "files"},
		{"files(id),files", "files"},
		{"files(owners(emailAddress)),files(owners)", "files(owners)"},
		{"id,id", "id"},
		// Wildcards.
		{"files(*)", "files"},
		{"files/*", "files"},
		{"*,files(id)", "*"},
		{"files(id),*", "*"},
		{"a/*/c", "a(*(c))"},
		{"a(*/c,d)", "a(d,*(c))"},
		{"a(*/c,d(e))", "a(d(c,e),*(c))"},
		{"a(*(c),*(d))", "a(*(c,d))"},
		{"a(*(c),*)", "a"},
		{"*(id)", "*(id)"},
		{"a-b_c9", "a-b_c9"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.spec, got, tt.want)
		}
		if m.Given() != (strings.TrimSpace(tt.spec) != "") {
			t.Errorf("Parse(%q).Given() = %v", tt.spec, m.Given())
		}
	}
}

func TestMustParse(t *testing.T) {
	if got := MustParse("kind,id").String(); got != "id,kind" {
		t.Errorf("MustParse = %q", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustParse of a bad spec did not panic")
		}
	}()
	MustParse("a(")
}
