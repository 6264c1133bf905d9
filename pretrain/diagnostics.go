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

// PositionShare returns the share of the variance of token features that the token position
// alone explains, for the features of b clips × n tokens × d dimensions stored row-major in x
// ([b, n, d]). It is the one-way analysis of variance with positions as groups: the variance
// of the per-position means over the clips, corrected for the finite number of clips
// (b >= 2), over the total variance, both summed over the dimensions; it lies in [0, 1].
//
// A random-init ViT passes its sin-cos position embedding straight through (its blocks are
// near the identity), so about a fifth of its output variance is position. Pretraining that
// drives the share towards 0 erases absolute position and time from the features (nothing in
// the V-JEPA objective rewards keeping them: the predictor adds its own position embedding),
// and a probe without a position embedding of its own (the official attentive probe) can
// then no longer tell where or when something happened.
func PositionShare(x []float32, b, n, d int) (float64, error) {
	if b < 2 || n < 1 || d < 1 {
		return 0, fmt.Errorf("position share: %d clips × %d tokens × %d: want b >= 2, n, d >= 1", b, n, d)
	}
	if len(x) != b*n*d {
		return 0, fmt.Errorf("position share: %d values for %d × %d × %d features", len(x), b, n, d)
	}
	posMean := make([]float64, n*d)
	for i := range b {
		for j, v := range x[i*n*d : (i+1)*n*d] {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return 0, fmt.Errorf("position share: non-finite feature %g in clip %d", v, i)
			}
			posMean[j] += float64(v)
		}
	}
	grand := make([]float64, d)
	for j := range posMean {
		posMean[j] /= float64(b)
		grand[j%d] += posMean[j] / float64(n)
	}
	var between, within float64 // sums of squares
	for j, m := range posMean {
		dm := m - grand[j%d]
		between += float64(b) * dm * dm
	}
	for i := range b {
		for j, v := range x[i*n*d : (i+1)*n*d] {
			dv := float64(v) - posMean[j]
			within += dv * dv
		}
	}
	total := between + within
	if total == 0 {
		return 0, nil
	}
	// E[between] = b·n·σ²_pos + n·σ²_within·(1 - …): remove the part that the spread of the
	// clips around their position means puts into the position means.
	pos := between - within/float64(b-1)
	return min(1, max(0, pos/total)), nil
}
