//go:build !unix

package glob

import "time"

func processCPU() time.Duration { return 0 }
