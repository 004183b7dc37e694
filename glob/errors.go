package glob

import (
	"errors"
	"fmt"
)

// ErrBadPattern is wrapped by every *PatternError, so callers can test for a malformed pattern
// with errors.Is(err, glob.ErrBadPattern) (the CLI maps it to a usage error).
var ErrBadPattern = errors.New("bad pattern")

// PatternError says what is wrong with a pattern and where.
type PatternError struct {
	Pattern string // the pattern exactly as given
	Offset  int    // byte offset into Pattern of the offending character (len(Pattern) for "at the end")
	Problem string // what is wrong, e.g. "unterminated character class"
	Hint    string // optional: how to write what was probably meant
	What    string // "exclude pattern" for Query.Exclude; "" means "pattern"
}

func (e *PatternError) Error() string {
	what := e.What
	if what == "" {
		what = "pattern"
	}
	msg := fmt.Sprintf("glob: %s %q: %s at offset %d", what, e.Pattern, e.Problem, e.Offset)
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

// Unwrap returns ErrBadPattern.
func (e *PatternError) Unwrap() error { return ErrBadPattern }

func patternErr(pattern string, offset int, problem, hint string) *PatternError {
	return &PatternError{Pattern: pattern, Offset: offset, Problem: problem, Hint: hint}
}
