package stats

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// PairedTTest names the test behind [Paired]'s interval, as records and tables print it.
const PairedTTest = "paired t-test"

// SingleSeed labels a difference measured on one seed: there is no interval.
const SingleSeed = "single seed"

// Difference is the paired difference a − b over n matched measurements: mean and standard
// deviation of the per-pair differences and, for n ≥ 2, the two-sided confidence interval of
// the mean difference from Student's t with n−1 degrees of freedom.
type Difference struct {
	Summary
	// Level is the confidence level of the interval (0.95).
	Level float64
	// Low and High bound the interval; both are NaN when N < 2.
	Low, High float64
	// Diffs are the per-pair differences a_i − b_i.
	Diffs []float64
}

// HasInterval reports whether the difference has a confidence interval (N ≥ 2).
func (d Difference) HasInterval() bool { return d.N >= 2 }

// Test is the name of the test behind the interval: [PairedTTest], or [SingleSeed] for N = 1.
func (d Difference) Test() string {
	if d.HasInterval() {
		return PairedTTest
	}
	return SingleSeed
}

// Paired returns the paired difference a − b with its level confidence interval (e.g. 0.95).
// a and b must have the same length, at least 1.
func Paired(a, b []float64, level float64) (Difference, error) {
	if len(a) != len(b) {
		return Difference{}, fmt.Errorf("paired difference: %d values against %d", len(a), len(b))
	}
	if len(a) == 0 {
		return Difference{}, fmt.Errorf("paired difference: no values")
	}
	if !(level > 0 && level < 1) {
		return Difference{}, fmt.Errorf("paired difference: confidence level %v outside (0, 1)", level)
	}
	d := Difference{Level: level, Low: math.NaN(), High: math.NaN(), Diffs: make([]float64, len(a))}
	for i := range a {
		d.Diffs[i] = a[i] - b[i]
	}
	d.Summary = Summarize(d.Diffs)
	if d.N >= 2 {
		half := TQuantile(0.5+level/2, d.N-1) * d.Std / math.Sqrt(float64(d.N))
		d.Low, d.High = d.Mean-half, d.Mean+half
	}
	return d, nil
}

// TQuantile is the p-quantile of Student's t distribution with dof degrees of freedom.
func TQuantile(p float64, dof int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(dof)}.Quantile(p)
}
