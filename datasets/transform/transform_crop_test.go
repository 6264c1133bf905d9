package transform

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRandomResizedCropStatistics(t *testing.T) {
	tests := []struct {
		name         string
		h, w         int
		scale, ratio [2]float64
	}{
		{"pretrain 256x340", 256, 340, [2]float64{0.3, 1}, [2]float64{0.75, 1.35}},
		{"probe 256x340", 256, 340, [2]float64{0.08, 1}, [2]float64{0.75, 4.0 / 3}},
		{"portrait", 340, 256, [2]float64{0.3, 1}, [2]float64{0.75, 1.35}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := testRNG(1)
			area := float64(tc.h * tc.w)
			var sumLogAR float64
			n := 4000
			fallbacks := 0
			for i := 0; i < n; i++ {
				b := randomResizedCropParams(rng, tc.h, tc.w, tc.scale, tc.ratio)
				require.True(t, b.Top >= 0 && b.Left >= 0 && b.H > 0 && b.W > 0, "%+v", b)
				require.LessOrEqual(t, b.Top+b.H, tc.h)
				require.LessOrEqual(t, b.Left+b.W, tc.w)
				if b.H == tc.h && b.W == tc.w {
					fallbacks++ // also a legitimate full-frame sample
				}
				// Rounding of w and h moves the area and aspect by at most ~1 pixel.
				frac := float64(b.H*b.W) / area
				tolA := float64(b.H+b.W+1) / area
				assert.GreaterOrEqual(t, frac, tc.scale[0]-tolA)
				assert.LessOrEqual(t, frac, tc.scale[1]+tolA)
				ar := float64(b.W) / float64(b.H)
				tolR := ar * (1/float64(b.W) + 1/float64(b.H))
				assert.GreaterOrEqual(t, ar, tc.ratio[0]-tolR)
				assert.LessOrEqual(t, ar, tc.ratio[1]+tolR)
				sumLogAR += math.Log(ar)
			}
			// Log-uniform aspect: the mean log-aspect is near the middle of the log range
			// (rejections of wide/tall crops bias it a little).
			mid := (math.Log(tc.ratio[0]) + math.Log(tc.ratio[1])) / 2
			assert.InDelta(t, mid, sumLogAR/float64(n), 0.05)
			assert.Less(t, fallbacks, n/4)
		})
	}
}

func TestRandomResizedCropFallback(t *testing.T) {
	rng := testRNG(2)
	// An impossible scale forces the central fallback, clamped to the aspect range.
	b := randomResizedCropParams(rng, 100, 300, [2]float64{2, 3}, [2]float64{0.75, 1.35})
	assert.Equal(t, cropBox{Top: 0, Left: (300 - 135) / 2, H: 100, W: 135}, b)
	b = randomResizedCropParams(rng, 300, 100, [2]float64{2, 3}, [2]float64{0.75, 1.35})
	assert.Equal(t, cropBox{Top: (300 - 133) / 2, Left: 0, H: 133, W: 100}, b)
	b = randomResizedCropParams(rng, 100, 110, [2]float64{2, 3}, [2]float64{0.75, 1.35})
	assert.Equal(t, cropBox{Top: 0, Left: 0, H: 100, W: 110}, b)
}

func TestPyRound(t *testing.T) {
	assert.Equal(t, []int{0, 2, 2, 4, -2, 3}, []int{pyRound(0.5), pyRound(1.5), pyRound(2.5), pyRound(3.5), pyRound(-2.5), pyRound(2.6)})
}
