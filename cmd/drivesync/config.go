package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Flag defaults from the environment and the config file. For every flag
// the command line did not set, DRIVESYNC_<FLAG> (upper case, "-" as "_")
// wins, then the config file, then the built-in default. The config file is
// <config dir>/config (DRIVESYNC_CONFIG names another), lines of
//
//	# a comment
//	flag-name = value        applies to every command that has the flag
//	[mount]                  the following lines apply to `drivesync mount` only
//	parallel = 16
//	[auth login]
//	no-browser = true
//
// Values are taken as the command line would take them (durations as 30s,
// booleans as true/false, lists comma-separated); quotes around a value
// are removed. A key under a [command] section that the command does not
// have is an error naming the file and line; top-level keys are skipped by
// commands without that flag.

// configFile is a parsed config file.
type configFile struct {
	path     string
	global   []configLine
	sections map[string][]configLine // by command path without the leading "drivesync "
}

type configLine struct {
	key, value string
	line       int
}

// parseConfig reads a config file's text; name is used in errors.
func parseConfig(name string, data []byte) (*configFile, error) {
	cf := &configFile{path: name, sections: map[string][]configLine{}}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' || s[0] == ';' {
			continue
		}
		if s[0] == '[' {
			if !strings.HasSuffix(s, "]") {
				return nil, fmt.Errorf("config %s:%d: section header %q lacks its closing ]", name, n, s)
			}
			section = strings.Join(strings.Fields(s[1:len(s)-1]), " ")
			if section == "" {
				return nil, fmt.Errorf("config %s:%d: empty section name", name, n)
			}
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("config %s:%d: want `flag = value`, got %q", name, n, s)
		}
		k = strings.TrimPrefix(strings.TrimSpace(k), "--")
		if k == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("config %s:%d: bad flag name %q", name, n, k)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		l := configLine{key: k, value: v, line: n}
		if section == "" {
			cf.global = append(cf.global, l)
		} else {
			cf.sections[section] = append(cf.sections[section], l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return cf, nil
}

// configPath is the config file drivesync reads.
func (g *globals) configPath() (string, error) {
	if p := os.Getenv("DRIVESYNC_CONFIG"); p != "" {
		return p, nil
	}
	d, err := g.dirs()
	if err != nil {
		return "", err
	}
	return filepath.Join(d.Config, "config"), nil
}

// envName is the environment variable that sets flag name.
func envName(flag string) string {
	return "DRIVESYNC_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// applyDefaults sets cmd's unset flags from the environment and the config
// file. The root command calls it before every command (PersistentPreRunE).
func (g *globals) applyDefaults(cmd *cobra.Command) error {
	p, err := g.configPath()
	if err != nil {
		return err
	}
	var cf *configFile
	data, err := os.ReadFile(p)
	switch {
	case err == nil:
		if cf, err = parseConfig(p, data); err != nil {
			return err
		}
	case errors.Is(err, os.ErrNotExist):
		cf = &configFile{path: p}
	default:
		return fmt.Errorf("config: %w", err)
	}
	return cf.apply(cmd, os.LookupEnv)
}

// apply sets the flags of cmd (its own and inherited) that were not given
// on the command line: from env, else the command's section, else the
// top level.
func (cf *configFile) apply(cmd *cobra.Command, env func(string) (string, bool)) error {
	fs := cmd.Flags() // merged with the persistent flags of the parents at parse time
	name := strings.TrimPrefix(strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()), " ")
	fromFile := map[string]configLine{}
	for _, l := range cf.global {
		if fs.Lookup(l.key) != nil {
			fromFile[l.key] = l
		}
	}
	for _, l := range cf.sections[name] {
		if fs.Lookup(l.key) == nil {
			return fmt.Errorf("config %s:%d: `drivesync %s` has no flag --%s", cf.path, l.line, name, l.key)
		}
		fromFile[l.key] = l
	}
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || f.Name == "help" {
			return
		}
		if v, ok := env(envName(f.Name)); ok && v != "" {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("environment %s=%q: %w", envName(f.Name), v, serr)
			}
			return
		}
		if l, ok := fromFile[f.Name]; ok {
			if serr := fs.Set(f.Name, l.value); serr != nil {
				err = fmt.Errorf("config %s:%d: %s = %q: %w", cf.path, l.line, l.key, l.value, serr)
			}
		}
	})
	return err
}
