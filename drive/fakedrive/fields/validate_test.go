package fields

import (
	"errors"
	"slices"
	"testing"
)

var userSchema = Schema{"displayName": nil, "emailAddress": nil, "me": nil, "kind": nil}

var fileSchema = Schema{
	"id": nil, "name": nil, "mimeType": nil, "parents": nil, "size": nil,
	"owners":          userSchema,
	"properties":      Schema{"*": nil},
	"appProperties":   Schema{"*": nil},
	"shortcutDetails": Schema{"targetId": nil, "targetMimeType": nil},
}

// fileListSchema is a slice of Drive's FileList schema, enough for the tests.
var fileListSchema = Schema{"kind": nil, "nextPageToken": nil, "incompleteSearch": nil, "files": fileSchema}

func TestSchemaKnown(t *testing.T) {
	tests := []struct {
		path []string
		want bool
	}{
		{nil, true},
		{[]string{"files"}, true},
		{[]string{"files", "id"}, true},
		{[]string{"files", "nope"}, false},
		{[]string{"files", "id", "x"}, false},
		{[]string{"files", "owners", "emailAddress"}, true},
		{[]string{"files", "properties", "anyKey"}, true},
		{[]string{"files", "properties", "anyKey", "deeper"}, false},
		{[]string{"files", "*"}, true},
		{[]string{"files", "*", "emailAddress"}, true},
		{[]string{"files", "*", "targetId"}, true},
		{[]string{"files", "*", "nope"}, true}, // properties admits any key
		{[]string{"files", "*", "nope", "x"}, false},
		{[]string{"*", "id"}, true},
		{[]string{"nextPageToken", "*"}, false},
	}
	for _, tt := range tests {
		if got := fileListSchema.Known(tt.path); got != tt.want {
			t.Errorf("Known(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		spec     string
		wantPath []string // nil: valid
		wantMsg  string
	}{
		{"", nil, ""},
		{"*", nil, ""},
		{"files(id,name,parents),nextPageToken", nil, ""},
		{"nextPageToken, files(id, owners(emailAddress,me))", nil, ""},
		{"files/*/emailAddress", nil, ""},
		{"files(properties/myKey)", nil, ""},
		{"files", nil, ""},
		{"files(id,nmae)", []string{"files", "nmae"}, "Invalid field selection nmae"},
		{"nextPageToken,bogus", []string{"bogus"}, "Invalid field selection bogus"},
		{"files(owners(email))", []string{"files", "owners", "email"}, "Invalid field selection email"},
		{"files(id(x))", []string{"files", "id", "x"}, "Invalid field selection x"},
		{"files/*/nope/x", []string{"files", "*", "nope", "x"}, "Invalid field selection x"},
		// Depth first in name order: files is checked (and descended) before zz.
		{"zz,files(yy)", []string{"files", "yy"}, "Invalid field selection yy"},
	}
	for _, tt := range tests {
		m, err := Parse(tt.spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.spec, err)
		}
		err = Validate(m, fileListSchema.Known)
		if tt.wantPath == nil {
			if err != nil {
				t.Errorf("Validate(%q) = %v, want nil", tt.spec, err)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("Validate(%q) = %v, want *FieldError", tt.spec, err)
			continue
		}
		if !slices.Equal(fe.Path, tt.wantPath) || fe.Error() != tt.wantMsg {
			t.Errorf("Validate(%q) = %q %q, want %q %q", tt.spec, fe.Path, fe.Error(), tt.wantPath, tt.wantMsg)
		}
	}
}

// TestValidatePathsAreStable: paths handed to known must not be overwritten
// later (they are built by appending to a shared prefix).
func TestValidatePathsAreStable(t *testing.T) {
	m, err := Parse("files(a,b,c(d,e)),g")
	if err != nil {
		t.Fatal(err)
	}
	var seen [][]string
	if err := Validate(m, func(p []string) bool { seen = append(seen, p); return true }); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"files"}, {"files", "a"}, {"files", "b"}, {"files", "c"}, {"files", "c", "d"}, {"files", "c", "e"}, {"g"}}
	if !slices.EqualFunc(seen, want, slices.Equal[[]string]) {
		t.Errorf("known saw %q, want %q", seen, want)
	}
}
