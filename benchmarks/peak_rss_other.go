//go:build !unix

package benchmarks

import "time"

// maxRSS is unavailable without getrusage.
func maxRSS() uint64 { return 0 }

// processCPUTime is unavailable without getrusage.
func processCPUTime() time.Duration { return 0 }
