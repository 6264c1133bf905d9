package transform

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTorchBilinearTable(t *testing.T) {
	// Values worked out by hand from src = (d+0.5)*in/out - 0.5, clamped at 0.
	tests := []struct {
		in, out int
		i0, i1  []int
		w1      []float32
	}{
		{in: 4, out: 3, i0: []int{0, 1, 2}, i1: []int{1, 2, 3}, w1: []float32{1.0 / 6, 0.5, 5.0 / 6}},
		{in: 2, out: 4, i0: []int{0, 0, 0, 1}, i1: []int{1, 1, 1, 1}, w1: []float32{0, 0.25, 0.75, 0.25}},
		{in: 3, out: 3, i0: []int{0, 1, 2}, i1: []int{1, 2, 2}, w1: []float32{0, 0, 0}},
		{in: 1, out: 2, i0: []int{0, 0}, i1: []int{0, 0}, w1: []float32{0, 0.25}},
	}
	for _, tc := range tests {
		tb := torchBilinearTable(tc.in, tc.out)
		assert.Equal(t, tc.i0, tb.i0, "i0 %d->%d", tc.in, tc.out)
		assert.Equal(t, tc.i1, tb.i1, "i1 %d->%d", tc.in, tc.out)
		assert.InDeltaSlice(t, tc.w1, tb.w1, 1e-6, "w1 %d->%d", tc.in, tc.out)
		for d := range tb.w0 {
			assert.InDelta(t, 1, tb.w0[d]+tb.w1[d], 1e-6)
		}
	}
}

// TestCropResizerKnownValues is torch.nn.functional.interpolate([[0,1],[2,3]], size=(4,4),
// mode='bilinear', align_corners=False), a classic worked example.
func TestCropResizerKnownValues(t *testing.T) {
	src := rgbImage{W: 2, H: 2, Pix: []uint8{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}}
	want := []float32{
		0, 0.25, 0.75, 1,
		0.5, 0.75, 1.25, 1.5,
		1.5, 1.75, 2.25, 2.5,
		2, 2.25, 2.75, 3,
	}
	var dst [3][]float32
	for c := range dst {
		dst[c] = make([]float32, 16)
	}
	newCropResizer(0, 0, 2, 2, 4, 4, false, identityNorm()).resize(src, dst)
	for c := range dst {
		assert.InDeltaSlice(t, want, dst[c], 1e-6)
	}
	// Flipped: every row reversed.
	newCropResizer(0, 0, 2, 2, 4, 4, true, identityNorm()).resize(src, dst)
	for y := 0; y < 4; y++ {
		for x := 0; x < 4; x++ {
			assert.InDelta(t, want[y*4+3-x], dst[0][y*4+x], 1e-6)
		}
	}
}

// bilinearRef is an independent float64 evaluation of the align_corners=False formula.
func bilinearRef(src rgbImage, top, left, h, w, outH, outW, y, x, c int) float64 {
	pos := func(d, in, out int) (int, int, float64) {
		s := (float64(d)+0.5)*float64(in)/float64(out) - 0.5
		s = math.Max(s, 0)
		i0 := int(math.Floor(s))
		i1 := min(i0+1, in-1)
		return i0, i1, s - float64(i0)
	}
	y0, y1, ly := pos(y, h, outH)
	x0, x1, lx := pos(x, w, outW)
	at := func(yy, xx int) float64 { return float64(src.Pix[((top+yy)*src.W+left+xx)*3+c]) }
	return (1-ly)*((1-lx)*at(y0, x0)+lx*at(y0, x1)) + ly*((1-lx)*at(y1, x0)+lx*at(y1, x1))
}

func TestCropResizerMatchesFormula(t *testing.T) {
	f := randomFrames(3, 1, 9, 11)
	src := frameImage(f, 0)
	norm := Normalization{Mean: [3]float64{0.1, 0.2, 0.3}, Std: [3]float64{0.5, 0.25, 2}}
	tests := []struct{ top, left, h, w, outH, outW int }{
		{0, 0, 9, 11, 5, 7},  // downscale
		{2, 3, 4, 5, 9, 13},  // upscale of a crop
		{1, 0, 7, 11, 7, 11}, // identity size
		{0, 4, 9, 1, 3, 4},   // one-column crop
	}
	for _, tc := range tests {
		var dst [3][]float32
		for c := range dst {
			dst[c] = make([]float32, tc.outH*tc.outW)
		}
		newCropResizer(tc.top, tc.left, tc.h, tc.w, tc.outH, tc.outW, false, norm.affine()).resize(src, dst)
		for c := 0; c < 3; c++ {
			for y := 0; y < tc.outH; y++ {
				for x := 0; x < tc.outW; x++ {
					v := bilinearRef(src, tc.top, tc.left, tc.h, tc.w, tc.outH, tc.outW, y, x, c)
					want := (v/255 - norm.Mean[c]) / norm.Std[c]
					require.InDelta(t, want, dst[c][y*tc.outW+x], 1e-4, "%+v c=%d y=%d x=%d", tc, c, y, x)
				}
			}
		}
	}
}

func TestPILTableAntialias(t *testing.T) {
	// Bilinear 4 -> 2: filter stretched by 2, output 0 centred at 1.0 covers source 0..2 with
	// triangle weights 0.75, 0.75, 0.25 normalized to 3/7, 3/7, 1/7.
	tb := newPILTable(4, 2, pilBilinear)
	assert.Equal(t, 0, tb.start[0])
	require.Len(t, tb.k[0], 3)
	one := float64(int32(1) << pilPrecisionBits)
	assert.InDelta(t, 3.0/7, float64(tb.k[0][0])/one, 1e-6)
	assert.InDelta(t, 3.0/7, float64(tb.k[0][1])/one, 1e-6)
	assert.InDelta(t, 1.0/7, float64(tb.k[0][2])/one, 1e-6)
	// Upscaling is plain interpolation: the bicubic kernel at scale 1 is interpolating.
	up := newPILTable(5, 5, pilBicubic)
	for i := range up.k {
		sum := int32(0)
		for j, k := range up.k[i] {
			if up.start[i]+j == i {
				assert.Equal(t, int32(1<<pilPrecisionBits), k)
			}
			sum += k
		}
		assert.Equal(t, int32(1<<pilPrecisionBits), sum)
	}
}

func TestCV2ShortSideSize(t *testing.T) {
	h, w := cv2ShortSideSize(256, 340, 224)
	assert.Equal(t, []int{224, 297}, []int{h, w})
	h, w = cv2ShortSideSize(340, 256, 224)
	assert.Equal(t, []int{297, 224}, []int{h, w})
	h, w = cv2ShortSideSize(100, 100, 64)
	assert.Equal(t, []int{64, 64}, []int{h, w})
}
