package transform

import (
	"github.com/vjepa-go/vjepa/datasets/media"
)

// rgbImage is one uint8 RGB image, row-major with the three channels interleaved (the layout
// of one frame of Frames and of a PIL RGB image). It is usually a view into a larger buffer.
type rgbImage struct {
	W, H int
	Pix  []uint8 // len W*H*3
}

// newRGBImage allocates a black image.
func newRGBImage(w, h int) rgbImage {
	return rgbImage{W: w, H: h, Pix: make([]uint8, w*h*3)}
}

// frameImage returns frame t of f as a view (no copy).
func frameImage(f *media.Frames, t int) rgbImage {
	n := f.H * f.W * 3
	return rgbImage{W: f.W, H: f.H, Pix: f.Pix[t*n : (t+1)*n]}
}

// stride is the number of bytes in one row.
func (im rgbImage) stride() int { return im.W * 3 }

// flipHorizontal mirrors im left-right in place.
func (im rgbImage) flipHorizontal() {
	s := im.stride()
	for y := 0; y < im.H; y++ {
		row := im.Pix[y*s : (y+1)*s]
		for l, r := 0, im.W-1; l < r; l, r = l+1, r-1 {
			lo, ro := 3*l, 3*r
			row[lo], row[ro] = row[ro], row[lo]
			row[lo+1], row[ro+1] = row[ro+1], row[lo+1]
			row[lo+2], row[ro+2] = row[ro+2], row[lo+2]
		}
	}
}

// crop copies the h x w window at (top, left) into a new image.
func (im rgbImage) crop(top, left, h, w int) rgbImage {
	out := newRGBImage(w, h)
	s, os := im.stride(), out.stride()
	for y := 0; y < h; y++ {
		copy(out.Pix[y*os:(y+1)*os], im.Pix[(top+y)*s+left*3:])
	}
	return out
}

// writePlanes converts im to normalized float32 planes: dst[c][y*W+x] = v*n.a[c] + n.b[c].
func (im rgbImage) writePlanes(n normAffine, dst [3][]float32) {
	im.writeWindowPlanes(0, 0, im.H, im.W, n, dst)
}

// writeWindowPlanes converts the h x w window at (top, left) of im to normalized float32
// planes of h*w values each.
func (im rgbImage) writeWindowPlanes(top, left, h, w int, n normAffine, dst [3][]float32) {
	s := im.stride()
	for y := 0; y < h; y++ {
		p := im.Pix[(top+y)*s+3*left : (top+y)*s+3*(left+w)]
		d0, d1, d2 := dst[0][y*w:(y+1)*w], dst[1][y*w:(y+1)*w], dst[2][y*w:(y+1)*w]
		for i := range d0 {
			d0[i] = float32(p[3*i])*n.a[0] + n.b[0]
			d1[i] = float32(p[3*i+1])*n.a[1] + n.b[1]
			d2[i] = float32(p[3*i+2])*n.a[2] + n.b[2]
		}
	}
}
