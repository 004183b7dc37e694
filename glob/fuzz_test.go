package glob

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"*", "**", "**/", "**/*.jpg", "a/**", "**/**", "*/**/", ".*", "[!a-c]*", "[]]", "[z-a]", "[!z-a]",
	"a/[b", "{a,b}/*", "{a,{b,c}}", "{x}", "{a", "a//b", "./a", "/abs", "a/../b", "caf[é]", "[[]",
	"**/.git/**", "deep/**/d1?/**", "{,x}", "x{,.bak}", "[!]]*", "[a-]*", "*[*]", "\\*", "a\xffb",
}

// FuzzCompile: Compile never panics, and a rejection always says where.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	paths := []string{"a", "a/b", ".h/x.jpg", "data/train/cat/1.jpg", "caf\u00e9/x"}
	f.Fuzz(func(t *testing.T, pattern string) {
		if len(pattern) > 512 {
			t.Skip()
		}
		p, err := Compile(pattern)
		if err != nil {
			var pe *PatternError
			if !errors.As(err, &pe) || !errors.Is(err, ErrBadPattern) {
				t.Fatalf("%q: error %v is not a *PatternError", pattern, err)
			}
			if pe.Offset < 0 || pe.Offset > len(pattern) || pe.Problem == "" || pe.Pattern != pattern {
				t.Fatalf("%q: bad error %+v", pattern, pe)
			}
			if !strings.Contains(err.Error(), "at offset") {
				t.Fatalf("%q: error %q does not say where", pattern, err)
			}
			return
		}
		if p.String() != pattern {
			t.Fatalf("String() = %q, want %q", p.String(), pattern)
		}
		for _, path := range paths {
			p.Match(path, false)
			p.Match(path, true)
		}
	})
}

// FuzzMatch compares Glob with the slow port of CPython's glob.py (reference_test.go).
func FuzzMatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range handPatterns[:60] {
		f.Add(s)
	}
	nodes := genTree(3, 90)
	ref := newRefTree(nodes)
	ix := indexFromNodes(f, nodes)
	f.Fuzz(func(t *testing.T, pattern string) {
		if len(pattern) > 48 || strings.Count(pattern, "**") > 3 || !utf8.ValidString(pattern) {
			t.Skip()
		}
		ms, err := Glob(context.Background(), ix, pattern)
		if err != nil {
			return // FuzzCompile checks rejections
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Name())
		}
		if names, err := (Query{Patterns: []string{pattern}}).Names(context.Background(), ix); err != nil || !slices.Equal(names, got) {
			t.Fatalf("%q: Names = %q, %v; Glob's names %q", pattern, names, err, got)
		}
		var want []string
		for _, x := range refExpand(pattern) {
			for _, r := range ref.refGlob(x) {
				// Documented difference: CPython yields "X/" for "X/**" when X is not a folder.
				if strings.HasSuffix(r, "/") && !ref.isdir(r) {
					continue
				}
				want = append(want, r)
			}
		}
		slices.Sort(want)
		want = slices.Compact(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q:\n  only ours:      %q\n  only reference: %q", pattern, minus(got, want), minus(want, got))
		}
	})
}

// FuzzWildcard compares one-component matching with fnmatch.translate's regular expression.
func FuzzWildcard(f *testing.F) {
	for _, s := range []string{"*", "[!a-c]x", "[]-a]", "a*b*c", "*.jpg", "[z-a]", "?é*", "[^]", "x[!]]"} {
		f.Add(s, "abc")
		f.Add(s, "x.jpg")
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		// Long inputs only slow the fuzzer's minimization down.
		if pattern == "" || len(pattern) > 64 || len(name) > 64 || strings.Contains(pattern, "/") ||
			!utf8.ValidString(pattern) || !utf8.ValidString(name) {
			t.Skip()
		}
		w, _, _, bad := compileWild(pattern)
		if bad >= 0 {
			return
		}
		re, err := regexp.Compile(refTranslate(pattern))
		if err != nil {
			t.Fatalf("reference %q: %v", pattern, err)
		}
		if got, want := w.match(name), re.MatchString(name); got != want {
			t.Fatalf("fnmatch(%q, %q) = %v, reference %v", name, pattern, got, want)
		}
	})
}

// refExpand expands braces with the rules of braces.go, written independently (recursively on
// strings) so the fuzz test also checks the expander.
func refExpand(p string) []string {
	var out []string
	for _, x := range refExpandRec(p) {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

func refExpandRec(p string) []string {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '[':
			if e := classEndRef(p, i); e > 0 {
				i = e
			}
		case '{':
			depth, close, commas := 0, -1, []int{}
		scan:
			for j := i + 1; j < len(p); j++ {
				switch p[j] {
				case '[':
					if e := classEndRef(p, j); e > 0 {
						j = e
					}
				case '{':
					depth++
				case '}':
					if depth == 0 {
						close = j
						break scan
					}
					depth--
				case ',':
					if depth == 0 {
						commas = append(commas, j)
					}
				}
			}
			if close < 0 || len(commas) == 0 {
				continue // literal "{" (an unclosed one is rejected by Compile)
			}
			bounds := append(append([]int{i}, commas...), close)
			var out []string
			for b := 0; b+1 < len(bounds); b++ {
				for _, alt := range refExpandRec(p[bounds[b]+1 : bounds[b+1]]) {
					for _, tail := range refExpandRec(p[close+1:]) {
						out = append(out, p[:i]+alt+tail)
					}
				}
			}
			return out
		}
	}
	return []string{p}
}

func classEndRef(p string, i int) int {
	m := regexp.MustCompile(`^\[!?\]?[^\]/]*\]`).FindStringIndex(p[i:])
	if m == nil {
		return -1
	}
	return i + m[1] - 1
}
