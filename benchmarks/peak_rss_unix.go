//go:build unix

package benchmarks

import (
	"runtime"
	"syscall"
	"time"
)

// maxRSS is ru_maxrss of this process in bytes, or 0 if unavailable. Linux reports KiB,
// macOS bytes.
func maxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return uint64(ru.Maxrss)
	}
	return uint64(ru.Maxrss) * 1024
}

// processCPUTime is the user and system CPU time of this process so far (all threads), or 0
// if unavailable.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
