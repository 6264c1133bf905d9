package transform

import (
	"fmt"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// Video turns decoded frames into one model clip (one spatial view).
//
// Implementations are safe for concurrent use: all per-call state is allocated per call and
// all randomness comes from rng, so the output is a deterministic function of the frames and
// the state of rng.
type Video interface {
	Apply(f *media.Frames, rng *rand.Rand) (media.Clip, error)
}

// MultiView turns decoded frames into several spatial views of the same clip (the
// multi-view evaluation protocol).
type MultiView interface {
	ApplyViews(f *media.Frames, rng *rand.Rand) ([]media.Clip, error)
}

// Image turns one decoded image, given as Frames with T == 1, into a clip with T == 1.
// Callers that feed images to the video model repeat the result along time with RepeatTime.
type Image interface {
	ApplyImage(img *media.Frames, rng *rand.Rand) (media.Clip, error)
}

// RepeatTime tiles c t times along the time axis, as torch's x.repeat(1, t, 1, 1) does on a
// [C,T,H,W] tensor: the result has c.T*t frames and frame j is frame j % c.T of c. For an image
// (c.T == 1) every output frame is the image. A non-positive t gives an empty clip.
func RepeatTime(c media.Clip, t int) media.Clip {
	if t <= 0 {
		return media.Clip{T: 0, H: c.H, W: c.W}
	}
	out := media.Clip{T: c.T * t, H: c.H, W: c.W}
	out.Data = make([]float32, 3*out.T*c.H*c.W)
	frame := c.H * c.W
	inPlane := c.T * frame
	outPlane := out.T * frame
	for ch := 0; ch < 3; ch++ {
		src := c.Data[ch*inPlane : (ch+1)*inPlane]
		dst := out.Data[ch*outPlane : (ch+1)*outPlane]
		for r := 0; r < t; r++ {
			copy(dst[r*inPlane:(r+1)*inPlane], src)
		}
	}
	return out
}

// checkFrames validates the geometry of f and that its pixel buffer has the right length.
func checkFrames(f *media.Frames) error {
	if f == nil {
		return fmt.Errorf("transform: nil frames")
	}
	if f.T <= 0 || f.H <= 0 || f.W <= 0 {
		return fmt.Errorf("transform: frames have invalid shape T=%d H=%d W=%d", f.T, f.H, f.W)
	}
	if want := f.T * f.H * f.W * 3; len(f.Pix) != want {
		return fmt.Errorf("transform: frames %dx%dx%dx3 need %d bytes, got %d", f.T, f.H, f.W, want, len(f.Pix))
	}
	return nil
}

// checkImage validates an image given as single-frame Frames.
func checkImage(img *media.Frames) error {
	if err := checkFrames(img); err != nil {
		return err
	}
	if img.T != 1 {
		return fmt.Errorf("transform: image transform needs T == 1, got T=%d", img.T)
	}
	return nil
}

// newClip allocates a zeroed clip of the given shape.
func newClip(t, h, w int) media.Clip {
	return media.Clip{T: t, H: h, W: w, Data: make([]float32, 3*t*h*w)}
}

// framePlanes returns the three channel slices of frame t of c.
func framePlanes(c media.Clip, t int) [3][]float32 {
	frame := c.H * c.W
	plane := c.T * frame
	var p [3][]float32
	for ch := 0; ch < 3; ch++ {
		off := ch*plane + t*frame
		p[ch] = c.Data[off : off+frame]
	}
	return p
}
