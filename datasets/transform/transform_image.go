package transform

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// ImageTrain is the image probe's training Image transform, timm's
// create_transform(is_training=True, auto_augment='original', interpolation='bicubic',
// re_prob=0.25, re_mode='pixel', re_count=1): RandomResizedCrop scale (0.08, 1) ratio
// (3/4, 4/3) with PIL bicubic (antialiased) resizing, horizontal flip p=0.5, AutoAugment
// "original" ImageNet policy (fill = ImageNet mean colour, bicubic), to [0, 1], normalize,
// RandomErasing p=0.25 with per-pixel noise.
type ImageTrain struct {
	res   int
	aa    *autoAugment
	norm  normAffine
	erase randomErasing
}

// NewImageTrain returns the training transform producing res x res images.
func NewImageTrain(res int) (*ImageTrain, error) {
	if res < 1 {
		return nil, fmt.Errorf("image train transform: resolution %d must be positive", res)
	}
	n := ImageNetNormalization()
	hp := augHParams{
		translateConst: float64(int(float64(res) * 0.45)),
		translatePct:   0.45,
		filter:         affineBicubic,
	}
	for c := range hp.fill {
		// timm: img_mean = tuple(min(255, round(255 * x)) for x in mean)
		hp.fill[c] = uint8(min(255, math.RoundToEven(255*n.Mean[c])))
	}
	aa, err := newAutoAugmentOriginal(hp)
	if err != nil {
		return nil, fmt.Errorf("image train transform: %w", err)
	}
	return &ImageTrain{res: res, aa: aa, norm: n.affine(), erase: newRandomErasing(0.25, 10)}, nil
}

// ApplyImage transforms a single-frame img. Random draws, in order: the crop, the flip,
// AutoAugment, the erasing.
func (it *ImageTrain) ApplyImage(img *media.Frames, rng *rand.Rand) (media.Clip, error) {
	if err := checkImage(img); err != nil {
		return media.Clip{}, fmt.Errorf("image train transform: %w", err)
	}
	box := randomResizedCropParams(rng, img.H, img.W, [2]float64{0.08, 1}, [2]float64{3.0 / 4, 4.0 / 3})
	im := resizePIL(frameImage(img, 0), box.Top, box.Left, box.H, box.W, it.res, it.res, pilBicubic)
	if rng.Float64() < 0.5 {
		im.flipHorizontal()
	}
	if ops := it.aa.sample(rng); len(ops) > 0 {
		scratch := make([]uint8, len(im.Pix))
		for _, op := range ops {
			op.apply(im, scratch)
		}
	}
	out := newClip(1, it.res, it.res)
	im.writePlanes(it.norm, framePlanes(out, 0))
	it.erase.apply(&out, rng)
	return out, nil
}

// ImageEval is the image probe's evaluation Image transform (torchvision):
// Resize(int(res*256/224)) of the shorter side with PIL bilinear (antialiased) resizing,
// CenterCrop(res), to [0, 1], normalize.
type ImageEval struct {
	res  int
	norm normAffine
}

// NewImageEval returns the evaluation transform producing res x res images.
func NewImageEval(res int) (*ImageEval, error) {
	if res < 1 {
		return nil, fmt.Errorf("image eval transform: resolution %d must be positive", res)
	}
	return &ImageEval{res: res, norm: ImageNetNormalization().affine()}, nil
}

// ApplyImage transforms a single-frame img; rng is not used.
func (it *ImageEval) ApplyImage(img *media.Frames, _ *rand.Rand) (media.Clip, error) {
	if err := checkImage(img); err != nil {
		return media.Clip{}, fmt.Errorf("image eval transform: %w", err)
	}
	short := int(float64(it.res) * 256 / 224)
	newH, newW := torchvisionShortSideSize(img.H, img.W, short)
	im := resizePIL(frameImage(img, 0), 0, 0, img.H, img.W, newW, newH, pilBilinear)
	// torchvision CenterCrop: int(round((size - crop) / 2)).
	top := pyRound(float64(newH-it.res) / 2)
	left := pyRound(float64(newW-it.res) / 2)
	if top < 0 || left < 0 {
		return media.Clip{}, fmt.Errorf("image eval transform: image %dx%d resized to %dx%d is smaller than the %d crop", img.H, img.W, newH, newW, it.res)
	}
	out := newClip(1, it.res, it.res)
	im.writeWindowPlanes(top, left, it.res, it.res, it.norm, framePlanes(out, 0))
	return out, nil
}

// torchvisionShortSideSize is torchvision's output size for Resize(size) with an int size: the
// shorter side becomes size and the longer one int(size*long/short).
func torchvisionShortSideSize(h, w, size int) (newH, newW int) {
	if w <= h {
		return int(float64(size*h) / float64(w)), size
	}
	return size, int(float64(size*w) / float64(h))
}
