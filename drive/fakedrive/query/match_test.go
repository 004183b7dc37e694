package query

import (
	"slices"
	"testing"
)

func TestWordPrefixFold(t *testing.T) {
	tests := []struct {
		name, v string
		want    bool
	}{
		{"HelloWorld", "Hello", true},
		{"HelloWorld", "hello", true},
		{"HelloWorld", "World", false},
		{"my report.pdf", "rep", true},
		{"my report.pdf", "report.p", true},
		{"my report.pdf", ".pdf", true},
		{"my report.pdf", "pdf", true},
		{"my report.pdf", "port", false},
		{"my report.pdf", "my report.pdf", true},
		{"my report.pdf", "my report.pdfx", false},
		{"Ünïcode Straße", "straße", true},
		{"Ünïcode Straße", "ÜNÏ", true},
		{"Ünïcode Straße", "nïcode", false},
		{"KELVIN", "\u212aelvin", true}, // Kelvin sign folds to K
		{"", "", true},
		{"", "a", false},
		{"abc", "", true},
		{"a-b", "-b", true},
		{"a-b", "b", true},
	}
	for _, tt := range tests {
		if got := wordPrefixFold(tt.name, tt.v); got != tt.want {
			t.Errorf("wordPrefixFold(%q, %q) = %v, want %v", tt.name, tt.v, got, tt.want)
		}
	}
}

func TestContainsFold(t *testing.T) {
	tests := []struct {
		s, sub string
		want   bool
	}{
		{"image/jpeg", "image/", true},
		{"image/jpeg", "JPEG", true},
		{"image/jpeg", "png", false},
		{"image/jpeg", "", true},
		{"", "", true},
		{"", "x", false},
		{"ab", "abc", false},
	}
	for _, tt := range tests {
		if got := containsFold(tt.s, tt.sub); got != tt.want {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tt.s, tt.sub, got, tt.want)
		}
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		v      string
		toks   []string
		phrase bool
	}{
		{"hello", []string{"hello"}, false},
		{"Hello_world", []string{"Hello", "world"}, false},
		{`"Hello there"`, []string{"Hello", "there"}, true},
		{`  "a b"  `, []string{"a", "b"}, true},
		{`"`, nil, false},
		{`""`, nil, true},
		{`say "hi" now`, []string{"say", "hi", "now"}, false},
		{"naïve café 2024", []string{"naïve", "café", "2024"}, false},
		{"...", nil, false},
	}
	for _, tt := range tests {
		toks, phrase := tokenize(tt.v)
		if !slices.Equal(toks, tt.toks) || phrase != tt.phrase {
			t.Errorf("tokenize(%q) = %q, %v; want %q, %v", tt.v, toks, phrase, tt.toks, tt.phrase)
		}
	}
}

func TestHasPhrase(t *testing.T) {
	tests := []struct {
		s    string
		toks []string
		want bool
	}{
		{"Hello there world", []string{"hello", "there"}, true},
		{"Hello there world", []string{"hello", "world"}, false},
		{"Hello there world", []string{"there", "world"}, true},
		{"Hello_world", []string{"hello", "world"}, true},
		{"hello hello there", []string{"hello", "there"}, true},
		{"hello", []string{"hello", "there"}, false},
		{"", []string{"x"}, false},
	}
	for _, tt := range tests {
		if got := hasPhrase(tt.s, tt.toks); got != tt.want {
			t.Errorf("hasPhrase(%q, %q) = %v, want %v", tt.s, tt.toks, got, tt.want)
		}
	}
}
