package transform

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vjepa-go/vjepa/datasets/media"
)

func TestImageTrainTransform(t *testing.T) {
	it, err := NewImageTrain(32)
	require.NoError(t, err)
	// timm's fill colour is the rounded ImageNet mean.
	assert.Equal(t, [3]uint8{124, 116, 104}, it.aa.policy[0][1].hp.fill)
	assert.Equal(t, 14.0, it.aa.policy[0][1].hp.translateConst)
	img := randomFrames(1, 1, 40, 50)
	a, err := it.ApplyImage(img, testRNG(3))
	require.NoError(t, err)
	assert.Equal(t, media.Clip{T: 1, H: 32, W: 32, Data: a.Data}, a)
	assert.Len(t, a.Data, 3*32*32)
	b, err := it.ApplyImage(img, testRNG(3))
	require.NoError(t, err)
	assert.Equal(t, a, b)
	_, err = it.ApplyImage(randomFrames(1, 2, 40, 50), testRNG(3))
	assert.ErrorContains(t, err, "T == 1")
	_, err = NewImageTrain(0)
	assert.Error(t, err)
	// Many draws run every policy branch without error.
	rng := testRNG(4)
	for i := 0; i < 100; i++ {
		_, err := it.ApplyImage(img, rng)
		require.NoError(t, err)
	}
}

func TestImageEvalTransform(t *testing.T) {
	it, err := NewImageEval(224)
	require.NoError(t, err)
	img := randomFrames(2, 1, 300, 400)
	c, err := it.ApplyImage(img, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, c.T)
	assert.Equal(t, 224, c.H)
	// Resize(256): 300x400 -> 256x341 (PIL bilinear, antialiased), centre crop at
	// round(16) = 16, round(58.5) = 58 (Python rounds halves to even).
	h, w := torchvisionShortSideSize(300, 400, 256)
	require.Equal(t, [2]int{256, 341}, [2]int{h, w})
	resized := resizePIL(frameImage(img, 0), 0, 0, 300, 400, 341, 256, pilBilinear)
	want := newClip(1, 224, 224)
	resized.writeWindowPlanes(16, 58, 224, 224, ImageNetNormalization().affine(), framePlanes(want, 0))
	assert.Equal(t, want, c)

	// A constant image stays constant.
	flat := &media.Frames{T: 1, H: 230, W: 230, Pix: make([]uint8, 230*230*3)}
	for i := range flat.Pix {
		flat.Pix[i] = 200
	}
	c, err = it.ApplyImage(flat, nil)
	require.NoError(t, err)
	n := ImageNetNormalization()
	for ch := 0; ch < 3; ch++ {
		for _, v := range framePlanes(c, 0)[ch] {
			require.InDelta(t, (200.0/255-n.Mean[ch])/n.Std[ch], v, 1e-5)
		}
	}
	_, err = NewImageEval(-1)
	assert.Error(t, err)
}
