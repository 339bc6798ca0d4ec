//go:build unix

package benchkit

import (
	"syscall"
	"time"
)

// CPUTime is the user + system CPU time this process has used (0 where
// the system cannot tell).
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
