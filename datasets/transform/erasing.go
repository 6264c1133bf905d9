package transform

import (
	"math"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// randomErasing is timm's RandomErasing in 'pixel' mode with one box (max_count=1): with
// probability prob a box of area U(minArea, maxArea)*H*W and aspect (h/w) log-uniform in
// [minAspect, 1/minAspect] is filled with independent N(0, 1) values. The official video
// variant ("cube") draws one box for the whole clip and fills every frame with fresh noise;
// the image variant tries 10 times, the video one 100 times.
type randomErasing struct {
	prob             float64
	minArea, maxArea float64
	minAspect        float64
	maxTries         int
}

// newRandomErasing returns the erasing of the official probe pipelines (area [0.02, 1/3],
// aspect [0.3, 1/0.3]).
func newRandomErasing(prob float64, maxTries int) randomErasing {
	return randomErasing{prob: prob, minArea: 0.02, maxArea: 1.0 / 3, minAspect: 0.3, maxTries: maxTries}
}

// sampleBox draws the box for an h x w image, in the official order: the probability coin,
// then per try the area, the aspect and, on success, top and left. ok is false when nothing
// is erased.
func (e randomErasing) sampleBox(rng *rand.Rand, height, width int) (box cropBox, ok bool) {
	if e.prob <= 0 || rng.Float64() > e.prob {
		return cropBox{}, false
	}
	area := float64(height * width)
	logA0, logA1 := math.Log(e.minAspect), math.Log(1/e.minAspect)
	for try := 0; try < e.maxTries; try++ {
		target := pyUniform(rng, e.minArea, e.maxArea) * area
		ar := math.Exp(pyUniform(rng, logA0, logA1))
		h := pyRound(math.Sqrt(target * ar))
		w := pyRound(math.Sqrt(target / ar))
		if w < width && h < height {
			top := pyRandint(rng, 0, height-h)
			left := pyRandint(rng, 0, width-w)
			return cropBox{Top: top, Left: left, H: h, W: w}, true
		}
	}
	return cropBox{}, false
}

// apply erases one box, shared by all frames of c, with per-pixel N(0, 1) noise drawn frame by
// frame, channel by channel.
func (e randomErasing) apply(c *media.Clip, rng *rand.Rand) {
	box, ok := e.sampleBox(rng, c.H, c.W)
	if !ok {
		return
	}
	for t := 0; t < c.T; t++ {
		planes := framePlanes(*c, t)
		for ch := 0; ch < 3; ch++ {
			for y := box.Top; y < box.Top+box.H; y++ {
				row := planes[ch][y*c.W+box.Left : y*c.W+box.Left+box.W]
				for i := range row {
					row[i] = float32(rng.NormFloat64())
				}
			}
		}
	}
}
