package glob

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // the whole message
	}{
		{"a/[b", `glob: pattern "a/[b": unterminated character class at offset 2; write "[[]" for a literal "["`},
		{"[", `glob: pattern "[": unterminated character class at offset 0; write "[[]" for a literal "["`},
		{"[]", `glob: pattern "[]": unterminated character class at offset 0; write "[[]" for a literal "["`},
		{"x[!]", `glob: pattern "x[!]": unterminated character class at offset 1; write "[[]" for a literal "["`},
		{"a[/]b", `glob: pattern "a[/]b": unterminated character class at offset 1; write "[[]" for a literal "["`},
		{"*.{jpg,png", `glob: pattern "*.{jpg,png": unterminated brace alternatives at offset 2; write "[{]" for a literal "{"`},
		{"{a,[b}", `glob: pattern "{a,[b}": unterminated character class at offset 3; write "[[]" for a literal "["`},
		{"", `glob: pattern "": empty pattern at offset 0; "**" matches everything`},
		{"/data/*", `glob: pattern "/data/*": absolute pattern at offset 0; patterns are relative to the mirror root`},
		{"a//b", `glob: pattern "a//b": empty path component at offset 2; use a single "/" between names`},
		{"a//", `glob: pattern "a//": empty path component at offset 2; use a single "/" between names`},
		{"./a", `glob: pattern "./a": "." path component at offset 0; patterns are relative to the mirror root and cannot contain . or ..`},
		{"a/../b", `glob: pattern "a/../b": ".." path component at offset 2; patterns are relative to the mirror root and cannot contain . or ..`},
		{"x/{a,}/y", `glob: pattern "x/{a,}/y": empty path component at offset 6; use a single "/" between names`},
		{"{a,/b}", `glob: pattern "{a,/b}": absolute pattern at offset 3; patterns are relative to the mirror root`},
		{"a\xffb", `glob: pattern "a\xffb": invalid UTF-8 at offset 1`},
		{strings.Repeat("{a,b}", 11), `glob: pattern "` + strings.Repeat("{a,b}", 11) + `": brace alternatives expand to more than 1024 patterns at offset 50`},
		{strings.Repeat("a/", 63) + "a", `glob: pattern "` + strings.Repeat("a/", 63) + `a": more than 63 path components at offset 126`},
	}
	for _, tt := range tests {
		_, err := Compile(tt.pattern)
		if err == nil {
			t.Errorf("%q: no error", tt.pattern)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.pattern, err, tt.want)
		}
		if !errors.Is(err, ErrBadPattern) {
			t.Errorf("%q: error does not wrap ErrBadPattern", tt.pattern)
		}
	}
}

func TestCompileAccepts(t *testing.T) {
	// Valid in Python and here, though they look odd.
	for _, p := range []string{"]", "a]", "}", "a}b", "x,y", "{}", "{x}", "{{a,b}}", "[[]", "[]]", "[!]]",
		`\`, "**a", "a**", "***", "[{]", "{a,[}]}", "{,x}", strings.Repeat("a/", 62) + "a"} {
		if _, err := Compile(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}

func TestExpandBraces(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*.{jpg,png}", []string{"*.jpg", "*.png"}},
		{"{a,b}/{c,d}", []string{"a/c", "a/d", "b/c", "b/d"}},
		{"{a,b{1,2}}", []string{"a", "b1", "b2"}},
		{"x{,.bak}", []string{"x", "x.bak"}},
		{"{x}", []string{"{x}"}},
		{"{x{a,b}}", []string{"{xa}", "{xb}"}},
		{"{}", []string{"{}"}},
		{"a}b,c", []string{"a}b,c"}},
		{"[{]a,b}", []string{"[{]a,b}"}},
		{"{[,],x}", []string{"[,]", "x"}},
		{"{a,a}", []string{"a"}},
		{"{train,val}/**/*.{jpg,JPG}", []string{"train/**/*.jpg", "train/**/*.JPG", "val/**/*.jpg", "val/**/*.JPG"}},
	}
	for _, tt := range tests {
		exps, err := expandBraces(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		var got []string
		for _, x := range exps {
			got = append(got, x.text)
			for i := range x.text {
				if o := x.off[i]; tt.pattern[o] != x.text[i] {
					t.Errorf("%q: expansion %q byte %d maps to offset %d (%q)", tt.pattern, x.text, i, o, tt.pattern[o])
				}
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.pattern, got, tt.want)
		}
		if !slices.Equal(refExpand(tt.pattern), tt.want) {
			t.Errorf("%q: reference expander disagrees: %q", tt.pattern, refExpand(tt.pattern))
		}
	}
}

// smallTree is the tree the hand-written expectations below refer to.
var smallTree = []node{
	{"a", true}, {"a/b", true}, {"a/b/c.jpg", false}, {"a/x.jpg", false}, {"a/.h", true},
	{"a/.h/y.jpg", false}, {"a/.z.jpg", false}, {"f.txt", false}, {".cfg", true}, {".cfg/k", false},
	{"e", true}, {"IMG.JPG", false}, {"[x]", false}, {"x", false},
}

// TestGlobSemantics pins the rules the documentation promises, on a tree small enough to check
// by eye. (TestPythonDifferential checks them against CPython itself.)
func TestGlobSemantics(t *testing.T) {
	ix := indexFromNodes(t, smallTree)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"*", []string{"IMG.JPG", "[x]", "a", "e", "f.txt", "x"}}, // no hidden names
		{".*", []string{".cfg"}},                                  // unless asked
		{"**", []string{"IMG.JPG", "[x]", "a", "a/b", "a/b/c.jpg", "a/x.jpg", "e", "f.txt", "x"}},
		{"**/*.jpg", []string{"a/b/c.jpg", "a/x.jpg"}},          // not in or under .h
		{"**/.*", []string{".cfg", "a/.h", "a/.z.jpg"}},         //
		{"a/.h/*", []string{"a/.h/y.jpg"}},                      // literal hidden folders are fine
		{"a/**", []string{"a/", "a/b", "a/b/c.jpg", "a/x.jpg"}}, // a/ itself, with a slash
		{"a/**/", []string{"a/", "a/b/"}},                       //
		{"**/", []string{"a/", "a/b/", "e/"}},                   // folders only
		{"*/", []string{"a/", "e/"}},                            //
		{"**/**", []string{"IMG.JPG", "[x]", "a", "a/", "a/b", "a/b/", "a/b/c.jpg", "a/x.jpg", "e", "e/", "f.txt", "x"}},
		{"*/**", []string{"a/", "a/b", "a/b/c.jpg", "a/x.jpg", "e/"}}, //
		{"f.txt/**", nil},                                   // CPython: ["f.txt/"]
		{"nope/**", nil},                                    // CPython: ["nope/"]
		{"f.txt/", nil},                                     //
		{"[x]", []string{"x"}},                              // a class, as in Python
		{"[[]x]", []string{"[x]"}},                          // glob.escape quoting
		{"*.{jpg,JPG}", []string{"IMG.JPG"}},                //
		{"{a,e}/", []string{"a/", "e/"}},                    //
		{"{a/b,a}/*.jpg", []string{"a/b/c.jpg", "a/x.jpg"}}, //
		{"[.]cfg", nil},                                     // not starting with "."
	}
	for _, tt := range tests {
		if got := globNames(t, ix, tt.pattern); !slices.Equal(got, tt.want) {
			t.Errorf("%q:\n got %q\nwant %q", tt.pattern, got, tt.want)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, path string
		dir           bool
		plain, slash  bool
	}{
		{"**/*.jpg", "a/b/c.jpg", false, true, false},
		{"**/*.jpg", ".h/c.jpg", false, false, false},
		{"a/**", "a", true, false, true},
		{"a/**", "a", false, false, false},
		{"**/**", "a", true, true, true},
		{"**/", "a/b", true, false, true},
		{"**/", "a/b", false, false, false},
		{"a/b", "a/b", false, true, false},
		{"a/b/", "a/b", true, false, true},
		{"*", "a/b", false, false, false},
	}
	for _, tt := range tests {
		p, err := Compile(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		if pl, sl := p.Match(tt.path, tt.dir); pl != tt.plain || sl != tt.slash {
			t.Errorf("%q.Match(%q, dir=%v) = %v, %v; want %v, %v", tt.pattern, tt.path, tt.dir, pl, sl, tt.plain, tt.slash)
		}
	}
}

func TestMemIndexRejects(t *testing.T) {
	for _, es := range [][]Entry{
		{{Path: ""}}, {{Path: "/a"}}, {{Path: "a/"}}, {{Path: "a//b"}}, {{Path: "a/./b"}},
		{{Path: "a"}, {Path: "a"}},
	} {
		if _, err := NewMemIndex(es); err == nil {
			t.Errorf("%v: accepted", es)
		}
	}
}

func TestMemIndexWalkPrefix(t *testing.T) {
	ix := indexFromNodes(t, []node{{"a", true}, {"a.txt", false}, {"a/b", false}, {"a/b/c", false}, {"ab", false}, {"b", false}})
	var got []string
	if err := ix.Walk("a", func(e *Entry) bool { got = append(got, e.Path); return true }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "a/b", "a/b/c"}; !slices.Equal(got, want) {
		t.Errorf("Walk(a) = %q, want %q", got, want)
	}
	n := 0
	_ = ix.Walk("", func(*Entry) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("Walk did not stop when fn returned false (%d calls)", n)
	}
	ms, err := Glob(context.Background(), ix, "a")
	if err != nil || len(ms) != 1 || ms[0].Name() != "a" || !ms[0].Dir {
		t.Errorf(`Glob("a") = %v, %v`, ms, err)
	}
}
