package main

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestCLIReference(t *testing.T) {
	for _, k := range []string{"DRIVESYNC_HOME", "DRIVESYNC_ENDPOINT", "DRIVESYNC_LOG_LEVEL", "DRIVESYNC_TOKEN", "DRIVESYNC_SERVICE_ACCOUNT"} {
		t.Setenv(k, "") // restored after the test
		os.Unsetenv(k)  // defaults as a fresh shell sees them
	}
	got := cliReference(newRootCmd())
	const path = "../../docs/cli.md"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(want) != got {
		t.Fatalf("docs/cli.md is stale: run go test ./cmd/drivesync -run TestCLIReference -update")
	}
}
