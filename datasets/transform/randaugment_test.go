package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRandAugment(t *testing.T) {
	tests := []struct {
		in   string
		want RandAugmentConfig
		ok   bool
	}{
		{"rand-m7-n4-mstd0.5-inc1", RandAugmentConfig{Magnitude: 7, NumOps: 4, MagnitudeStd: 0.5, Increasing: true}, true},
		{"rand-m9-n3-mstd0.5", RandAugmentConfig{Magnitude: 9, NumOps: 3, MagnitudeStd: 0.5}, true},
		{"rand", RandAugmentConfig{Magnitude: 10, NumOps: 2}, true},
		{"rand-inc0", RandAugmentConfig{Magnitude: 10, NumOps: 2, Increasing: true}, true}, // timm quirk
		{"augmix-m3", RandAugmentConfig{}, false},
		{"rand-w0", RandAugmentConfig{}, false},
		{"rand-mx", RandAugmentConfig{Magnitude: 10, NumOps: 2}, true}, // no value: ignored
	}
	for _, tc := range tests {
		got, err := ParseRandAugment(tc.in)
		if !tc.ok {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestRandAugmentOpList(t *testing.T) {
	for _, inc := range []bool{false, true} {
		names := randAugmentOpNames(inc)
		assert.Len(t, names, 15)
		for _, n := range names {
			_, ok := lookupAugOp(n)
			assert.True(t, ok, n)
		}
	}
	_, err := newAugmentOp("Nope", 0.5, 5, 0, augHParams{})
	assert.Error(t, err)
}

func TestLevelToArg(t *testing.T) {
	hp := augHParams{translateConst: 100, translatePct: 0.45}
	rng := testRNG(1)
	abs := func(v float64) float64 {
		if v < 0 {
			return -v
		}
		return v
	}
	assert.InDelta(t, 21, abs(levelRotate(7, hp, rng)), 1e-12)
	assert.InDelta(t, 0.21, abs(levelShear(7, hp, rng)), 1e-12)
	assert.InDelta(t, 0.315, abs(levelTranslateRel(7, hp, rng)), 1e-12)
	assert.InDelta(t, 70, abs(levelTranslateAbs(7, hp, rng)), 1e-12)
	assert.InDelta(t, 1.36, levelEnhance(7, hp, rng), 1e-12)
	assert.InDelta(t, 0.63, abs(levelEnhanceIncreasing(7, hp, rng)-1), 1e-12)
	assert.Equal(t, 2.0, levelPosterize(7, hp, rng))
	assert.Equal(t, 2.0, levelPosterizeIncreasing(7, hp, rng))
	assert.Equal(t, 6.0, levelPosterizeOriginal(7, hp, rng))
	assert.Equal(t, 179.0, levelSolarize(7, hp, rng))
	assert.Equal(t, 77.0, levelSolarizeIncreasing(7, hp, rng))
	assert.Equal(t, 77.0, levelSolarizeAdd(7, hp, rng))
	assert.Equal(t, 256.0, levelSolarize(10, hp, rng))
}

func TestRandAugmentSampling(t *testing.T) {
	cfg, err := ParseRandAugment("rand-m7-n4-mstd0.5-inc1")
	require.NoError(t, err)
	ra, err := newRandAugment(cfg, augHParams{translatePct: 0.45, fill: [3]uint8{128, 128, 128}})
	require.NoError(t, err)
	rng := testRNG(3)
	total := 0
	const n = 4000
	for i := 0; i < n; i++ {
		total += len(ra.sample(rng))
	}
	// Four ops, each applied with probability 0.5.
	assert.InDelta(t, 2.0, float64(total)/n, 0.1)

	// Magnitudes: rotations are 3 * N(7, 0.5) degrees in absolute value.
	rot, err := newAugmentOp("Rotate", 1, 7, 0.5, augHParams{})
	require.NoError(t, err)
	var sum, sum2 float64
	for i := 0; i < n; i++ {
		op, ok := rot.sample(rng)
		require.True(t, ok)
		v := op.arg
		if v < 0 {
			v = -v
		}
		sum += v
		sum2 += v * v
	}
	mean := sum / n
	variance := sum2/n - mean*mean
	assert.InDelta(t, 21, mean, 0.2)
	assert.InDelta(t, 1.5*1.5, variance, 0.3)
}

// TestRandAugmentSameOpsOnAllFrames: identical frames stay identical after every op kind,
// and after the whole probe RandAugment.
func TestRandAugmentSameOpsOnAllFrames(t *testing.T) {
	f := repeatedFrames(5, 4, 20, 26)
	hp := augHParams{translateConst: 10, translatePct: 0.45, fill: [3]uint8{128, 128, 128}}
	for _, name := range append(randAugmentOpNames(true), "TranslateX", "TranslateY", "Posterize", "Solarize", "Color") {
		op, err := newAugmentOp(name, 1, 7, 0.5, hp)
		require.NoError(t, err)
		a, ok := op.sample(testRNG(1))
		require.True(t, ok)
		out := applyOpsToFrames(f, []appliedOp{a})
		first := frameImage(out, 0).Pix
		for ti := 1; ti < out.T; ti++ {
			require.Equal(t, first, frameImage(out, ti).Pix, "%s frame %d", name, ti)
		}
	}
	// The input is not modified.
	assert.Equal(t, repeatedFrames(5, 4, 20, 26).Pix, f.Pix)
}

func TestAutoAugmentOriginalPolicy(t *testing.T) {
	aa, err := newAutoAugmentOriginal(augHParams{translateConst: 100, fill: [3]uint8{124, 116, 104}})
	require.NoError(t, err)
	require.Len(t, aa.policy, 25)
	for _, sub := range aa.policy {
		assert.Len(t, sub, 2)
	}
	rng := testRNG(9)
	for i := 0; i < 200; i++ {
		assert.LessOrEqual(t, len(aa.sample(rng)), 2)
	}
}
