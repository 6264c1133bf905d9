package transform

import "math"

// cv2 INTER_LINEAR on uint8 images works in fixed point: weights are rounded to 11 bits
// (INTER_RESIZE_COEF_BITS), the horizontal pass keeps the 2^11-scaled integer sums and the
// vertical pass combines them as OpenCV's vectorized VResizeLinear does.
const cv2CoefScale = 1 << 11

// cv2LinearTable is the per-axis table of cv2.resize(INTER_LINEAR) for uint8 images.
type cv2LinearTable struct {
	i0, i1 []int
	w0, w1 []int32 // fixed-point weights, w0+w1 == 2048
}

// newCV2LinearTable reproduces OpenCV's half-pixel source positions: f = (d+0.5)*in/out-0.5
// computed in float32, source index floor(f). Horizontally (edgeWeights) positions left of the
// first pixel or at/after the last one use that edge pixel with weight 1; vertically OpenCV
// keeps the fractional weights and clamps the two row indices instead.
func newCV2LinearTable(inSize, outSize int, edgeWeights bool) cv2LinearTable {
	t := cv2LinearTable{
		i0: make([]int, outSize), i1: make([]int, outSize),
		w0: make([]int32, outSize), w1: make([]int32, outSize),
	}
	scale := 1 / (float64(outSize) / float64(inSize))
	for d := 0; d < outSize; d++ {
		f := float32((float64(d)+0.5)*scale - 0.5)
		s := int(math.Floor(float64(f)))
		f -= float32(s)
		if edgeWeights {
			if s < 0 {
				s, f = 0, 0
			}
			if s >= inSize-1 {
				s, f = inSize-1, 0
			}
		}
		t.i0[d], t.i1[d] = clampIndex(s, inSize), clampIndex(s+1, inSize)
		t.w0[d] = int32(math.RoundToEven(float64((1 - f) * cv2CoefScale)))
		t.w1[d] = int32(math.RoundToEven(float64(f * cv2CoefScale)))
	}
	return t
}

// resizeCV2Linear resizes src to outW x outH like cv2.resize(img, (outW, outH),
// interpolation=cv2.INTER_LINEAR) on a uint8 HxWx3 array (no antialiasing).
func resizeCV2Linear(src rgbImage, outW, outH int) rgbImage {
	out := newRGBImage(outW, outH)
	resizeCV2LinearInto(src, out)
	return out
}

// resizeCV2LinearInto is resizeCV2Linear writing into a preallocated dst.
func resizeCV2LinearInto(src, dst rgbImage) {
	if src.W == dst.W && src.H == dst.H {
		copy(dst.Pix, src.Pix)
		return
	}
	cols := newCV2LinearTable(src.W, dst.W, true)
	rows := newCV2LinearTable(src.H, dst.H, false)
	n := dst.W * 3
	// Horizontal results of the two source rows in use, cached by source row index.
	bufA, bufB := make([]int32, n), make([]int32, n)
	rowA, rowB := -1, -1
	hpass := func(y int, buf []int32) {
		row := src.Pix[y*src.stride() : (y+1)*src.stride()]
		for x := 0; x < dst.W; x++ {
			o0, o1 := 3*cols.i0[x], 3*cols.i1[x]
			w0, w1 := cols.w0[x], cols.w1[x]
			buf[3*x] = int32(row[o0])*w0 + int32(row[o1])*w1
			buf[3*x+1] = int32(row[o0+1])*w0 + int32(row[o1+1])*w1
			buf[3*x+2] = int32(row[o0+2])*w0 + int32(row[o1+2])*w1
		}
	}
	get := func(y int) []int32 {
		switch y {
		case rowA:
			return bufA
		case rowB:
			return bufB
		}
		// Source rows only increase with the output row, so the smaller cached row is the
		// one no longer needed.
		if rowA < rowB {
			rowA = y
			hpass(y, bufA)
			return bufA
		}
		rowB = y
		hpass(y, bufB)
		return bufB
	}
	for y := 0; y < dst.H; y++ {
		s0 := get(rows.i0[y])
		s1 := get(rows.i1[y])
		b0, b1 := rows.w0[y], rows.w1[y]
		d := dst.Pix[y*n : (y+1)*n]
		for i := range d {
			// (S>>4)*beta >> 16 per tap, then a rounding shift by 2 (22 bits in total).
			v := ((s0[i]>>4)*b0)>>16 + ((s1[i]>>4)*b1)>>16
			v = (v + 2) >> 2
			if v < 0 {
				v = 0
			} else if v > 255 {
				v = 255
			}
			d[i] = uint8(v)
		}
	}
}

// cv2ShortSideSize is get_resize_sizes of the official video functional module: the shorter
// side becomes size and the longer one int(size*long/short).
func cv2ShortSideSize(h, w, size int) (newH, newW int) {
	if w < h {
		return int(float64(size*h) / float64(w)), size
	}
	return size, int(float64(size*w) / float64(h))
}
