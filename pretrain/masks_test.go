package pretrain

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/backbone/fixtures"
	"github.com/vjepa-go/vjepa/internal/npy"
)

// checkMasks asserts the structural invariants of one configuration's masks.
func checkMasks(t *testing.T, m Masks, batch, numTokens int) {
	t.Helper()
	require.Len(t, m.Context, batch)
	require.Len(t, m.Target, batch)
	kc, kp := m.Kc(), m.Kp()
	require.Positive(t, kc)
	require.Positive(t, kp)
	seen := make([]int, numTokens) // sample index + 1 that last used each token
	for b := range batch {
		require.Len(t, m.Context[b], kc, "sample %d", b)
		require.Len(t, m.Target[b], kp, "sample %d", b)
		for _, row := range [][]int64{m.Context[b], m.Target[b]} {
			for i, v := range row {
				if v < 0 || v >= int64(numTokens) {
					t.Fatalf("sample %d: index %d outside [0, %d)", b, v, numTokens)
				}
				if i > 0 && v <= row[i-1] {
					t.Fatalf("sample %d: indices not ascending at %d: %d after %d", b, i, v, row[i-1])
				}
				if seen[v] == b+1 {
					t.Fatalf("sample %d: index %d is both context and target", b, v)
				}
				seen[v] = b + 1
			}
		}
	}
}

func TestMaskConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(*MaskConfig)
		ok     bool
	}{
		{"short", func(*MaskConfig) {}, true},
		{"no blocks", func(c *MaskConfig) { c.NumBlocks = 0 }, false},
		{"spatial > 1", func(c *MaskConfig) { c.SpatialScale = [2]float64{0.5, 1.5} }, false},
		{"spatial reversed", func(c *MaskConfig) { c.SpatialScale = [2]float64{0.5, 0.2} }, false},
		{"temporal zero", func(c *MaskConfig) { c.TemporalScale = [2]float64{0, 1} }, false},
		{"aspect zero", func(c *MaskConfig) { c.AspectRatio = [2]float64{0, 1} }, false},
		{"temporal keep 0", func(c *MaskConfig) { c.MaxTemporalKeep = 0 }, false},
		{"negative max keep", func(c *MaskConfig) { c.MaxKeep = -1 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ShortRange()
			tc.modify(&c)
			if tc.ok {
				assert.NoError(t, c.Validate())
			} else {
				assert.Error(t, c.Validate())
			}
		})
	}
}

func TestNewMaskSamplerErrors(t *testing.T) {
	_, err := NewMaskSampler(0, 14, 14, DefaultMaskConfigs(), 1)
	assert.Error(t, err)
	_, err = NewMaskSampler(8, 14, 14, nil, 1)
	assert.Error(t, err)
	_, err = NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), -1)
	assert.Error(t, err)
	bad := ShortRange()
	bad.NumBlocks = 0
	_, err = NewMaskSampler(8, 14, 14, []MaskConfig{bad}, 1)
	assert.ErrorContains(t, err, "configuration 0")

	s, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	_, err = s.Sample(0, 0, rand.New(rand.NewPCG(1, 2)))
	assert.Error(t, err)
	_, err = s.Sample(0, 2, nil)
	assert.Error(t, err)
}

func TestBlockSizeOfficialGrid(t *testing.T) {
	// 224 px: keep = int(196*0.15) = 29 (short), int(196*0.7) = 137 (long); t spans all 8 steps.
	s, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	for it := range int64(200) {
		for cfg, keep := range []float64{29, 137} {
			bt, bh, bw, err := s.BlockSize(it, cfg)
			require.NoError(t, err)
			assert.Equal(t, 8, bt)
			assert.LessOrEqual(t, bh, 14)
			assert.LessOrEqual(t, bw, 14)
			// h ~ sqrt(keep*ar), w ~ sqrt(keep/ar) with ar in [0.75, 1.5].
			assert.InDelta(t, keep, float64(bh*bw), 0.25*keep, "iteration %d cfg %d: %dx%d", it, cfg, bh, bw)
			assert.GreaterOrEqual(t, bh*10, bw*7, "aspect ratio below 0.75 range: %dx%d", bh, bw)
		}
	}
	_, _, _, err = s.BlockSize(0, 2)
	assert.Error(t, err)
}

func TestSampleDeterministic(t *testing.T) {
	s, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	a, err := s.Sample(17, 4, rand.New(rand.NewPCG(5, 6)))
	require.NoError(t, err)
	b, err := s.Sample(17, 4, rand.New(rand.NewPCG(5, 6)))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := s.Sample(17, 4, rand.New(rand.NewPCG(7, 8)))
	require.NoError(t, err)
	assert.NotEqual(t, a, c, "positions must follow the caller's rng")
	for i := range a {
		checkMasks(t, a[i], 4, s.NumTokens())
	}
}

// TestSampleStatistics checks the official figures of docs/masks.md#statistics for the
// 224 px grid, B=24: kept context ~367 / ~83 tokens and targets ~759 / ~1099 after the
// batch-min truncation. An independent re-simulation of the official algorithm (2,000
// batches, Python random) gives 362 / 100 and 751 / 1103, with per-sample context fractions
// 37.2% / 18.7% that match the documented ~37% / ~19%; neither implementation reproduces the
// documented long-range Kc of 83, so that one is checked against ~100.
func TestSampleStatistics(t *testing.T) {
	const batch, iters = 24, 400
	s, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(234, 0))
	var kc, kp [2]float64
	for it := range int64(iters) {
		ms, err := s.Sample(it, batch, rng)
		require.NoError(t, err)
		require.Len(t, ms, 2)
		for i, m := range ms {
			checkMasks(t, m, batch, 1568)
			kc[i] += float64(m.Kc()) / iters
			kp[i] += float64(m.Kp()) / iters
		}
	}
	t.Logf("mean Kc %.0f / %.0f, Kp %.0f / %.0f", kc[0], kc[1], kp[0], kp[1])
	assert.InEpsilon(t, 367, kc[0], 0.05)
	assert.InEpsilon(t, 100, kc[1], 0.10)
	assert.InEpsilon(t, 759, kp[0], 0.05)
	assert.InEpsilon(t, 1099, kp[1], 0.05)
}

func TestSampleFullTemporalSpan(t *testing.T) {
	// With temporal_scale [1,1] blocks span all time steps, so every sample's context is the
	// same spatial set repeated over time (before truncation): the context count is a
	// multiple of Tg for the untruncated sample.
	s, err := NewMaskSampler(4, 6, 6, []MaskConfig{ShortRange()}, 1)
	require.NoError(t, err)
	ms, err := s.Sample(3, 1, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	m := ms[0]
	assert.Equal(t, 0, m.Kc()%4)
	assert.Equal(t, 144, m.Kc()+m.Kp())
	per := m.Kc() / 4
	for i, v := range m.Context[0] {
		assert.Equal(t, m.Context[0][i%per]+int64(i/per)*36, v)
	}
}

func TestSampleMaxTemporalKeepAndMaxKeep(t *testing.T) {
	c := ShortRange()
	c.TemporalScale = [2]float64{0.25, 0.5}
	c.MaxTemporalKeep = 0.5
	c.MaxKeep = 10
	s, err := NewMaskSampler(8, 14, 14, []MaskConfig{c}, 1)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 3))
	for it := range int64(20) {
		ms, err := s.Sample(it, 6, rng)
		require.NoError(t, err)
		m := ms[0]
		checkMasks(t, m, 6, 1568)
		assert.LessOrEqual(t, m.Kc(), 10)
		for _, row := range m.Context {
			for _, v := range row {
				assert.Less(t, v, int64(4*196), "context past max_temporal_keep")
			}
		}
		// The last 4 time steps are targets in every sample, so no sample has fewer.
		assert.GreaterOrEqual(t, m.Kp(), 4*196)
	}
}

func TestSampleWholeGridBlockIsError(t *testing.T) {
	c := LongRange()
	c.SpatialScale = [2]float64{1, 1}
	c.AspectRatio = [2]float64{1, 1}
	s, err := NewMaskSampler(2, 4, 4, []MaskConfig{c}, 1)
	require.NoError(t, err)
	_, err = s.Sample(0, 2, rand.New(rand.NewPCG(1, 1)))
	assert.ErrorContains(t, err, "always empty")
}

func TestBucketDown(t *testing.T) {
	for _, tc := range []struct{ k, size, want int }{
		{367, 1, 367}, {367, 0, 367}, {367, 8, 360}, {360, 8, 360}, {5, 8, 5}, {8, 8, 8}, {1099, 16, 1088},
	} {
		assert.Equal(t, tc.want, BucketDown(tc.k, tc.size), "BucketDown(%d, %d)", tc.k, tc.size)
	}
}

func TestSampleBucket(t *testing.T) {
	s, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 8)
	require.NoError(t, err)
	exact, err := NewMaskSampler(8, 14, 14, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	for it := range int64(10) {
		got, err := s.Sample(it, 8, rand.New(rand.NewPCG(uint64(it), 1)))
		require.NoError(t, err)
		want, err := exact.Sample(it, 8, rand.New(rand.NewPCG(uint64(it), 1)))
		require.NoError(t, err)
		for i := range got {
			checkMasks(t, got[i], 8, 1568)
			assert.Equal(t, BucketDown(want[i].Kc(), 8), got[i].Kc())
			assert.Equal(t, BucketDown(want[i].Kp(), 8), got[i].Kp())
			for b := range got[i].Context {
				assert.Equal(t, want[i].Context[b][:got[i].Kc()], got[i].Context[b], "bucket keeps the lowest indices")
				assert.Equal(t, want[i].Target[b][:got[i].Kp()], got[i].Target[b])
			}
		}
	}
}

// TestSampleSmallBothGrid compares with the official masks of fixtures/small_both (3x5x5
// grid, B=2): the RNG bits differ, so only the structure and the plausibility of the lengths
// (K_enc 15/15, K_pred 57/60 there) are checked.
func TestSampleSmallBothGrid(t *testing.T) {
	root, err := fixtures.Root()
	require.NoError(t, err)
	dir := filepath.Join(root, "small_both")
	s, err := NewMaskSampler(3, 5, 5, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	for i, want := range []struct{ kc, kp int }{{15, 57}, {15, 60}} {
		for _, kind := range []string{"enc", "pred"} {
			a, err := npy.ReadFile(filepath.Join(dir, "masks_"+kind+"_"+string(rune('0'+i))+".npy"))
			require.NoError(t, err)
			k := want.kc
			if kind == "pred" {
				k = want.kp
			}
			require.Equal(t, []int{2, k}, a.Shape)
		}
	}
	// Official fixture: both configurations kept 15 context tokens out of 75. Over many
	// batches of 2 our Kc must take values in the same range.
	rng := rand.New(rand.NewPCG(1, 0))
	var seen [2]map[int]bool
	seen[0], seen[1] = map[int]bool{}, map[int]bool{}
	for it := range int64(300) {
		ms, err := s.Sample(it, 2, rng)
		require.NoError(t, err)
		for i, m := range ms {
			checkMasks(t, m, 2, 75)
			assert.Equal(t, 0, m.Kc()%3, "configuration %d: blocks span all 3 time steps", i)
			seen[i][m.Kc()] = true
		}
	}
	assert.True(t, seen[0][15], "short-range Kc=15 never produced: %v", seen[0])
	assert.True(t, seen[1][15], "long-range Kc=15 never produced: %v", seen[1])
}

func TestFixedLengths(t *testing.T) {
	s, err := NewMaskSampler(4, 8, 8, DefaultMaskConfigs(), 1)
	require.NoError(t, err)
	lengths, err := s.CalibrateLengths(16, 100, 0.1, 4, 1)
	require.NoError(t, err)
	for _, l := range lengths {
		require.Zero(t, l[0]%4)
		require.Greater(t, l[0], 0)
		require.Greater(t, l[1], 0)
	}
	fixed, err := s.WithFixedLengths(lengths)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	for it := int64(0); it < 50; it++ {
		ms, err := fixed.Sample(it, 16, rng)
		require.NoError(t, err)
		for i, m := range ms {
			require.Equal(t, lengths[i][0], m.Kc())
			require.Equal(t, lengths[i][1], m.Kp())
			for b := range m.Context {
				seen := map[int64]bool{}
				for j, v := range m.Context[b] {
					require.True(t, j == 0 || v > m.Context[b][j-1])
					seen[v] = true
				}
				for _, v := range m.Target[b] {
					require.False(t, seen[v], "context and target overlap")
				}
			}
		}
	}
	_, err = s.WithFixedLengths([][2]int{{1, 1}})
	require.Error(t, err)
	_, err = s.WithFixedLengths([][2]int{{200, 100}, {1, 1}})
	require.Error(t, err)
}
