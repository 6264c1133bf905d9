package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProbeTrainTransformDefaults(t *testing.T) {
	p, err := NewProbeTrainVideo(ProbeTrainConfig{})
	require.NoError(t, err)
	assert.Equal(t, DefaultProbeTrainConfig(), p.Config())
	require.NotNil(t, p.ra)
	assert.Equal(t, 4, p.ra.numOps)
	assert.Equal(t, [3]uint8{128, 128, 128}, p.ra.ops[0].hp.fill)
	assert.Equal(t, 100.0, p.ra.ops[0].hp.translateConst)
	assert.Equal(t, 0.25, p.erase.prob)
	assert.Equal(t, 100, p.erase.maxTries)

	_, err = NewProbeTrainVideo(ProbeTrainConfig{RandAugment: "bogus"})
	assert.Error(t, err)
	_, err = NewProbeTrainVideo(ProbeTrainConfig{EraseProb: 2})
	assert.Error(t, err)
}

// TestProbeTrainTransformIdenticalFrames: with identical input frames every output frame is
// identical (the same RandAugment ops, crop and flip hit every frame), except the erased box,
// which is at the same place in every frame.
func TestProbeTrainTransformIdenticalFrames(t *testing.T) {
	noErase, err := NewProbeTrainVideo(ProbeTrainConfig{CropSize: 24, EraseProb: -1, HorizontalFlip: true})
	require.NoError(t, err)
	withErase, err := NewProbeTrainVideo(ProbeTrainConfig{CropSize: 24, EraseProb: 1})
	require.NoError(t, err)
	f := repeatedFrames(8, 5, 30, 40)
	for seed := uint64(0); seed < 20; seed++ {
		clip, err := noErase.Apply(f, testRNG(seed))
		require.NoError(t, err)
		for ti := 1; ti < f.T; ti++ {
			for c := 0; c < 3; c++ {
				require.Equal(t, framePlanes(clip, 0)[c], framePlanes(clip, ti)[c], "seed %d frame %d", seed, ti)
			}
		}
		clip, err = withErase.Apply(f, testRNG(seed))
		require.NoError(t, err)
		// Pixels equal across frames exactly outside the erased box; inside they differ.
		same := make([]bool, 24*24)
		for i := range same {
			same[i] = framePlanes(clip, 0)[0][i] == framePlanes(clip, 1)[0][i]
		}
		for ti := 2; ti < f.T; ti++ {
			for i := range same {
				require.Equal(t, same[i], framePlanes(clip, 0)[0][i] == framePlanes(clip, ti)[0][i], "seed %d frame %d pixel %d", seed, ti, i)
			}
		}
	}
}

func TestProbeTrainTransformDeterminism(t *testing.T) {
	p, err := NewProbeTrainVideo(ProbeTrainConfig{CropSize: 32})
	require.NoError(t, err)
	f := randomFrames(2, 3, 36, 48)
	orig := append([]uint8(nil), f.Pix...)
	a, err := p.Apply(f, testRNG(5))
	require.NoError(t, err)
	b, err := p.Apply(f, testRNG(5))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	assert.Equal(t, orig, f.Pix, "input frames must not be modified")
	assert.Equal(t, 3, a.T)
	assert.Equal(t, 32, a.H)
	assert.Len(t, a.Data, 3*3*32*32)
}

// TestProbeTrainTransformWithoutAugmentation: with RandAugment and erasing off and a full
// crop, the clip is the [0,1]-scaled, normalized frames.
func TestProbeTrainTransformWithoutAugmentation(t *testing.T) {
	p, err := NewProbeTrainVideo(ProbeTrainConfig{CropSize: 8, NoRandAugment: true, EraseProb: -1,
		RandomResizeScale: [2]float64{1, 1}, RandomResizeAspectRatio: [2]float64{1, 1}})
	require.NoError(t, err)
	f := randomFrames(3, 2, 8, 8)
	clip, err := p.Apply(f, testRNG(0))
	require.NoError(t, err)
	n := ImageNetNormalization()
	for ti := 0; ti < 2; ti++ {
		im := frameImage(f, ti)
		for i := 0; i < 64; i++ {
			for c := 0; c < 3; c++ {
				want := (float64(im.Pix[3*i+c])/255 - n.Mean[c]) / n.Std[c]
				require.InDelta(t, want, framePlanes(clip, ti)[c][i], 1e-5)
			}
		}
	}
}

// BenchmarkProbeTrainTransform measures one 16-frame 224x224 clip from 340x256 frames.
func BenchmarkProbeTrainTransform(b *testing.B) {
	p, err := NewProbeTrainVideo(DefaultProbeTrainConfig())
	require.NoError(b, err)
	f := randomFrames(1, 16, 256, 340)
	rng := testRNG(1)
	for b.Loop() {
		if _, err := p.Apply(f, rng); err != nil {
			b.Fatal(err)
		}
	}
}
