package transform

// PIL ImageEnhance operations: each blends the image with a "degenerate" version,
// out = degenerate + factor*(image - degenerate), computed in float32 and truncated (clipped
// when extrapolating), as PIL's ImagingBlend does.

// blendByte is ImagingBlend for one value: in1 is the degenerate, in2 the image.
func blendByte(in1, in2 uint8, alpha float32) uint8 {
	v := float32(in1) + alpha*float32(int(in2)-int(in1))
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v)
}

// lumaPIL is PIL's RGB -> L conversion: (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.
func lumaPIL(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// enhanceColor is ImageEnhance.Color: blend with the greyscale image.
func enhanceColor(img rgbImage, factor float64) {
	if factor == 1 {
		return
	}
	a := float32(factor)
	p := img.Pix
	for i := 0; i+2 < len(p); i += 3 {
		l := lumaPIL(p[i], p[i+1], p[i+2])
		p[i] = blendByte(l, p[i], a)
		p[i+1] = blendByte(l, p[i+1], a)
		p[i+2] = blendByte(l, p[i+2], a)
	}
}

// enhanceContrast is ImageEnhance.Contrast: blend with a flat image at the rounded mean of the
// greyscale image.
func enhanceContrast(img rgbImage, factor float64) {
	if factor == 1 {
		return
	}
	p := img.Pix
	var sum uint64
	for i := 0; i+2 < len(p); i += 3 {
		sum += uint64(lumaPIL(p[i], p[i+1], p[i+2]))
	}
	n := len(p) / 3
	mean := uint8(int(float64(sum)/float64(n) + 0.5))
	a := float32(factor)
	for i, v := range p {
		p[i] = blendByte(mean, v, a)
	}
}

// enhanceBrightness is ImageEnhance.Brightness: blend with black.
func enhanceBrightness(img rgbImage, factor float64) {
	if factor == 1 {
		return
	}
	a := float32(factor)
	for i, v := range img.Pix {
		img.Pix[i] = blendByte(0, v, a)
	}
}

// enhanceSharpness is ImageEnhance.Sharpness: blend with the image filtered by PIL's SMOOTH
// kernel [[1,1,1],[1,5,1],[1,1,1]]/13 (border pixels unfiltered). scratch must hold at least
// len(img.Pix) bytes.
func enhanceSharpness(img rgbImage, factor float64, scratch []uint8) {
	if factor == 1 {
		return
	}
	deg := rgbImage{W: img.W, H: img.H, Pix: scratch[:len(img.Pix)]}
	smoothPIL(img, deg)
	a := float32(factor)
	for i, v := range img.Pix {
		img.Pix[i] = blendByte(deg.Pix[i], v, a)
	}
}

// smoothPIL writes img filtered with ImageFilter.SMOOTH into dst, as PIL's ImagingFilter3x3:
// float32 accumulation, +0.5 then truncation; the first/last rows and columns are copied.
func smoothPIL(img, dst rgbImage) {
	copy(dst.Pix, img.Pix)
	if img.W < 3 || img.H < 3 {
		return
	}
	const k = float32(1) / 13
	const kc = float32(5) / 13
	s := img.stride()
	for y := 1; y < img.H-1; y++ {
		up := img.Pix[(y-1)*s : y*s]
		mid := img.Pix[y*s : (y+1)*s]
		dn := img.Pix[(y+1)*s : (y+2)*s]
		out := dst.Pix[y*s : (y+1)*s]
		for i := 3; i < s-3; i++ {
			ss := float32(0.5)
			ss += float32(dn[i-3])*k + float32(dn[i])*k + float32(dn[i+3])*k
			ss += float32(mid[i-3])*k + float32(mid[i])*kc + float32(mid[i+3])*k
			ss += float32(up[i-3])*k + float32(up[i])*k + float32(up[i+3])*k
			out[i] = truncByte(float64(ss))
		}
	}
}
