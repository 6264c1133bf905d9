package stats

import "math"

// Summary is the mean and sample standard deviation (n−1 in the denominator) of n values.
// Std is 0 for a single value.
type Summary struct {
	N         int
	Mean, Std float64
}

// Summarize returns the mean and sample standard deviation of xs.
func Summarize(xs []float64) Summary {
	s := Summary{N: len(xs)}
	if s.N == 0 {
		return s
	}
	for _, x := range xs {
		s.Mean += x
	}
	s.Mean /= float64(s.N)
	if s.N < 2 {
		return s
	}
	var ss float64
	for _, x := range xs {
		ss += (x - s.Mean) * (x - s.Mean)
	}
	s.Std = math.Sqrt(ss / float64(s.N-1))
	return s
}
