package transform

import (
	"fmt"
	"math/rand/v2"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// ProbeTrainConfig configures the training augmentation of the video attentive probe
// (jepa:evals/video_classification_frozen/eval.py make_dataloader with training=True). Zero
// values select the official settings.
type ProbeTrainConfig struct {
	// CropSize is the output side (the eval resolution; default 224).
	CropSize int
	// RandAugment is the timm RandAugment string (default "rand-m7-n4-mstd0.5-inc1").
	RandAugment string
	// NoRandAugment disables RandAugment (auto_augment=False).
	NoRandAugment bool
	// RandomResizeScale is the crop-area range (default [0.08, 1.0]).
	RandomResizeScale [2]float64
	// RandomResizeAspectRatio is the log-uniform crop aspect range (default [0.75, 4/3]).
	RandomResizeAspectRatio [2]float64
	// HorizontalFlip enables a p=0.5 whole-clip flip; the official probe has it off.
	HorizontalFlip bool
	// EraseProb is the random-erasing probability (default 0.25; negative disables it).
	EraseProb float64
	// Normalization defaults to ImageNetNormalization.
	Normalization Normalization
}

// DefaultProbeTrainConfig returns the official video probe training settings.
func DefaultProbeTrainConfig() ProbeTrainConfig {
	return ProbeTrainConfig{
		CropSize:                224,
		RandAugment:             "rand-m7-n4-mstd0.5-inc1",
		RandomResizeScale:       [2]float64{0.08, 1.0},
		RandomResizeAspectRatio: [2]float64{0.75, 4.0 / 3},
		EraseProb:               0.25,
		Normalization:           ImageNetNormalization(),
	}
}

// withDefaults fills unset fields with the official settings.
func (c ProbeTrainConfig) withDefaults() ProbeTrainConfig {
	d := DefaultProbeTrainConfig()
	if c.CropSize == 0 {
		c.CropSize = d.CropSize
	}
	if c.RandAugment == "" {
		c.RandAugment = d.RandAugment
	}
	if c.RandomResizeScale == [2]float64{} {
		c.RandomResizeScale = d.RandomResizeScale
	}
	if c.RandomResizeAspectRatio == [2]float64{} {
		c.RandomResizeAspectRatio = d.RandomResizeAspectRatio
	}
	if c.EraseProb == 0 {
		c.EraseProb = d.EraseProb
	} else if c.EraseProb < 0 {
		c.EraseProb = 0
	}
	c.Normalization = c.Normalization.orDefault()
	return c
}

// ProbeTrainVideo is the video probe's training Video transform: RandAugment on the
// uint8 frames (ops and magnitudes sampled once per clip and applied to every frame; PIL
// semantics, bicubic, fill (128,128,128)), scaling to [0, 1] and normalization, one
// random-resized crop shared by all frames resized with torch bilinear interpolation, no flip
// by default, then random erasing of one box shared by all frames (per-pixel N(0, 1) noise).
type ProbeTrainVideo struct {
	cfg   ProbeTrainConfig
	ra    *randAugment
	norm  normAffine
	erase randomErasing
}

// NewProbeTrainVideo validates cfg (zero fields take the official settings).
func NewProbeTrainVideo(cfg ProbeTrainConfig) (*ProbeTrainVideo, error) {
	cfg = cfg.withDefaults()
	if cfg.CropSize < 1 {
		return nil, fmt.Errorf("probe train transform: crop size %d must be positive", cfg.CropSize)
	}
	if err := validateRange("probe train transform: random resize scale", cfg.RandomResizeScale, true); err != nil {
		return nil, err
	}
	if err := validateRange("probe train transform: random resize aspect ratio", cfg.RandomResizeAspectRatio, true); err != nil {
		return nil, err
	}
	if cfg.EraseProb > 1 {
		return nil, fmt.Errorf("probe train transform: erase probability %v exceeds 1", cfg.EraseProb)
	}
	if err := cfg.Normalization.validate(); err != nil {
		return nil, fmt.Errorf("probe train transform: %w", err)
	}
	p := &ProbeTrainVideo{
		cfg:   cfg,
		norm:  cfg.Normalization.affine(),
		erase: newRandomErasing(cfg.EraseProb, 100),
	}
	if !cfg.NoRandAugment {
		raCfg, err := ParseRandAugment(cfg.RandAugment)
		if err != nil {
			return nil, fmt.Errorf("probe train transform: %w", err)
		}
		// create_random_augment: translate_const = int(0.45*crop), bicubic, timm's default
		// fill colour (img_mean is not passed).
		hp := augHParams{
			translateConst: float64(int(float64(cfg.CropSize) * 0.45)),
			translatePct:   0.45,
			fill:           [3]uint8{128, 128, 128},
			filter:         affineBicubic,
		}
		if p.ra, err = newRandAugment(raCfg, hp); err != nil {
			return nil, fmt.Errorf("probe train transform: %w", err)
		}
	}
	return p, nil
}

// Config returns the effective configuration (defaults filled in).
func (p *ProbeTrainVideo) Config() ProbeTrainConfig { return p.cfg }

// Apply transforms f into a [3][T][CropSize][CropSize] clip. Random draws, in order:
// RandAugment, the crop, the flip (when enabled), the erasing.
func (p *ProbeTrainVideo) Apply(f *media.Frames, rng *rand.Rand) (media.Clip, error) {
	if err := checkFrames(f); err != nil {
		return media.Clip{}, fmt.Errorf("probe train transform: %w", err)
	}
	if p.ra != nil {
		f = applyOpsToFrames(f, p.ra.sample(rng))
	}
	box := randomResizedCropParams(rng, f.H, f.W, p.cfg.RandomResizeScale, p.cfg.RandomResizeAspectRatio)
	flip := p.cfg.HorizontalFlip && rng.Float64() < 0.5
	s := p.cfg.CropSize
	r := newCropResizer(box.Top, box.Left, box.H, box.W, s, s, flip, p.norm)
	out := newClip(f.T, s, s)
	for t := 0; t < f.T; t++ {
		r.resize(frameImage(f, t), framePlanes(out, t))
	}
	p.erase.apply(&out, rng)
	return out, nil
}
