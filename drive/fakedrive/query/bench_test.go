package query

import "testing"

// benchQuery is what rclone sends to list a folder's files.
const benchQuery = "'abc' in parents and trashed = false and mimeType != 'application/vnd.google-apps.folder'"

func BenchmarkEval(b *testing.B) {
	e, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	s := &Subject{
		ID: "f1", Name: "checkpoint-000123.pt", MimeType: "application/octet-stream",
		Parents: []string{"abc"}, Owners: []string{"me@x.com"},
	}
	env := &Env{Me: "me@x.com", RootID: "root-id"}
	b.ReportAllocs()
	for b.Loop() {
		if !e.Eval(s, env) {
			b.Fatal("no match")
		}
	}
}

func BenchmarkEvalFullText(b *testing.B) {
	e, err := Parse("fullText contains '\"hello there\"' or name contains 'check'")
	if err != nil {
		b.Fatal(err)
	}
	s := &Subject{
		Name:        "checkpoint-000123.pt",
		Description: "Run 17 of the sweep; lr 3e-4, batch 512. Hello there world.",
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Eval(s, nil)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}
