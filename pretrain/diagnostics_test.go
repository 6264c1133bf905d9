package pretrain

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signedBasis returns the 2d rows ±e_j scaled by s: centred, isotropic, of rank d.
func signedBasis(d int, s float32) []float32 {
	x := make([]float32, 2*d*d)
	for j := range d {
		x[(2*j)*d+j] = s
		x[(2*j+1)*d+j] = -s
	}
	return x
}

func TestComputeDiagnostics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gauss := func(n, d int) []float32 {
		x := make([]float32, n*d)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	rank1 := func(n, d int) []float32 {
		dir := gauss(1, d)
		x := make([]float32, n*d)
		for i := range n {
			a := float32(rng.NormFloat64())
			for j := range d {
				x[i*d+j] = a*dir[j] + 5 // the offset is removed by centring
			}
		}
		return x
	}
	for _, tc := range []struct {
		name      string
		x         []float32
		n, d      int
		rank, tol float64
		std       float64 // 0: not checked
	}{
		{"signed basis d=16", signedBasis(16, 3), 32, 16, 16, 1e-9, 3 * math.Sqrt(2.0/31)},
		{"signed basis wide n<d", signedBasis(8, 1)[:4*8], 4, 8, 2, 1e-9, 0},
		{"gaussian 4096x32", gauss(4096, 32), 4096, 32, 32, 0.5, 1},
		{"rank one", rank1(500, 24), 500, 24, 1, 1e-3, 0},
		{"constant", make([]float32, 10*4), 10, 4, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ComputeDiagnostics(tc.x, tc.n, tc.d)
			require.NoError(t, err)
			assert.InDelta(t, tc.rank, got.EffectiveRank, tc.tol)
			if tc.std != 0 {
				assert.InEpsilon(t, tc.std, got.FeatureStd, 0.05)
			}
		})
	}
}

func TestComputeDiagnosticsErrors(t *testing.T) {
	_, err := ComputeDiagnostics(make([]float32, 4), 1, 4)
	assert.Error(t, err)
	_, err = ComputeDiagnostics(make([]float32, 5), 2, 2)
	assert.Error(t, err)
	x := make([]float32, 8)
	x[5] = float32(math.NaN())
	_, err = ComputeDiagnostics(x, 4, 2)
	assert.ErrorContains(t, err, "row 2, column 1")
}

func TestSubsampleRows(t *testing.T) {
	x := make([]float32, 10*2)
	for i := range x {
		x[i] = float32(i / 2)
	}
	got, n := SubsampleRows(x, 10, 2, 4)
	assert.Equal(t, 4, n)
	assert.Equal(t, []float32{0, 0, 2, 2, 5, 5, 7, 7}, got)
	got, n = SubsampleRows(x, 10, 2, 10)
	assert.Equal(t, 10, n)
	assert.Equal(t, x, got)
}

func BenchmarkComputeDiagnostics4096x1024(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, d = 4096, 1024
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for b.Loop() {
		if _, err := ComputeDiagnostics(x, n, d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPositionShare(t *testing.T) {
	const b, n, d = 64, 16, 8
	rng := rand.New(rand.NewPCG(3, 4))
	posTable := make([]float64, n*d)
	for i := range posTable {
		posTable[i] = rng.NormFloat64()
	}
	// features = posScale·table[position] + noiseScale·N(0, 1) + a per-dimension offset.
	make3 := func(posScale, noiseScale float64) []float32 {
		x := make([]float32, b*n*d)
		for i := range b {
			for j := range n * d {
				x[i*n*d+j] = float32(posScale*posTable[j] + noiseScale*rng.NormFloat64() + float64(j%d))
			}
		}
		return x
	}
	// The table's sample variance around its per-dimension mean sets the exact expected share.
	var tv float64
	for k := range d {
		var m float64
		for p := range n {
			m += posTable[p*d+k] / n
		}
		for p := range n {
			tv += (posTable[p*d+k] - m) * (posTable[p*d+k] - m) / n
		}
	}
	tv /= d
	for _, tc := range []struct {
		name            string
		posScale, noise float64
		want, tol       float64
	}{
		{"position only", 1, 0, 1, 1e-9},
		{"no position", 0, 1, 0, 0.02},
		{"equal parts", 1, math.Sqrt(tv), 0.5, 0.04},
		{"a fifth", 0.5, math.Sqrt(tv), 0.2, 0.04},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PositionShare(make3(tc.posScale, tc.noise), b, n, d)
			require.NoError(t, err)
			assert.InDelta(t, tc.want, got, tc.tol)
		})
	}

	t.Run("errors", func(t *testing.T) {
		_, err := PositionShare(make([]float32, n*d), 1, n, d)
		assert.ErrorContains(t, err, "want b >= 2")
		_, err = PositionShare(make([]float32, 5), 2, n, d)
		assert.ErrorContains(t, err, "5 values")
		x := make3(1, 1)
		x[17] = float32(math.NaN())
		_, err = PositionShare(x, b, n, d)
		assert.ErrorContains(t, err, "non-finite")
	})
}
