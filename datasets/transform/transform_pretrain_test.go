package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func TestPretrainTransformDefaultsAndValidation(t *testing.T) {
	p, err := NewPretrain(PretrainConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultPretrainConfig(), p.Config())

	bad := []PretrainConfig{
		{CropSize: -1},
		{RandomResizeScale: [2]float64{0.9, 0.3}},
		{RandomResizeAspectRatio: [2]float64{-1, 2}},
		{Normalization: Normalization{Mean: [3]float64{0.5, 0.5, 0.5}}},
	}
	for _, cfg := range bad {
		_, err := NewPretrain(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	_, err = p.Apply(&media.Frames{T: 2, H: 4, W: 4, Pix: make([]uint8, 5)}, testRNG(0))
	assert.ErrorContains(t, err, "pretrain transform")
	_, err = p.Apply(nil, testRNG(0))
	assert.Error(t, err)
}

func TestPretrainTransformShapeAndDeterminism(t *testing.T) {
	p, err := NewPretrain(PretrainConfig{CropSize: 32})
	require.NoError(t, err)
	f := randomFrames(5, 4, 40, 56)
	a, err := p.Apply(f, testRNG(7))
	require.NoError(t, err)
	assert.Equal(t, 4, a.T)
	assert.Equal(t, 32, a.H)
	assert.Equal(t, 32, a.W)
	assert.Len(t, a.Data, 3*4*32*32)
	b, err := p.Apply(f, testRNG(7))
	require.NoError(t, err)
	assert.Equal(t, a.Data, b.Data, "same seed must give the same clip")
	c, err := p.Apply(f, testRNG(8))
	require.NoError(t, err)
	assert.NotEqual(t, a.Data, c.Data, "different seeds should give different clips")
}

// TestPretrainTransformSharedCrop checks that all frames get the same crop and flip: frame t
// of the clip equals the transform of frame t alone under the same random stream.
func TestPretrainTransformSharedCrop(t *testing.T) {
	p, err := NewPretrain(PretrainConfig{CropSize: 24})
	require.NoError(t, err)
	f := randomFrames(9, 3, 30, 44)
	for seed := uint64(0); seed < 6; seed++ {
		clip, err := p.Apply(f, testRNG(seed))
		require.NoError(t, err)
		for ti := 0; ti < f.T; ti++ {
			one, err := p.Apply(singleFrame(f, ti), testRNG(seed))
			require.NoError(t, err)
			planes := framePlanes(clip, ti)
			onePlanes := framePlanes(one, 0)
			for c := 0; c < 3; c++ {
				require.Equal(t, onePlanes[c], planes[c], "seed %d frame %d channel %d", seed, ti, c)
			}
		}
	}
}

func TestPretrainTransformFlipRate(t *testing.T) {
	// A full-frame crop (scale 1, aspect of the frame) of a horizontal ramp: flipped clips
	// decrease along x.
	p, err := NewPretrain(PretrainConfig{
		CropSize:                16,
		RandomResizeScale:       [2]float64{1, 1},
		RandomResizeAspectRatio: [2]float64{1, 1},
	})
	require.NoError(t, err)
	f := &media.Frames{T: 1, H: 16, W: 16, Pix: make([]uint8, 16*16*3)}
	for y := 0; y < 16; y++ {
		for x := 0; x < 16; x++ {
			for c := 0; c < 3; c++ {
				f.Pix[(y*16+x)*3+c] = uint8(x * 10)
			}
		}
	}
	rng := testRNG(11)
	flips := 0
	const n = 2000
	for i := 0; i < n; i++ {
		clip, err := p.Apply(f, rng)
		require.NoError(t, err)
		if clip.Data[0] > clip.Data[15] {
			flips++
		}
	}
	assert.InDelta(t, 0.5, float64(flips)/n, 0.05)

	noFlip, err := NewPretrain(PretrainConfig{CropSize: 16, NoHorizontalFlip: true,
		RandomResizeScale: [2]float64{1, 1}, RandomResizeAspectRatio: [2]float64{1, 1}})
	require.NoError(t, err)
	for i := 0; i < 50; i++ {
		clip, err := noFlip.Apply(f, rng)
		require.NoError(t, err)
		require.Less(t, clip.Data[0], clip.Data[15])
	}
}

// TestPretrainTransformNormalization: with a full-frame crop at the input size, the clip is
// exactly (v - 255*mean) / (255*std).
func TestPretrainTransformNormalization(t *testing.T) {
	p, err := NewPretrain(PretrainConfig{CropSize: 8, NoHorizontalFlip: true,
		RandomResizeScale: [2]float64{1, 1}, RandomResizeAspectRatio: [2]float64{1, 1}})
	require.NoError(t, err)
	f := randomFrames(4, 2, 8, 8)
	clip, err := p.Apply(f, testRNG(0))
	require.NoError(t, err)
	n := ImageNetNormalization()
	for ti := 0; ti < 2; ti++ {
		planes := framePlanes(clip, ti)
		im := frameImage(f, ti)
		for i := 0; i < 64; i++ {
			for c := 0; c < 3; c++ {
				want := (float64(im.Pix[3*i+c]) - 255*n.Mean[c]) / (255 * n.Std[c])
				require.InDelta(t, want, planes[c][i], 1e-5)
			}
		}
	}
}

// BenchmarkPretrainTransform measures one 16-frame 224x224 clip from 340x256 frames.
func BenchmarkPretrainTransform(b *testing.B) {
	p, err := NewPretrain(DefaultPretrainConfig())
	require.NoError(b, err)
	f := randomFrames(1, 16, 256, 340)
	rng := testRNG(1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Apply(f, rng); err != nil {
			b.Fatal(err)
		}
	}
}
