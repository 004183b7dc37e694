// Command drivesync mirrors a Google Drive folder into a local folder, answers
// glob queries from its index, and loads images the way Keras does.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "drivesync:", err)
		os.Exit(exitCode(err))
	}
}
