//go:build unix

package glob

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, all threads (and so the garbage
// collector) included. On a shared machine it is steadier than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
