package transform

import (
	"fmt"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// EvalVideo is the deterministic evaluation transform of the video probe
// (jepa:evals/video_classification_frozen/utils.py).
//
// With several views (EvalVideoTransform there) every frame's shorter side is resized to
// exactly Resolution with OpenCV-style bilinear interpolation (uint8 result), and view i is the
// Resolution x Resolution window at offset i*((L-Resolution)//(views-1)) along the longer side L
// (rows when H > W, columns otherwise). With one view (the eval branch of VideoTransform) the
// shorter side is resized to int(Resolution*256/224) and the centre Resolution x Resolution
// window is taken. Views are scaled to [0, 1] and normalized with the ImageNet statistics.
type EvalVideo struct {
	resolution, numViews int
	norm                 normAffine
}

// NewEvalVideo returns the numViews-view evaluation transform at the given resolution.
func NewEvalVideo(resolution, numViews int) (*EvalVideo, error) {
	if resolution < 1 {
		return nil, fmt.Errorf("eval video transform: resolution %d must be positive", resolution)
	}
	if numViews < 1 {
		return nil, fmt.Errorf("eval video transform: number of views %d must be positive", numViews)
	}
	return &EvalVideo{
		resolution: resolution,
		numViews:   numViews,
		norm:       ImageNetNormalization().affine(),
	}, nil
}

// NumViews is the number of spatial views ApplyViews returns.
func (e *EvalVideo) NumViews() int { return e.numViews }

// ApplyViews returns NumViews clips of T x Resolution x Resolution. rng is not used.
func (e *EvalVideo) ApplyViews(f *media.Frames, _ *rand.Rand) ([]media.Clip, error) {
	if err := checkFrames(f); err != nil {
		return nil, fmt.Errorf("eval video transform: %w", err)
	}
	side := e.resolution
	short := side
	if e.numViews == 1 {
		short = int(float64(side) * 256 / 224)
	}
	// resize_clip leaves frames alone when the shorter side already has the target size.
	newH, newW := f.H, f.W
	if !((f.W <= f.H && f.W == short) || (f.H <= f.W && f.H == short)) {
		newH, newW = cv2ShortSideSize(f.H, f.W, short)
	}
	if newH < side || newW < side {
		return nil, fmt.Errorf("eval video transform: frames %dx%d resized to %dx%d are smaller than the %d crop", f.H, f.W, newH, newW, side)
	}
	offsets := e.viewOffsets(newH, newW)
	views := make([]media.Clip, len(offsets))
	for i := range views {
		views[i] = newClip(f.T, side, side)
	}
	resized := newRGBImage(newW, newH)
	for t := 0; t < f.T; t++ {
		resizeCV2LinearInto(frameImage(f, t), resized)
		for i, o := range offsets {
			resized.writeWindowPlanes(o.Top, o.Left, side, side, e.norm, framePlanes(views[i], t))
		}
	}
	return views, nil
}

// viewOffsets returns the crop windows on an h x w resized frame.
func (e *EvalVideo) viewOffsets(h, w int) []cropBox {
	side := e.resolution
	if e.numViews == 1 {
		// video_transforms.CenterCrop: int(round((im - crop)/2)) with Python rounding.
		return []cropBox{{Top: pyRound(float64(h-side) / 2), Left: pyRound(float64(w-side) / 2), H: side, W: side}}
	}
	long := max(h, w)
	step := (long - side) / (e.numViews - 1)
	boxes := make([]cropBox, e.numViews)
	for i := range boxes {
		start := i * step
		if h > w {
			boxes[i] = cropBox{Top: start, H: side, W: side}
		} else {
			boxes[i] = cropBox{Left: start, H: side, W: side}
		}
	}
	return boxes
}

// Apply returns the first view; it is the whole output when NumViews is 1.
func (e *EvalVideo) Apply(f *media.Frames, rng *rand.Rand) (media.Clip, error) {
	views, err := e.ApplyViews(f, rng)
	if err != nil {
		return media.Clip{}, err
	}
	return views[0], nil
}
