package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// cliReference renders docs/cli.md from the command tree itself, so the
// reference cannot drift from the flags (TestCLIReference keeps it in sync;
// regenerate with `go test ./cmd/drivesync -run TestCLIReference -update`).
func cliReference(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString("# drivesync command reference\n\n")
	b.WriteString("Generated from the command tree by `go test ./cmd/drivesync -run TestCLIReference -update`; do not edit.\n")
	b.WriteString("Every flag can also be set through the environment variable named in its help, where there is one.\n")
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		fmt.Fprintf(&b, "\n## %s\n\n", c.CommandPath())
		desc := c.Long
		if desc == "" {
			desc = c.Short
		}
		b.WriteString(strings.TrimSpace(desc) + "\n\n```\n")
		c.InitDefaultHelpFlag()
		b.WriteString(strings.TrimRight(c.UsageString(), "\n") + "\n```\n")
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return b.String()
}
