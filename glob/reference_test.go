package glob

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// A slow, literal port of CPython 3.11's Lib/glob.py and fnmatch.translate, over an in-memory
// tree instead of the disk. It is the reference the fuzz tests compare the fast matcher with:
// it recurses from the right of the pattern like CPython and matches names with regular
// expressions, so it shares no matching code with the package.

type refTree struct {
	kids map[string][]string // folder path ("" for the root) -> child names in insertion order
	dirs map[string]bool     // path -> is a folder
}

func newRefTree(nodes []node) *refTree {
	t := &refTree{kids: map[string][]string{}, dirs: map[string]bool{"": true}}
	for _, n := range nodes {
		parent, name := "", n.path
		if i := strings.LastIndexByte(n.path, '/'); i >= 0 {
			parent, name = n.path[:i], n.path[i+1:]
		}
		t.kids[parent] = append(t.kids[parent], name)
		t.dirs[n.path] = n.dir
	}
	return t
}

// resolve follows a relative path the way the OS would: "" and "//" collapse, a trailing "/"
// demands a folder.
func (t *refTree) resolve(p string) (isDir, ok bool) {
	mustDir := strings.HasSuffix(p, "/")
	var parts []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			parts = append(parts, c)
		}
	}
	clean := strings.Join(parts, "/")
	d, ok := t.dirs[clean]
	if !ok || mustDir && !d {
		return false, false
	}
	return d, true
}

func (t *refTree) lexists(p string) bool { _, ok := t.resolve(p); return ok }
func (t *refTree) isdir(p string) bool   { d, ok := t.resolve(p); return ok && d }

func (t *refTree) listdir(p string, dironly bool) []string {
	if !t.isdir(p) {
		return nil
	}
	clean := strings.Trim(p, "/")
	var out []string
	for _, k := range t.kids[clean] {
		if !dironly || t.dirs[joinPath(clean, k)] {
			out = append(out, k)
		}
	}
	return out
}

// refGlob is glob.glob(pattern, root_dir=tree, recursive=True).
func (t *refTree) refGlob(pattern string) []string {
	res := t.iglob(pattern, false)
	if (pattern == "" || strings.HasPrefix(pattern, "**")) && len(res) > 0 && res[0] == "" {
		res = res[1:]
	}
	return res
}

func (t *refTree) iglob(pathname string, dironly bool) []string {
	dirname, basename := pySplit(pathname)
	if !hasMagic(pathname) {
		if basename != "" {
			if t.lexists(pathname) {
				return []string{pathname}
			}
		} else if t.isdir(dirname) {
			return []string{pathname}
		}
		return nil
	}
	if dirname == "" {
		if basename == "**" {
			return t.glob2("", dironly)
		}
		return t.glob1("", basename, dironly)
	}
	dirs := []string{dirname}
	if dirname != pathname && hasMagic(dirname) {
		dirs = t.iglob(dirname, true)
	}
	var out []string
	for _, d := range dirs {
		var names []string
		switch {
		case !hasMagic(basename):
			names = t.glob0(d, basename)
		case basename == "**":
			names = t.glob2(d, dironly)
		default:
			names = t.glob1(d, basename, dironly)
		}
		for _, n := range names {
			out = append(out, pyJoin(d, n))
		}
	}
	return out
}

func (t *refTree) glob1(dir, pattern string, dironly bool) []string {
	names := t.listdir(dir, dironly)
	if pattern[0] != '.' {
		names = slices.DeleteFunc(names, func(n string) bool { return n[0] == '.' })
	}
	re := regexp.MustCompile(refTranslate(pattern))
	return slices.DeleteFunc(names, func(n string) bool { return !re.MatchString(n) })
}

func (t *refTree) glob0(dir, basename string) []string {
	if basename != "" {
		if t.lexists(joinPath(dir, basename)) {
			return []string{basename}
		}
	} else if t.isdir(dir) {
		return []string{basename}
	}
	return nil
}

func (t *refTree) glob2(dir string, dironly bool) []string {
	return append([]string{""}, t.rlistdir(dir, dironly)...)
}

func (t *refTree) rlistdir(dir string, dironly bool) []string {
	var out []string
	for _, x := range t.listdir(dir, dironly) {
		if x[0] == '.' {
			continue
		}
		out = append(out, x)
		for _, y := range t.rlistdir(joinPath(dir, x), dironly) {
			out = append(out, joinPath(x, y))
		}
	}
	return out
}

func hasMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

// joinPath is glob._join: os.path.join unless one side is empty.
func joinPath(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return pyJoin(a, b)
}

// pyJoin is posixpath.join for two relative parts.
func pyJoin(a, b string) string {
	switch {
	case strings.HasPrefix(b, "/"):
		return b
	case a == "" || strings.HasSuffix(a, "/"):
		return a + b
	}
	return a + "/" + b
}

// pySplit is posixpath.split.
func pySplit(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/') + 1
	head, tail = p[:i], p[i:]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head, tail
}

// refTranslate is fnmatch.translate, emitting RE2 syntax: the atomic groups CPython uses only
// to avoid backtracking are plain groups here, and every class member is written as \x{...}.
func refTranslate(pat string) string {
	pr := []rune(pat)
	const star = "\x00STAR"
	var res []string
	i, n := 0, len(pr)
	for i < n {
		c := pr[i]
		i++
		switch c {
		case '*':
			if len(res) == 0 || res[len(res)-1] != star {
				res = append(res, star)
			}
		case '?':
			res = append(res, ".")
		case '[':
			j := i
			if j < n && pr[j] == '!' {
				j++
			}
			if j < n && pr[j] == ']' {
				j++
			}
			for j < n && pr[j] != ']' {
				j++
			}
			if j >= n {
				res = append(res, `\[`)
				continue
			}
			res = append(res, refClass(pr[i:j]))
			i = j + 1
		default:
			res = append(res, regexp.QuoteMeta(string(c)))
		}
	}
	var b strings.Builder
	for _, r := range res {
		if r == star {
			b.WriteString(".*")
		} else {
			b.WriteString(r)
		}
	}
	return `^(?s:` + b.String() + `)\z`
}

// refClass mirrors the range handling of fnmatch.translate on the class body stuff.
func refClass(stuff []rune) string {
	var chunks []string
	s := string(stuff)
	if !strings.ContainsRune(s, '-') {
		chunks = []string{s}
	} else {
		rs := stuff
		i, j := 0, len(rs)
		k := 1
		if rs[0] == '!' {
			k = 2
		}
		for {
			k = indexRuneFrom(rs, '-', k, j)
			if k < 0 {
				break
			}
			chunks = append(chunks, string(rs[i:k]))
			i = k + 1
			k += 3
		}
		if chunk := string(rs[i:j]); chunk != "" {
			chunks = append(chunks, chunk)
		} else {
			chunks[len(chunks)-1] += "-"
		}
		for k := len(chunks) - 1; k > 0; k-- {
			a, b := []rune(chunks[k-1]), []rune(chunks[k])
			if a[len(a)-1] > b[0] {
				chunks[k-1] = string(a[:len(a)-1]) + string(b[1:])
				chunks = slices.Delete(chunks, k, k+1)
			}
		}
	}
	hex := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\x{%x}`, r)
		}
		return b.String()
	}
	joined := strings.Join(chunks, "-")
	switch {
	case joined == "":
		return `[^\x00-\x{10FFFF}]`
	case joined == "!":
		return "."
	}
	neg := ""
	if chunks[0] != "" && chunks[0][0] == '!' {
		neg = "^"
		chunks[0] = chunks[0][1:]
	}
	parts := make([]string, len(chunks))
	for i, c := range chunks {
		parts[i] = hex(c)
	}
	return "[" + neg + strings.Join(parts, "-") + "]"
}
