//go:build !unix

package benchkit

import "time"

// CPUTime is 0: this platform's CPU clock is not read.
func CPUTime() time.Duration { return 0 }
