package fields

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse: parsing never panics, errors are *SyntaxError inside the spec,
// and whatever parses re-parses from its String() to an equal Mask.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		benchSpec,
		"changes(fileId,file(id,name)),newStartPageToken",
		"nextPageToken, files(id, name)",
		"a/*/c,a(d(e)),*",
		"files.owners.emailAddress",
		"a(b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := Parse(spec)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(spec) || se.Msg == "" {
				t.Fatalf("Parse(%q): bad error %T %v", spec, err, err)
			}
			return
		}
		s := m.String()
		m2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", spec, s, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("Parse(%q).String() = %q parses to a different Mask %q", spec, s, m2)
		}
		if s2 := m2.String(); s2 != s {
			t.Fatalf("String not stable: %q then %q", s, s2)
		}
		checkLookups(t, m)
		_ = Validate(m, fileListSchema.Known)
	})
}

// checkLookups verifies that every named field is found by Has and Sub.
func checkLookups(t *testing.T, m Mask) {
	for name, sub := range m.Fields() {
		if !m.Has(name) || !reflect.DeepEqual(m.Sub(name), sub) {
			t.Fatalf("%q: Fields yields %q but Has/Sub disagree", m, name)
		}
		checkLookups(t, sub)
	}
}
