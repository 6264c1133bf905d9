package pretrain

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Diagnostics are representation-collapse indicators of a set of feature vectors.
type Diagnostics struct {
	// FeatureStd is the mean over dimensions of the per-dimension standard deviation
	// (unbiased, over the N vectors). It goes to 0 when the features collapse to a point.
	FeatureStd float64
	// EffectiveRank is exp(H(p)) with p the singular values of the centred N x D feature
	// matrix normalised to sum 1 (Roy & Vetterli, 2007). It lies in [1, min(N-1, D)] and
	// goes to 1 when the features collapse to a line; it is 0 when all vectors are equal.
	EffectiveRank float64
}

// ComputeDiagnostics returns the collapse diagnostics of n feature vectors of dimension d,
// stored row-major in x ([n, d], e.g. target-encoder features of a batch flattened over
// batch and tokens).
//
// It eigen-decomposes the d x d scatter matrix (or the n x n Gram matrix when n < d) in
// float64, so its cost is O(n*d*min(n,d)); for large batches pass a row subsample (see
// [SubsampleRows]): a few thousand rows suffice for D <= 1280 (4096 x 1024 takes about 4 s
// on two CPU cores).
func ComputeDiagnostics(x []float32, n, d int) (Diagnostics, error) {
	if n < 2 || d < 1 {
		return Diagnostics{}, fmt.Errorf("diagnostics: %d vectors of dimension %d: want n >= 2, d >= 1", n, d)
	}
	if len(x) != n*d {
		return Diagnostics{}, fmt.Errorf("diagnostics: %d values for %d x %d features", len(x), n, d)
	}
	mean := make([]float64, d)
	for i := range n {
		for j, v := range x[i*d : (i+1)*d] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return Diagnostics{}, fmt.Errorf("diagnostics: non-finite feature %g at row %d, column %d", v, i, j)
			}
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	centred := mat.NewDense(n, d, nil)
	raw := centred.RawMatrix()
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+d]
		for j, v := range x[i*d : (i+1)*d] {
			row[j] = float64(v) - mean[j]
		}
	}

	var sumStd float64
	for j := range d {
		var ss float64
		for i := range n {
			v := raw.Data[i*raw.Stride+j]
			ss += v * v
		}
		sumStd += math.Sqrt(ss / float64(n-1))
	}

	// The non-zero eigenvalues of XᵀX (d x d) and XXᵀ (n x n) are the squared singular values.
	var scatter mat.SymDense
	if n >= d {
		scatter.SymOuterK(1, centred.T())
	} else {
		scatter.SymOuterK(1, centred)
	}
	var eig mat.EigenSym
	if !eig.Factorize(&scatter, false) {
		return Diagnostics{}, errors.New("diagnostics: eigen-decomposition did not converge")
	}
	return Diagnostics{FeatureStd: sumStd / float64(d), EffectiveRank: effectiveRank(eig.Values(nil))}, nil
}

// effectiveRank returns exp of the entropy of the singular values sqrt(λ) normalised to sum 1,
// given the eigenvalues λ of a scatter matrix (tiny negative round-off is treated as 0).
func effectiveRank(eigenvalues []float64) float64 {
	sv := make([]float64, len(eigenvalues))
	var total float64
	for i, l := range eigenvalues {
		if l > 0 {
			sv[i] = math.Sqrt(l)
			total += sv[i]
		}
	}
	if total == 0 {
		return 0
	}
	var entropy float64
	for _, s := range sv {
		if p := s / total; p > 0 {
			entropy -= p * math.Log(p)
		}
	}
	return math.Exp(entropy)
}

// SubsampleRows returns at most maxRows of the n rows of x ([n, d] row-major), evenly
// strided and in order, and their count. It returns x itself when n <= maxRows.
func SubsampleRows(x []float32, n, d, maxRows int) ([]float32, int) {
	if maxRows < 1 || n <= maxRows || len(x) != n*d {
		return x, n
	}
	out := make([]float32, 0, maxRows*d)
	for k := range maxRows {
		i := int(int64(k) * int64(n) / int64(maxRows))
		out = append(out, x[i*d:(i+1)*d]...)
	}
	return out, maxRows
}
