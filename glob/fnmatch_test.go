package glob

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestWildcardTable(t *testing.T) {
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"*.jpg", []string{"a.jpg", ".jpg", "x.y.jpg"}, []string{"a.JPG", "a.jpgx"}},
		{"img_*", []string{"img_", "img_1"}, []string{"im", "Img_1"}},
		{"*cat*", []string{"cat", "bobcats"}, []string{"ca", "CAT"}},
		{"a*b", []string{"ab", "axxb"}, []string{"a", "ba", "abc"}},
		{"a*b*c", []string{"abc", "aXbYc", "abbc", "abcbc"}, []string{"acb", "ab"}},
		{"?", []string{"a", "é", "😀", "\n"}, []string{"", "ab", "e\u0301"}},
		{"[abc]", []string{"a", "c"}, []string{"d", "ab"}},
		{"[!abc]", []string{"d", "é"}, []string{"a"}},
		{"[^a]", []string{"^", "a"}, []string{"b"}},                   // "^" is literal in Python
		{"[]]", []string{"]"}, []string{"["}},                         // leading "]" is a member
		{"[!]]", []string{"a"}, []string{"]"}},                        //
		{"[a-c]", []string{"a", "b", "c"}, []string{"d", "-"}},        //
		{"[a-]", []string{"a", "-"}, []string{"b"}},                   // trailing "-" is literal
		{"[z-a]", nil, []string{"a", "z", "-", "m"}},                  // empty range: never
		{"[!z-a]", []string{"a", "z", "-", "é"}, nil},                 // negated empty: anything
		{"[a-cz-a]", []string{"a", "b", "c"}, []string{"z", "-"}},     // "z-a" is dropped, "a-c" stays
		{"[1-0!-0]", []string{"a", "!", "z"}, []string{"0", "-"}},     // "1-0" dropped leaves "!-0", read as "[^-0]" (fuzz find)
		{`[\]`, []string{`\`}, []string{"]"}},                         // backslash is ordinary
		{`\*`, []string{`\x`, `\`}, []string{"*"}},                    //
		{"[*?]", []string{"*", "?"}, []string{"a"}},                   //
		{"caf[eé]", []string{"cafe", "café"}, []string{"cafe\u0301"}}, // code points, not bytes
	}
	for _, tt := range tests {
		w, _, _, bad := compileWild(tt.pattern)
		if bad >= 0 {
			t.Fatalf("%q: unterminated at %d", tt.pattern, bad)
		}
		for _, n := range tt.yes {
			if !w.match(n) {
				t.Errorf("%q should match %q", tt.pattern, n)
			}
		}
		for _, n := range tt.no {
			if w.match(n) {
				t.Errorf("%q should not match %q", tt.pattern, n)
			}
		}
	}
}

func TestWildcardInvalidUTF8Names(t *testing.T) {
	// A byte that is not UTF-8 is one character to Python (surrogateescape): "?" takes it alone.
	w, _, _, _ := compileWild("a?b")
	if !w.match("a\xffb") || w.match("a\xff\xfeb") {
		t.Error(`"a?b" must match exactly one undecodable byte`)
	}
	w, _, _, _ = compileWild("[!é]")
	if !w.match("\xc3") {
		t.Error(`"[!é]" must match the lone byte 0xC3`)
	}
}

// TestFnmatchPython compares one-component matching with CPython's fnmatch.fnmatchcase over
// class-heavy random patterns (every quirk of translate's range handling) and short names.
func TestFnmatchPython(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []rune("[[[]]]!!--^azb\\é*?&~|")
	nameAlphabet := []rune("azb-]!^\\é[&")
	var patterns, names []string
	seen := map[string]bool{}
	for len(patterns) < 1000 {
		rs := make([]rune, 1+rng.IntN(7))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		p := string(rs)
		if _, _, _, bad := compileWild(p); bad >= 0 || seen[p] {
			continue // an unterminated "[" is rejected here, literal in Python
		}
		seen[p] = true
		patterns = append(patterns, p)
	}
	for len(names) < 60 {
		rs := make([]rune, 1+rng.IntN(3))
		for i := range rs {
			rs[i] = nameAlphabet[rng.IntN(len(nameAlphabet))]
		}
		names = append(names, string(rs))
	}
	var got strings.Builder
	for _, p := range patterns {
		w, _, _, _ := compileWild(p)
		for _, n := range names {
			if w.match(n) {
				got.WriteByte('1')
			} else {
				got.WriteByte('0')
			}
		}
		got.WriteByte('\n')
	}
	const golden = "testdata/fnmatch.golden"
	want, ok := pythonFnmatch(t, patterns, names)
	if !ok {
		if *update {
			t.Fatal("-update needs python3")
		}
		b, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if g := digest([]string{got.String()}); strings.TrimSpace(string(b)) != g {
			t.Fatalf("python3 not found; digest %s differs from %s", g, golden)
		}
		return
	}
	gl, wl := strings.Split(got.String(), "\n"), strings.Split(want, "\n")
	for i := range patterns {
		if gl[i] != wl[i] {
			for j, n := range names {
				if gl[i][j] != wl[i][j] {
					t.Errorf("fnmatchcase(%q, %q): python %c, ours %c", n, patterns[i], wl[i][j], gl[i][j])
				}
			}
		}
	}
	if *update {
		writeFileAtomic(t, golden, []byte(digest([]string{want})+"\n"))
	}
}

func pythonFnmatch(t *testing.T, patterns, names []string) (string, bool) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		return "", false
	}
	const script = `
import fnmatch, json, sys, warnings
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
out = []
for p in req['patterns']:
    out.append(''.join('1' if fnmatch.fnmatchcase(n, p) else '0' for n in req['names']) + '\n')
sys.stdout.write(''.join(out))
`
	in, _ := json.Marshal(map[string]any{"patterns": patterns, "names": names})
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	return string(out), true
}
