package main

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// configTestCmd is a root with a persistent --log-level and a sub command
// "mount" with its own flags.
func configTestCmd() (root, sub *cobra.Command, vals *struct {
	level    string
	poll     time.Duration
	parallel int
	ro       bool
}) {
	vals = &struct {
		level    string
		poll     time.Duration
		parallel int
		ro       bool
	}{}
	root = &cobra.Command{Use: "drivesync"}
	root.PersistentFlags().StringVar(&vals.level, "log-level", "info", "")
	sub = &cobra.Command{Use: "mount", RunE: func(*cobra.Command, []string) error { return nil }}
	sub.Flags().DurationVar(&vals.poll, "poll", 10*time.Second, "")
	sub.Flags().IntVar(&vals.parallel, "parallel", 8, "")
	sub.Flags().BoolVar(&vals.ro, "read-only", false, "")
	root.AddCommand(sub)
	return root, sub, vals
}

func TestConfigApply(t *testing.T) {
	const file = `
# defaults
log-level = debug
poll = 1m
no-such-global = 3   # ignored: no command here has it

[mount]
parallel = "16"
read-only = true
[other]
x = 1
`
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		wantLevel string
		wantPoll  time.Duration
		wantPar   int
	}{
		{"file", []string{"mount"}, nil, "debug", time.Minute, 16},
		{"flag wins", []string{"mount", "--poll", "5s", "--log-level", "warn"}, nil, "warn", 5 * time.Second, 16},
		{"env wins over file", []string{"mount"}, map[string]string{"DRIVESYNC_POLL": "2s", "DRIVESYNC_LOG_LEVEL": "error"}, "error", 2 * time.Second, 16},
		{"flag wins over env", []string{"mount", "--parallel=3"}, map[string]string{"DRIVESYNC_PARALLEL": "4"}, "debug", time.Minute, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cf, err := parseConfig("cfg", []byte(file))
			if err != nil {
				t.Fatal(err)
			}
			root, sub, v := configTestCmd()
			root.SetArgs(tt.args)
			sub.PreRunE = func(cmd *cobra.Command, _ []string) error {
				return cf.apply(cmd, func(k string) (string, bool) { s, ok := tt.env[k]; return s, ok })
			}
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if v.level != tt.wantLevel || v.poll != tt.wantPoll || v.parallel != tt.wantPar || !v.ro {
				t.Errorf("got level %q poll %v parallel %d ro %v", v.level, v.poll, v.parallel, v.ro)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct{ file, env, want string }{
		{"[mount\n", "", "cfg:1: section header"},
		{"[ ]\n", "", "cfg:1: empty section"},
		{"\n\njust words\n", "", "cfg:3: want `flag = value`"},
		{"= 3\n", "", "cfg:1: bad flag name"},
		{"[mount]\nbogus = 1\n", "", "cfg:2: `drivesync mount` has no flag --bogus"},
		{"poll = soon\n", "", `cfg:1: poll = "soon"`},
		{"", "DRIVESYNC_PARALLEL=many", "environment DRIVESYNC_PARALLEL"},
	}
	for _, tt := range tests {
		cf, err := parseConfig("cfg", []byte(tt.file))
		if err == nil {
			root, sub, _ := configTestCmd()
			root.SetArgs([]string{"mount"})
			sub.PreRunE = func(cmd *cobra.Command, _ []string) error {
				return cf.apply(cmd, func(k string) (string, bool) {
					ek, ev, _ := strings.Cut(tt.env, "=")
					return ev, k == ek
				})
			}
			root.SilenceErrors, root.SilenceUsage = true, true
			err = root.Execute()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q %q: error %v, want it to contain %q", tt.file, tt.env, err, tt.want)
		}
	}
}

func TestEnvName(t *testing.T) {
	for in, want := range map[string]string{"poll": "DRIVESYNC_POLL", "read-only": "DRIVESYNC_READ_ONLY", "allow-mass-delete": "DRIVESYNC_ALLOW_MASS_DELETE"} {
		if got := envName(in); got != want {
			t.Errorf("envName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"a = b\n[mount]\nc=d", "[x]\n#c\n;d\nk='v'", "[", "=", "k=\"", "[a  b]\nk = v = w"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cf, err := parseConfig("fuzz", []byte(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config fuzz") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		for _, ls := range append([][]configLine{cf.global}, mapValues(cf.sections)...) {
			for _, l := range ls {
				if l.key == "" || strings.ContainsAny(l.key, " \t=") || l.line < 1 {
					t.Errorf("bad line %+v from %q", l, s)
				}
			}
		}
	})
}

func mapValues[K comparable, V any](m map[K]V) []V {
	var vs []V
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}
