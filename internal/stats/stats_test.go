package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSummarize(t *testing.T) {
	tests := []struct {
		name      string
		xs        []float64
		n         int
		mean, std float64
	}{
		{"empty", nil, 0, 0, 0},
		{"one value has no spread", []float64{58.4}, 1, 58.4, 0},
		// mean 5; squared deviations 9+1+1+9 = 20; 20/3 → std √(20/3) = 2.5820
		{"four values, n−1 denominator", []float64{2, 4, 6, 8}, 4, 5, 2.5819889},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.xs)
			assert.Equal(t, tt.n, s.N)
			assert.InDelta(t, tt.mean, s.Mean, 1e-6)
			assert.InDelta(t, tt.std, s.Std, 1e-6)
		})
	}
}

// TestTQuantile checks against the printed tables of Student's t (two-sided 95 %: 0.975).
func TestTQuantile(t *testing.T) {
	for _, tt := range []struct {
		dof  int
		want float64
	}{{1, 12.706}, {2, 4.303}, {4, 2.776}, {9, 2.262}, {30, 2.042}} {
		assert.InDelta(t, tt.want, TQuantile(0.975, tt.dof), 1e-3, "dof %d", tt.dof)
	}
}

func TestPaired(t *testing.T) {
	// Differences 2, 3, 1, 4, 0: mean 2, std √(10/4) = 1.5811; t(0.975, 4) = 2.7764;
	// half width 2.7764 · 1.5811 / √5 = 1.9632 → [0.0368, 3.9632].
	d, err := Paired([]float64{60, 61, 58, 62, 57}, []float64{58, 58, 57, 58, 57}, 0.95)
	require.NoError(t, err)
	assert.Equal(t, 5, d.N)
	assert.InDelta(t, 2, d.Mean, 1e-9)
	assert.InDelta(t, 1.5811388, d.Std, 1e-6)
	assert.InDelta(t, 0.0368, d.Low, 1e-3)
	assert.InDelta(t, 3.9632, d.High, 1e-3)
	assert.Equal(t, []float64{2, 3, 1, 4, 0}, d.Diffs)
	assert.Equal(t, PairedTTest, d.Test())

	one, err := Paired([]float64{58.4}, []float64{55.6}, 0.95)
	require.NoError(t, err)
	assert.False(t, one.HasInterval())
	assert.Equal(t, SingleSeed, one.Test())
	assert.InDelta(t, 2.8, one.Mean, 1e-9)
	assert.True(t, math.IsNaN(one.Low))

	for _, bad := range []struct {
		a, b  []float64
		level float64
		msg   string
	}{
		{[]float64{1, 2}, []float64{1}, 0.95, "2 values against 1"},
		{nil, nil, 0.95, "no values"},
		{[]float64{1}, []float64{1}, 1.5, "confidence level"},
	} {
		_, err := Paired(bad.a, bad.b, bad.level)
		assert.ErrorContains(t, err, bad.msg)
	}
}
