package transform

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// cropBox is a crop window in pixels.
type cropBox struct {
	Top, Left, H, W int
}

// randomResizedCropParams samples an Inception-style crop of an h x w image exactly as the
// official _get_param_spatial_crop (and timm/torchvision RandomResizedCrop) do: up to 10 tries
// of area = U(scale)*h*w and aspect = exp(U(log ratio)) (log-uniform), w = round(sqrt(area*ar)),
// h = round(sqrt(area/ar)), accepted when 0 < w <= width and 0 < h <= height with a uniform
// position; otherwise the central crop, clamped to the aspect range.
func randomResizedCropParams(rng *rand.Rand, height, width int, scale, ratio [2]float64) cropBox {
	area := float64(height * width)
	logR0, logR1 := math.Log(ratio[0]), math.Log(ratio[1])
	for try := 0; try < 10; try++ {
		target := pyUniform(rng, scale[0], scale[1]) * area
		ar := math.Exp(pyUniform(rng, logR0, logR1))
		w := pyRound(math.Sqrt(target * ar))
		h := pyRound(math.Sqrt(target / ar))
		if 0 < w && w <= width && 0 < h && h <= height {
			top := pyRandint(rng, 0, height-h)
			left := pyRandint(rng, 0, width-w)
			return cropBox{Top: top, Left: left, H: h, W: w}
		}
	}
	// Fallback: central crop.
	inRatio := float64(width) / float64(height)
	rMin, rMax := math.Min(ratio[0], ratio[1]), math.Max(ratio[0], ratio[1])
	w, h := width, height
	switch {
	case inRatio < rMin:
		h = pyRound(float64(w) / rMin)
	case inRatio > rMax:
		w = pyRound(float64(h) * rMax)
	}
	return cropBox{Top: (height - h) / 2, Left: (width - w) / 2, H: h, W: w}
}

// validateRange checks a (min, max) range used by random crops and erasing.
func validateRange(name string, r [2]float64, positive bool) error {
	if math.IsNaN(r[0]) || math.IsNaN(r[1]) || r[0] > r[1] {
		return fmt.Errorf("%s range [%v, %v] must be ordered", name, r[0], r[1])
	}
	if positive && !(r[0] > 0) {
		return fmt.Errorf("%s range [%v, %v] must be positive", name, r[0], r[1])
	}
	return nil
}
