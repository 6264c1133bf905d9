//go:build !unix

package benchmarks

// maxRSS is unavailable without getrusage.
func maxRSS() uint64 { return 0 }
