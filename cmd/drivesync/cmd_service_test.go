package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSystemdCommand(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"/bin/drivesync", "mount", "/home/a/data"}, `"/bin/drivesync" "mount" "/home/a/data"`},
		{[]string{`/x/a "b"`, `c\d`}, `"/x/a \"b\"" "c\\d"`},
		{[]string{"/data/100%", "$HOME"}, `"/data/100%%" "$$HOME"`},
		{[]string{"a b\nc"}, `"a b\nc"`},
	}
	for _, tt := range tests {
		if got := systemdCommand(tt.in); got != tt.want {
			t.Errorf("systemdCommand(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestServiceInstall(t *testing.T) {
	home := t.TempDir()
	unitDir := filepath.Join(t.TempDir(), "units")
	dir := filepath.Join(t.TempDir(), "my data")
	g := &globals{home: home, logLevel: "info"}
	f := &serviceFlags{unitDir: unitDir}
	var out bytes.Buffer
	if err := runServiceInstall(&out, g, f, dir, []string{"--remote", "datasets/x", "--read-only"}); err != nil {
		t.Fatal(err)
	}
	name, path, err := unitPath(g, f, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "systemctl --user enable --now "+name) {
		t.Errorf("instructions %q", out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{
		`"--home" "` + home + `" "mount" "--foreground" "--progress" "none" "--remote" "datasets/x" "--read-only" "` + dir + `"`,
		`"unmount" "--timeout" "5m" "--force" "` + dir + `"`,
		"Restart=on-failure", "WantedBy=default.target",
	} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %s:\n%s", want, unit)
		}
	}
	if err := runServiceInstall(&out, g, f, dir, []string{"--foreground"}); err == nil {
		t.Error("--foreground among the mount flags accepted")
	}
	out.Reset()
	p := &serviceFlags{unitDir: filepath.Join(t.TempDir(), "none"), print: true}
	if err := runServiceInstall(&out, g, p, dir, nil); err != nil || !strings.HasPrefix(out.String(), "# Written by drivesync") {
		t.Errorf("--print: %v %q", err, out.String())
	}
	if _, err := os.Stat(p.unitDir); !os.IsNotExist(err) {
		t.Errorf("--print wrote files: %v", err)
	}
}
