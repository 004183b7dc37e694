package glob

// Brace alternatives are this package's one extension over Python: "*.{jpg,png}" means the
// union of "*.jpg" and "*.png". The pattern is expanded textually, like bash, before anything
// else; each expansion is then a plain Python pattern. The rules:
//   - "[...]" is read first: "{", "," and "}" inside a character class are ordinary characters.
//   - A "{...}" group expands only if it has a "," at its own nesting level; "{x}" and "{}" are
//     literal text (so are a stray "}" and a "," outside groups).
//   - Every "{" must be closed; write "[{]" for a lone literal "{".
//   - Groups nest ("{a,b{1,2}}") and may contain "/" ("{train,val}/*.jpg").
//   - An empty alternative is allowed ("a{,.bak}").

// maxExpansions bounds the number of patterns one brace pattern may expand to.
const maxExpansions = 1024

// expansion is one brace-free pattern, with the offset in the original pattern of each byte.
type expansion struct {
	text string
	off  []int
}

type braceExpander struct {
	pat string
}

// expandBraces returns the expansions of pat in order, without duplicates.
func expandBraces(pat string) ([]expansion, error) {
	x := braceExpander{pat: pat}
	parts, err := x.seq(0, len(pat))
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(parts))
	out := parts[:0]
	for _, p := range parts {
		if !seen[p.text] {
			seen[p.text] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// seq expands pat[i:end].
func (x *braceExpander) seq(i, end int) ([]expansion, error) {
	acc := []expansion{{}}
	appendAll := func(from, to int) {
		for k := range acc {
			acc[k].text += x.pat[from:to]
			for o := from; o < to; o++ {
				acc[k].off = append(acc[k].off, o)
			}
		}
	}
	for i < end {
		switch x.pat[i] {
		case '[':
			e := classEnd(x.pat, i)
			if e < 0 || e >= end {
				return nil, x.unterminatedClass(i)
			}
			appendAll(i, e+1)
			i = e + 1
		case '{':
			close, commas, err := x.group(i, end)
			if err != nil {
				return nil, err
			}
			if len(commas) == 0 {
				appendAll(i, i+1) // "{x}": literal; its content is read normally
				i++
				continue
			}
			var alts []expansion
			bounds := append(append([]int{i}, commas...), close)
			for b := 0; b+1 < len(bounds); b++ {
				sub, err := x.seq(bounds[b]+1, bounds[b+1])
				if err != nil {
					return nil, err
				}
				alts = append(alts, sub...)
			}
			if len(acc)*len(alts) > maxExpansions {
				return nil, patternErr(x.pat, i, "brace alternatives expand to more than 1024 patterns", "")
			}
			next := make([]expansion, 0, len(acc)*len(alts))
			for _, a := range acc {
				for _, b := range alts {
					next = append(next, expansion{
						text: a.text + b.text,
						off:  append(append(make([]int, 0, len(a.off)+len(b.off)), a.off...), b.off...),
					})
				}
			}
			acc = next
			i = close + 1
		default:
			appendAll(i, i+1)
			i++
		}
	}
	return acc, nil
}

// group finds the "}" closing the "{" at pat[i] and the top-level commas in between.
func (x *braceExpander) group(i, end int) (close int, commas []int, err error) {
	depth := 0
	for j := i + 1; j < end; j++ {
		switch x.pat[j] {
		case '[':
			e := classEnd(x.pat, j)
			if e < 0 || e >= end {
				return 0, nil, x.unterminatedClass(j)
			}
			j = e
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return j, commas, nil
			}
			depth--
		case ',':
			if depth == 0 {
				commas = append(commas, j)
			}
		}
	}
	return 0, nil, patternErr(x.pat, i, "unterminated brace alternatives", `write "[{]" for a literal "{"`)
}

func (x *braceExpander) unterminatedClass(i int) error {
	return patternErr(x.pat, i, "unterminated character class", `write "[[]" for a literal "["`)
}
