package transform

// Point operations of PIL's ImageOps (and timm's solarize_add), as 256-entry lookup tables or
// per-channel histogram-derived tables.

// applyLUT maps every byte of img through lut (the same table for the three channels).
func applyLUT(img rgbImage, lut *[256]uint8) {
	for i, v := range img.Pix {
		img.Pix[i] = lut[v]
	}
}

// applyChannelLUTs maps channel c of every pixel through luts[c].
func applyChannelLUTs(img rgbImage, luts *[3][256]uint8) {
	p := img.Pix
	for i := 0; i+2 < len(p); i += 3 {
		p[i] = luts[0][p[i]]
		p[i+1] = luts[1][p[i+1]]
		p[i+2] = luts[2][p[i+2]]
	}
}

// invertLUT is ImageOps.invert: 255 - v.
func invertLUT() *[256]uint8 {
	var l [256]uint8
	for i := range l {
		l[i] = uint8(255 - i)
	}
	return &l
}

// posterizeLUT is ImageOps.posterize: keep the bits high bits (timm returns the image
// unchanged for bits >= 8; 0 bits gives black).
func posterizeLUT(bits int) *[256]uint8 {
	var l [256]uint8
	bits = max(0, min(bits, 8))
	mask := uint8(0xff << (8 - bits))
	for i := range l {
		l[i] = uint8(i) & mask
	}
	return &l
}

// solarizeLUT is ImageOps.solarize: values >= threshold are inverted.
func solarizeLUT(threshold int) *[256]uint8 {
	var l [256]uint8
	for i := range l {
		if i < threshold {
			l[i] = uint8(i)
		} else {
			l[i] = uint8(255 - i)
		}
	}
	return &l
}

// solarizeAddLUT is timm's solarize_add: values below threshold get add, saturating at 255.
func solarizeAddLUT(add, threshold int) *[256]uint8 {
	var l [256]uint8
	for i := range l {
		if i < threshold {
			l[i] = uint8(min(255, i+add))
		} else {
			l[i] = uint8(i)
		}
	}
	return &l
}

// channelHistograms counts the values of each channel.
func channelHistograms(img rgbImage) [3][256]int {
	var h [3][256]int
	p := img.Pix
	for i := 0; i+2 < len(p); i += 3 {
		h[0][p[i]]++
		h[1][p[i+1]]++
		h[2][p[i+2]]++
	}
	return h
}

// autoContrast is ImageOps.autocontrast(img) (cutoff 0): each channel is stretched linearly
// so that its lowest value maps to 0 and its highest to 255 (truncating); flat channels are
// left alone.
func autoContrast(img rgbImage) {
	hist := channelHistograms(img)
	var luts [3][256]uint8
	for c := 0; c < 3; c++ {
		h := &hist[c]
		lo, hi := 0, 255
		for lo < 255 && h[lo] == 0 {
			lo++
		}
		for hi > 0 && h[hi] == 0 {
			hi--
		}
		if hi <= lo {
			for i := range luts[c] {
				luts[c][i] = uint8(i)
			}
			continue
		}
		scale := 255.0 / float64(hi-lo)
		offset := -float64(lo) * scale
		for i := range luts[c] {
			v := int(float64(i)*scale + offset)
			luts[c][i] = uint8(max(0, min(255, v)))
		}
	}
	applyChannelLUTs(img, &luts)
}

// equalize is ImageOps.equalize(img): per-channel histogram equalization with PIL's step
// rule (step = (count - count of the last used value) // 255).
func equalize(img rgbImage) {
	hist := channelHistograms(img)
	var luts [3][256]uint8
	for c := 0; c < 3; c++ {
		h := &hist[c]
		used, total, last := 0, 0, 0
		for _, n := range h {
			if n > 0 {
				used++
				total += n
				last = n
			}
		}
		step := 0
		if used > 1 {
			step = (total - last) / 255
		}
		if step == 0 {
			for i := range luts[c] {
				luts[c][i] = uint8(i)
			}
			continue
		}
		n := step / 2
		for i := range luts[c] {
			luts[c][i] = uint8(min(255, n/step))
			n += h[i]
		}
	}
	applyChannelLUTs(img, &luts)
}
