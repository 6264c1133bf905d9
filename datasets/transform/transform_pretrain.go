package transform

import (
	"fmt"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// PretrainConfig configures the V-JEPA pretraining augmentation
// (jepa:app/vjepa/transforms.py, VideoTransform). Zero values select the official defaults.
type PretrainConfig struct {
	// CropSize is the output side in pixels (config data.crop_size; default 224).
	CropSize int
	// RandomResizeScale is the crop-area range as a fraction of the frame
	// (config data.random_resize_scale; default [0.3, 1.0]).
	RandomResizeScale [2]float64
	// RandomResizeAspectRatio is the crop aspect (w/h) range, sampled log-uniformly
	// (config data.random_resize_aspect_ratio; default [0.75, 1.35]).
	RandomResizeAspectRatio [2]float64
	// NoHorizontalFlip disables the p=0.5 whole-clip horizontal flip, which is on by default.
	NoHorizontalFlip bool
	// Normalization defaults to ImageNetNormalization.
	Normalization Normalization
}

// DefaultPretrainConfig returns the configuration of the official pretraining configs.
func DefaultPretrainConfig() PretrainConfig {
	return PretrainConfig{
		CropSize:                224,
		RandomResizeScale:       [2]float64{0.3, 1.0},
		RandomResizeAspectRatio: [2]float64{0.75, 1.35},
		Normalization:           ImageNetNormalization(),
	}
}

// withDefaults fills unset fields with the official defaults.
func (c PretrainConfig) withDefaults() PretrainConfig {
	d := DefaultPretrainConfig()
	if c.CropSize == 0 {
		c.CropSize = d.CropSize
	}
	if c.RandomResizeScale == [2]float64{} {
		c.RandomResizeScale = d.RandomResizeScale
	}
	if c.RandomResizeAspectRatio == [2]float64{} {
		c.RandomResizeAspectRatio = d.RandomResizeAspectRatio
	}
	c.Normalization = c.Normalization.orDefault()
	return c
}

// Pretrain is the pretraining Video transform: one random-resized crop shared by all
// frames, resized with torch bilinear interpolation (align_corners=False, no antialias) to
// CropSize x CropSize, a p=0.5 horizontal flip of the whole clip, and normalization.
type Pretrain struct {
	cfg  PretrainConfig
	norm normAffine
}

// NewPretrain validates cfg (zero fields take the official defaults).
func NewPretrain(cfg PretrainConfig) (*Pretrain, error) {
	cfg = cfg.withDefaults()
	if cfg.CropSize < 1 {
		return nil, fmt.Errorf("pretrain transform: crop size %d must be positive", cfg.CropSize)
	}
	if err := validateRange("pretrain transform: random_resize_scale", cfg.RandomResizeScale, true); err != nil {
		return nil, err
	}
	if err := validateRange("pretrain transform: random_resize_aspect_ratio", cfg.RandomResizeAspectRatio, true); err != nil {
		return nil, err
	}
	if err := cfg.Normalization.validate(); err != nil {
		return nil, fmt.Errorf("pretrain transform: %w", err)
	}
	return &Pretrain{cfg: cfg, norm: cfg.Normalization.affine()}, nil
}

// Config returns the effective configuration (defaults filled in).
func (p *Pretrain) Config() PretrainConfig { return p.cfg }

// Apply transforms f into a [3][T][CropSize][CropSize] clip. Random draws, in order: the crop
// (as randomResizedCropParams), then the flip.
func (p *Pretrain) Apply(f *media.Frames, rng *rand.Rand) (media.Clip, error) {
	if err := checkFrames(f); err != nil {
		return media.Clip{}, fmt.Errorf("pretrain transform: %w", err)
	}
	box := randomResizedCropParams(rng, f.H, f.W, p.cfg.RandomResizeScale, p.cfg.RandomResizeAspectRatio)
	flip := !p.cfg.NoHorizontalFlip && rng.Float64() < 0.5
	s := p.cfg.CropSize
	r := newCropResizer(box.Top, box.Left, box.H, box.W, s, s, flip, p.norm)
	out := newClip(f.T, s, s)
	for t := 0; t < f.T; t++ {
		r.resize(frameImage(f, t), framePlanes(out, t))
	}
	return out, nil
}
