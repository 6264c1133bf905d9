package transform

import (
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// testRNG returns a deterministic generator for tests.
func testRNG(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomFrames returns t frames of h x w random pixels.
func randomFrames(seed uint64, t, h, w int) *media.Frames {
	rng := testRNG(seed)
	f := &media.Frames{T: t, H: h, W: w, Pix: make([]uint8, t*h*w*3)}
	for i := range f.Pix {
		f.Pix[i] = uint8(rng.IntN(256))
	}
	return f
}

// repeatedFrames returns t identical copies of a random h x w frame.
func repeatedFrames(seed uint64, t, h, w int) *media.Frames {
	one := randomFrames(seed, 1, h, w)
	f := &media.Frames{T: t, H: h, W: w, Pix: make([]uint8, 0, t*h*w*3)}
	for i := 0; i < t; i++ {
		f.Pix = append(f.Pix, one.Pix...)
	}
	return f
}

// identityNorm leaves values on the 0..255 scale.
func identityNorm() normAffine {
	return normAffine{a: [3]float32{1, 1, 1}}
}

// singleFrame returns frame t of f as its own Frames.
func singleFrame(f *media.Frames, t int) *media.Frames {
	im := frameImage(f, t)
	return &media.Frames{T: 1, H: f.H, W: f.W, Pix: append([]uint8(nil), im.Pix...)}
}
