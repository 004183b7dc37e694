package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 1 << 62: "4.0 EiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlainProgress(t *testing.T) {
	tests := []struct {
		v       apiProgress
		elapsed time.Duration
		want    string
	}{
		{apiProgress{Phase: "initial", Files: 0, TotalFiles: 10, TotalBytes: 1 << 20}, 0, "initial: 0/10 files, 0 B/1.0 MiB"},
		{apiProgress{Phase: "initial", Files: 5, TotalFiles: 10, Bytes: 512 << 10, TotalBytes: 1 << 20}, 2 * time.Second, "initial: 5/10 files, 512.0 KiB/1.0 MiB, 256.0 KiB/s, ETA 2s"},
		{apiProgress{Phase: "syncing", Files: 10, TotalFiles: 10, Bytes: 1 << 20, TotalBytes: 1 << 20}, 4 * time.Second, "syncing: 10/10 files, 1.0 MiB/1.0 MiB, 256.0 KiB/s"},
	}
	for _, tt := range tests {
		if got := plainProgress(tt.v, tt.elapsed); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

// A reporter on a buffer (not a terminal) in auto mode prints plain lines,
// and done prints the final state.
func TestProgressPlainWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p, err := newProgress(&buf, "auto", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	p.update(apiProgress{Phase: "initial", Files: 3, TotalFiles: 3, Bytes: 10, TotalBytes: 10})
	p.done()
	p.done() // idempotent
	if got := buf.String(); !strings.HasPrefix(got, "initial: 3/3 files, 10 B/10 B") || strings.Contains(got, "\r") {
		t.Errorf("output %q", got)
	}
	var none *progressReporter
	none.update(apiProgress{})
	none.done()
	if _, err := newProgress(&buf, "fancy", 0); err == nil {
		t.Error("bad mode accepted")
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p, err := newProgress(&buf, "bar", 0)
	if err != nil {
		t.Fatal(err)
	}
	p.update(apiProgress{Phase: "initial", Files: 2, TotalFiles: 4, Bytes: 2048, TotalBytes: 4096})
	p.done()
	if got := buf.String(); !strings.Contains(got, "initial 2/4 files") || !strings.Contains(got, "\r") {
		t.Errorf("bar output %q", got)
	}
}
