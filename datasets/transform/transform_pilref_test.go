package transform

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"
)

// pilRefCase is one reference output of a PIL / OpenCV operation on pilRefInput.
type pilRefCase struct {
	name string
	w, h int
	hex  string
}

// decodeRef decodes a hex RGB image.
func decodeRef(t *testing.T, w, h int, s string) rgbImage {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	require.Len(t, b, w*h*3)
	return rgbImage{W: w, H: h, Pix: b}
}

// TestOpsMatchPIL compares every image operation with the output Pillow 9.4 / OpenCV 4.6
// produced for the same input. The ops follow PIL's integer and float arithmetic, so most
// agree exactly; the tolerance of 2 grey levels covers evaluation-order differences.
func TestOpsMatchPIL(t *testing.T) {
	const w, h = 13, 11
	ops := map[string]func(img rgbImage) rgbImage{
		"autocontrast":     inPlace(func(im rgbImage, _ []uint8) { autoContrast(im) }),
		"equalize":         inPlace(func(im rgbImage, _ []uint8) { equalize(im) }),
		"invert":           inPlace(func(im rgbImage, _ []uint8) { applyLUT(im, invertLUT()) }),
		"posterize2":       inPlace(func(im rgbImage, _ []uint8) { applyLUT(im, posterizeLUT(2)) }),
		"solarize100":      inPlace(func(im rgbImage, _ []uint8) { applyLUT(im, solarizeLUT(100)) }),
		"solarizeadd60":    inPlace(func(im rgbImage, _ []uint8) { applyLUT(im, solarizeAddLUT(60, 128)) }),
		"color0.3":         inPlace(func(im rgbImage, _ []uint8) { enhanceColor(im, 0.3) }),
		"color1.7":         inPlace(func(im rgbImage, _ []uint8) { enhanceColor(im, 1.7) }),
		"contrast0.4":      inPlace(func(im rgbImage, _ []uint8) { enhanceContrast(im, 0.4) }),
		"contrast1.6":      inPlace(func(im rgbImage, _ []uint8) { enhanceContrast(im, 1.6) }),
		"brightness0.5":    inPlace(func(im rgbImage, _ []uint8) { enhanceBrightness(im, 0.5) }),
		"brightness1.5":    inPlace(func(im rgbImage, _ []uint8) { enhanceBrightness(im, 1.5) }),
		"sharpness0.2":     inPlace(func(im rgbImage, s []uint8) { enhanceSharpness(im, 0.2, s) }),
		"sharpness1.8":     inPlace(func(im rgbImage, s []uint8) { enhanceSharpness(im, 1.8, s) }),
		"rotate17":         inPlace(affineOp(rotateMatrix(17, w, h), affineBicubic)),
		"rotate-23":        inPlace(affineOp(rotateMatrix(-23, w, h), affineBicubic)),
		"rotate17bilinear": inPlace(affineOp(rotateMatrix(17, w, h), affineBilinear)),
		"shearx0.21":       inPlace(affineOp([6]float64{1, 0.21, 0, 0, 1, 0}, affineBicubic)),
		"sheary-0.17":      inPlace(affineOp([6]float64{1, 0, 0, -0.17, 1, 0}, affineBicubic)),
		"translatex0.3":    inPlace(affineOp([6]float64{1, 0, 0.3 * w, 0, 1, 0}, affineBicubic)),
		"translatey-0.25":  inPlace(affineOp([6]float64{1, 0, 0, 0, 1, -0.25 * h}, affineBicubic)),
		"pilbicubic7x5":    func(im rgbImage) rgbImage { return resizePIL(im, 0, 0, h, w, 7, 5, pilBicubic) },
		"pilbicubic20x17":  func(im rgbImage) rgbImage { return resizePIL(im, 0, 0, h, w, 20, 17, pilBicubic) },
		"pilbilinear6x4":   func(im rgbImage) rgbImage { return resizePIL(im, 0, 0, h, w, 6, 4, pilBilinear) },
		"pilbicubiccrop":   func(im rgbImage) rgbImage { return resizePIL(im, 3, 2, 7, 9, 5, 6, pilBicubic) },
		"cv2linear7x5":     func(im rgbImage) rgbImage { return resizeCV2Linear(im, 7, 5) },
		"cv2linear20x17":   func(im rgbImage) rgbImage { return resizeCV2Linear(im, 20, 17) },
		"cv2linear9x11":    func(im rgbImage) rgbImage { return resizeCV2Linear(im, 9, 11) },
	}
	cases := pilRefCases()
	require.Len(t, cases, len(ops))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op, ok := ops[tc.name]
			require.True(t, ok, "no Go op for reference case %q", tc.name)
			in := decodeRef(t, w, h, pilRefInput)
			want := decodeRef(t, tc.w, tc.h, tc.hex)
			got := op(in)
			require.Equal(t, tc.w, got.W)
			require.Equal(t, tc.h, got.H)
			maxDiff, nDiff := 0, 0
			for i := range want.Pix {
				d := int(got.Pix[i]) - int(want.Pix[i])
				if d < 0 {
					d = -d
				}
				if d > 0 {
					nDiff++
				}
				maxDiff = max(maxDiff, d)
			}
			t.Logf("%s: max |diff| %d, %d of %d values differ", tc.name, maxDiff, nDiff, len(want.Pix))
			require.LessOrEqual(t, maxDiff, 2, "%s differs from PIL/cv2 by more than 2 levels", tc.name)
		})
	}
}

// inPlace adapts an in-place op to return a modified copy.
func inPlace(op func(im rgbImage, scratch []uint8)) func(rgbImage) rgbImage {
	return func(im rgbImage) rgbImage {
		out := rgbImage{W: im.W, H: im.H, Pix: append([]uint8(nil), im.Pix...)}
		op(out, make([]uint8, len(out.Pix)))
		return out
	}
}

// affineOp is a PIL affine transform with timm's default fill colour.
func affineOp(m [6]float64, f affineFilter) func(rgbImage, []uint8) {
	return func(im rgbImage, s []uint8) { warpAffine(im, s, m, [3]uint8{128, 128, 128}, f) }
}

// synthRefImage is the formula image the full-size reference digests were computed on.
func synthRefImage(w, h int) rgbImage {
	im := newRGBImage(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				im.Pix[(y*w+x)*3+c] = uint8((x*7 + y*13 + c*50 + (x*y)%31 + (x*x*y)%17) % 256)
			}
		}
	}
	return im
}

// TestResizeMatchesPILAndCV2FullSize checks bit-exact agreement with OpenCV and Pillow on
// frame-sized resizes (the eval short-side resize of a 340x256 frame, an antialiased
// downscale, a crop-and-resize).
func TestResizeMatchesPILAndCV2FullSize(t *testing.T) {
	im := synthRefImage(340, 256)
	got := map[string]rgbImage{
		"cv2linear297x224":   resizeCV2Linear(im, 297, 224),
		"cv2linear224x168":   resizeCV2Linear(im, 224, 168),
		"pilbicubiccrop224":  resizePIL(im, 10, 20, 200, 250, 224, 224, pilBicubic),
		"pilbilinear292x219": resizePIL(im, 0, 0, 256, 340, 292, 219, pilBilinear),
	}
	for name, want := range pilRefDigests() {
		sum := sha256.Sum256(got[name].Pix)
		require.Equal(t, want, hex.EncodeToString(sum[:]), name)
	}
}
