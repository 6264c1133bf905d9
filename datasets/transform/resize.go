package transform

// linearTable holds, for every output index of a 1-D bilinear resize, the two source indices
// and their weights.
type linearTable struct {
	i0, i1 []int
	w0, w1 []float32
}

// torchBilinearTable reproduces the index/weight computation of
// torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False) for
// float32 tensors: half-pixel centres, src = (dst+0.5)*in/out - 0.5 clamped at 0, the right
// neighbour clamped to the last pixel. There is no antialiasing when downscaling.
func torchBilinearTable(inSize, outSize int) linearTable {
	t := linearTable{
		i0: make([]int, outSize), i1: make([]int, outSize),
		w0: make([]float32, outSize), w1: make([]float32, outSize),
	}
	scale := float32(inSize) / float32(outSize)
	for d := 0; d < outSize; d++ {
		src := scale*(float32(d)+0.5) - 0.5
		if src < 0 {
			src = 0
		}
		i0 := int(src)
		if i0 > inSize-1 {
			i0 = inSize - 1
		}
		l1 := src - float32(i0)
		if l1 > 1 {
			l1 = 1
		}
		i1 := i0
		if i0 < inSize-1 {
			i1 = i0 + 1
		}
		t.i0[d], t.i1[d] = i0, i1
		t.w0[d], t.w1[d] = 1-l1, l1
	}
	return t
}

// cropResizer resizes one fixed crop window of RGB frames to float32 planes with torch
// bilinear interpolation, folding in an optional horizontal flip and the normalization.
// The tables are computed once and reused for every frame of a clip.
type cropResizer struct {
	outW, outH int
	// Byte offsets of the two source columns (already times 3, including the crop's left).
	x0, x1 []int
	wx0    []float32
	wx1    []float32
	// Source rows (including the crop's top) and weights.
	y0, y1   []int
	wy0, wy1 []float32
	norm     normAffine
}

// newCropResizer prepares the resize of the window (top, left, h, w) to outH x outW. With
// flip, output column x takes the value the unflipped resize puts in column outW-1-x.
func newCropResizer(top, left, h, w, outH, outW int, flip bool, norm normAffine) *cropResizer {
	cols := torchBilinearTable(w, outW)
	rows := torchBilinearTable(h, outH)
	r := &cropResizer{
		outW: outW, outH: outH,
		x0: make([]int, outW), x1: make([]int, outW),
		wx0: make([]float32, outW), wx1: make([]float32, outW),
		y0: make([]int, outH), y1: make([]int, outH),
		wy0: rows.w0, wy1: rows.w1,
		norm: norm,
	}
	for x := 0; x < outW; x++ {
		s := x
		if flip {
			s = outW - 1 - x
		}
		r.x0[x] = 3 * (left + cols.i0[s])
		r.x1[x] = 3 * (left + cols.i1[s])
		r.wx0[x], r.wx1[x] = cols.w0[s], cols.w1[s]
	}
	for y := 0; y < outH; y++ {
		r.y0[y] = top + rows.i0[y]
		r.y1[y] = top + rows.i1[y]
	}
	return r
}

// resize writes the resized, normalized window of src into dst (three planes of outH*outW).
// It is separable: each source row in use is interpolated horizontally once (cached while
// the output rows still need it), then pairs of such rows are blended vertically.
func (r *cropResizer) resize(src rgbImage, dst [3][]float32) {
	n := 3 * r.outW
	bufA, bufB := make([]float32, n), make([]float32, n)
	rowA, rowB := -1, -1
	get := func(y int) []float32 {
		switch y {
		case rowA:
			return bufA
		case rowB:
			return bufB
		}
		// Source rows only increase with the output row: evict the smaller one.
		buf := bufB
		if rowA < rowB {
			rowA, buf = y, bufA
		} else {
			rowB = y
		}
		r.horizontal(src.Pix[y*src.stride():(y+1)*src.stride()], buf)
		return buf
	}
	a0, a1, a2 := r.norm.a[0], r.norm.a[1], r.norm.a[2]
	b0, b1, b2 := r.norm.b[0], r.norm.b[1], r.norm.b[2]
	for y := 0; y < r.outH; y++ {
		top := get(r.y0[y])[:n]
		bot := get(r.y1[y])[:n]
		wy0, wy1 := r.wy0[y], r.wy1[y]
		d0 := dst[0][y*r.outW : (y+1)*r.outW]
		d1 := dst[1][y*r.outW : (y+1)*r.outW]
		d2 := dst[2][y*r.outW : (y+1)*r.outW]
		d1, d2 = d1[:len(d0)], d2[:len(d0)]
		for x := range d0 {
			t := (*[3]float32)(top[3*x : 3*x+3])
			u := (*[3]float32)(bot[3*x : 3*x+3])
			d0[x] = (wy0*t[0]+wy1*u[0])*a0 + b0
			d1[x] = (wy0*t[1]+wy1*u[1])*a1 + b1
			d2[x] = (wy0*t[2]+wy1*u[2])*a2 + b2
		}
	}
}

// horizontal interpolates one source row into out (outW interleaved RGB float32 values).
func (r *cropResizer) horizontal(row []uint8, out []float32) {
	x0s, x1s := r.x0[:r.outW], r.x1[:r.outW]
	wx0s, wx1s := r.wx0[:r.outW], r.wx1[:r.outW]
	out = out[:3*r.outW]
	for x := range x0s {
		o0, o1 := x0s[x], x1s[x]
		w0, w1 := wx0s[x], wx1s[x]
		p0 := (*[3]uint8)(row[o0 : o0+3])
		p1 := (*[3]uint8)(row[o1 : o1+3])
		o := (*[3]float32)(out[3*x : 3*x+3])
		o[0] = w0*float32(p0[0]) + w1*float32(p1[0])
		o[1] = w0*float32(p0[1]) + w1*float32(p1[1])
		o[2] = w0*float32(p0[2]) + w1*float32(p1[2])
	}
}
