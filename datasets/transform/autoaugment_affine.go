package transform

import "math"

// affineFilter is the resampling filter of PIL's Image.transform.
type affineFilter int

const (
	affineBicubic  affineFilter = iota // PIL BICUBIC transform filter (cubic convolution, a = -1)
	affineBilinear                     // PIL BILINEAR transform filter
)

// warpAffine applies PIL's Image.transform(size, AFFINE, m, resample, fillcolor=fill) to img
// in place; scratch must have at least len(img.Pix) bytes. See warpAffineFrames.
func warpAffine(img rgbImage, scratch []uint8, m [6]float64, fill [3]uint8, filter affineFilter) {
	src := rgbImage{W: img.W, H: img.H, Pix: scratch[:len(img.Pix)]}
	copy(src.Pix, img.Pix)
	warpAffineFrames([]rgbImage{img}, []rgbImage{src}, m, fill, filter)
}

// warpAffineFrames applies PIL's Image.transform(size, AFFINE, m, resample, fillcolor=fill)
// to every image of src (all of one size), writing dst: output pixel (x, y) samples the input
// at (m0*(x+.5) + m1*(y+.5) + m2, m3*(x+.5) + m4*(y+.5) + m5); samples outside
// [0, W) x [0, H) get the fill colour. Neighbour columns are clamped to the image and rows past
// the border repeat the previous row, as in PIL's Geometry.c, with PIL's arithmetic and
// truncation to bytes. The sampling positions are computed once per pixel for all images.
func warpAffineFrames(dst, src []rgbImage, m [6]float64, fill [3]uint8, filter affineFilter) {
	if len(src) == 0 {
		return
	}
	W, H := src[0].W, src[0].H
	w, h := float64(W), float64(H)
	s := 3 * W
	var cols, rows [4]int
	for y := 0; y < H; y++ {
		yc := float64(y) + 0.5
		for x := 0; x < W; x++ {
			xc := float64(x) + 0.5
			xin := m[0]*xc + m[1]*yc + m[2]
			yin := m[3]*xc + m[4]*yc + m[5]
			o := (y*W + x) * 3
			if xin < 0 || xin >= w || yin < 0 || yin >= h {
				for _, d := range dst {
					d.Pix[o], d.Pix[o+1], d.Pix[o+2] = fill[0], fill[1], fill[2]
				}
				continue
			}
			xf, yf := math.Floor(xin-0.5), math.Floor(yin-0.5)
			dx, dy := xin-0.5-xf, yin-0.5-yf
			if filter == affineBilinear {
				x0, y0 := int(xf), int(yf)
				cols[0], cols[1] = 3*clampIndex(x0, W), 3*clampIndex(x0+1, W)
				rows[0] = clampIndex(y0, H) * s
				rows[1] = rows[0]
				if y0+1 >= 0 && y0+1 < H {
					rows[1] = (y0 + 1) * s
				}
				for i, sp := range src {
					p, out := sp.Pix, dst[i].Pix[o:o+3]
					for c := 0; c < 3; c++ {
						a, b := float64(p[rows[0]+cols[0]+c]), float64(p[rows[0]+cols[1]+c])
						v1 := a + (b-a)*dx
						a, b = float64(p[rows[1]+cols[0]+c]), float64(p[rows[1]+cols[1]+c])
						v2 := a + (b-a)*dx
						out[c] = truncByte(v1 + (v2-v1)*dy)
					}
				}
				continue
			}
			x0, y0 := int(xf)-1, int(yf)-1
			for k := 0; k < 4; k++ {
				cols[k] = 3 * clampIndex(x0+k, W)
			}
			rows[0] = clampIndex(y0, H) * s
			for k := 1; k < 4; k++ {
				if yy := y0 + k; yy >= 0 && yy < H {
					rows[k] = yy * s
				} else {
					rows[k] = rows[k-1] // PIL repeats the previous row's value
				}
			}
			for i, sp := range src {
				p, out := sp.Pix, dst[i].Pix[o:o+3]
				for c := 0; c < 3; c++ {
					var v [4]float64
					for k, r := range rows {
						r += c
						v[k] = cubicPIL(float64(p[r+cols[0]]), float64(p[r+cols[1]]), float64(p[r+cols[2]]), float64(p[r+cols[3]]), dx)
					}
					out[c] = truncByte(cubicPIL(v[0], v[1], v[2], v[3], dy))
				}
			}
		}
	}
}

// clampIndex clips i to [0, n-1].
func clampIndex(i, n int) int {
	if i < 0 {
		return 0
	}
	if i >= n {
		return n - 1
	}
	return i
}

// truncByte converts like PIL's filters: <= 0 -> 0, >= 255 -> 255, otherwise truncation.
func truncByte(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// cubicPIL is PIL's BICUBIC macro (cubic convolution with a = -1) at fraction d.
func cubicPIL(v1, v2, v3, v4, d float64) float64 {
	p1 := v2
	p2 := -v1 + v3
	p3 := 2*(v1-v2) + v3 - v4
	p4 := -v1 + v2 - v3 + v4
	return p1 + d*(p2+d*(p3+d*p4))
}

// rotateMatrix is the inverse mapping PIL's Image.rotate(degrees) builds: a counter-clockwise
// rotation by degrees about the image centre (w/2, h/2), with the same canvas size.
func rotateMatrix(degrees float64, w, h int) [6]float64 {
	angle := math.Mod(degrees, 360)
	if angle < 0 {
		angle += 360
	}
	rad := -angle * math.Pi / 180
	round15 := func(v float64) float64 { return math.Round(v*1e15) / 1e15 }
	m := [6]float64{round15(math.Cos(rad)), round15(math.Sin(rad)), 0, round15(-math.Sin(rad)), round15(math.Cos(rad)), 0}
	cx, cy := float64(w)/2, float64(h)/2
	m[2] = m[0]*(-cx) + m[1]*(-cy) + cx
	m[5] = m[3]*(-cx) + m[4]*(-cy) + cy
	return m
}
