package transform

import "math"

// pilFilter is one of PIL's resampling filters for Image.resize.
type pilFilter int

const (
	pilBilinear pilFilter = iota // triangle, support 1
	pilBicubic                   // cubic convolution a = -0.5, support 2
)

// support is the filter radius at scale 1.
func (f pilFilter) support() float64 {
	if f == pilBicubic {
		return 2
	}
	return 1
}

// eval is the filter kernel.
func (f pilFilter) eval(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if f == pilBilinear {
		if x < 1 {
			return 1 - x
		}
		return 0
	}
	const a = -0.5
	if x < 1 {
		return ((a+2)*x-(a+3))*x*x + 1
	}
	if x < 2 {
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

// pilPrecisionBits is PIL's fixed-point precision of 8-bit resampling coefficients.
const pilPrecisionBits = 32 - 8 - 2

// pilTable holds, per output index, the first source index and the fixed-point weights.
type pilTable struct {
	start []int
	k     [][]int32
}

// newPILTable reproduces PIL's precompute_coeffs/normalize_coeffs_8bpc for an axis of inSize
// pixels resized to outSize: when downscaling the filter is stretched by the scale
// (antialiasing), weights are normalized then rounded to 22 bits.
func newPILTable(inSize, outSize int, f pilFilter) pilTable {
	scale := float64(inSize) / float64(outSize)
	filterscale := math.Max(scale, 1)
	support := f.support() * filterscale
	t := pilTable{start: make([]int, outSize), k: make([][]int32, outSize)}
	w := make([]float64, 0, int(math.Ceil(support))*2+1)
	for xx := 0; xx < outSize; xx++ {
		center := (float64(xx) + 0.5) * scale
		xmin := int(center - support + 0.5)
		if xmin < 0 {
			xmin = 0
		}
		xmax := int(center + support + 0.5)
		if xmax > inSize {
			xmax = inSize
		}
		w = w[:0]
		ww := 0.0
		for x := xmin; x < xmax; x++ {
			v := f.eval((float64(x) - center + 0.5) / filterscale)
			w = append(w, v)
			ww += v
		}
		k := make([]int32, len(w))
		for i, v := range w {
			if ww != 0 {
				v /= ww
			}
			if v < 0 {
				k[i] = int32(-0.5 + v*(1<<pilPrecisionBits))
			} else {
				k[i] = int32(0.5 + v*(1<<pilPrecisionBits))
			}
		}
		t.start[xx], t.k[xx] = xmin, k
	}
	return t
}

// pilClip8 converts a fixed-point accumulator to a byte as PIL's clip8 does.
func pilClip8(ss int32) uint8 {
	v := ss >> pilPrecisionBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// resizePIL resizes the window (top, left, h, w) of src to outW x outH like PIL's
// img.crop(box).resize((outW, outH), filter): a horizontal pass into an 8-bit intermediate,
// then a vertical pass, each skipped when that axis keeps its size.
func resizePIL(src rgbImage, top, left, h, w, outW, outH int, f pilFilter) rgbImage {
	// Horizontal pass over the window's rows.
	tmp := rgbImage{W: w, H: h}
	if outW != w {
		tmp = newRGBImage(outW, h)
		cols := newPILTable(w, outW, f)
		s := src.stride()
		for y := 0; y < h; y++ {
			row := src.Pix[(top+y)*s : (top+y+1)*s]
			out := tmp.Pix[y*tmp.stride() : (y+1)*tmp.stride()]
			for x := 0; x < outW; x++ {
				var s0, s1, s2 int32 = 1 << (pilPrecisionBits - 1), 1 << (pilPrecisionBits - 1), 1 << (pilPrecisionBits - 1)
				o := 3 * (left + cols.start[x])
				for _, k := range cols.k[x] {
					s0 += int32(row[o]) * k
					s1 += int32(row[o+1]) * k
					s2 += int32(row[o+2]) * k
					o += 3
				}
				out[3*x], out[3*x+1], out[3*x+2] = pilClip8(s0), pilClip8(s1), pilClip8(s2)
			}
		}
	} else {
		tmp = src.crop(top, left, h, w)
	}
	if outH == h {
		return tmp
	}
	// Vertical pass.
	out := newRGBImage(tmp.W, outH)
	rows := newPILTable(tmp.H, outH, f)
	s := tmp.stride()
	for y := 0; y < outH; y++ {
		d := out.Pix[y*s : (y+1)*s]
		y0 := rows.start[y]
		for i := range d {
			var ss int32 = 1 << (pilPrecisionBits - 1)
			for j, k := range rows.k[y] {
				ss += int32(tmp.Pix[(y0+j)*s+i]) * k
			}
			d[i] = pilClip8(ss)
		}
	}
	return out
}
