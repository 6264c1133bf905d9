package transform

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/vjepa-go/vjepa/datasets/media"
)

// RandAugmentConfig is a parsed timm RandAugment configuration string.
type RandAugmentConfig struct {
	// Magnitude is the op magnitude on timm's 0..10 scale ('m', default 10).
	Magnitude float64
	// NumOps is the number of ops drawn (with replacement) per image or clip ('n', default 2).
	NumOps int
	// MagnitudeStd is the std of the Gaussian jitter of the magnitude per op application
	// ('mstd', default 0).
	MagnitudeStd float64
	// Increasing selects timm's _RAND_INCREASING_TRANSFORMS ('inc').
	Increasing bool
}

// ParseRandAugment parses a timm config such as "rand-m7-n4-mstd0.5-inc1". As in timm, any
// 'inc' section (even "inc0") selects the increasing-severity op list. Weighted op choice
// ('w') is not supported.
func ParseRandAugment(s string) (RandAugmentConfig, error) {
	cfg := RandAugmentConfig{Magnitude: augMaxLevel, NumOps: 2}
	parts := strings.Split(s, "-")
	if parts[0] != "rand" {
		return cfg, fmt.Errorf("randaugment config %q: must start with \"rand\"", s)
	}
	for _, p := range parts[1:] {
		i := strings.IndexAny(p, "0123456789")
		if i < 0 {
			continue // timm ignores sections without a value
		}
		key, val := p[:i], p[i:]
		var err error
		switch key {
		case "m":
			var m int
			m, err = strconv.Atoi(val)
			cfg.Magnitude = float64(m)
		case "n":
			cfg.NumOps, err = strconv.Atoi(val)
		case "mstd":
			cfg.MagnitudeStd, err = strconv.ParseFloat(val, 64)
		case "inc":
			cfg.Increasing = true
		default:
			return cfg, fmt.Errorf("randaugment config %q: unsupported section %q", s, p)
		}
		if err != nil {
			return cfg, fmt.Errorf("randaugment config %q: section %q: %w", s, p, err)
		}
	}
	if cfg.NumOps < 0 || cfg.MagnitudeStd < 0 {
		return cfg, fmt.Errorf("randaugment config %q: negative op count or magnitude std", s)
	}
	return cfg, nil
}

// randAugmentOpNames returns timm's _RAND_TRANSFORMS or _RAND_INCREASING_TRANSFORMS.
func randAugmentOpNames(increasing bool) []string {
	if increasing {
		return []string{
			"AutoContrast", "Equalize", "Invert", "Rotate", "PosterizeIncreasing",
			"SolarizeIncreasing", "SolarizeAdd", "ColorIncreasing", "ContrastIncreasing",
			"BrightnessIncreasing", "SharpnessIncreasing", "ShearX", "ShearY",
			"TranslateXRel", "TranslateYRel",
		}
	}
	return []string{
		"AutoContrast", "Equalize", "Invert", "Rotate", "Posterize", "Solarize",
		"SolarizeAdd", "Color", "Contrast", "Brightness", "Sharpness", "ShearX", "ShearY",
		"TranslateXRel", "TranslateYRel",
	}
}

// randAugment is timm's RandAugment: NumOps ops drawn uniformly with replacement, each applied
// with probability 0.5 at the (jittered) magnitude.
type randAugment struct {
	ops    []augmentOp
	numOps int
}

// newRandAugment builds the op list of cfg with hyper-parameters hp.
func newRandAugment(cfg RandAugmentConfig, hp augHParams) (*randAugment, error) {
	names := randAugmentOpNames(cfg.Increasing)
	ra := &randAugment{numOps: cfg.NumOps, ops: make([]augmentOp, len(names))}
	for i, name := range names {
		op, err := newAugmentOp(name, 0.5, cfg.Magnitude, cfg.MagnitudeStd, hp)
		if err != nil {
			return nil, err
		}
		ra.ops[i] = op
	}
	return ra, nil
}

// sample draws the ops of one application: the op choices first (numpy's choice in the
// official code), then each chosen op's coin, magnitude and sign in order. Skipped ops are
// dropped.
func (ra *randAugment) sample(rng *rand.Rand) []appliedOp {
	chosen := make([]int, ra.numOps)
	for i := range chosen {
		chosen[i] = rng.IntN(len(ra.ops))
	}
	var out []appliedOp
	for _, i := range chosen {
		if op, ok := ra.ops[i].sample(rng); ok {
			out = append(out, op)
		}
	}
	return out
}

// applyOpsToFrames applies ops, in order, to every frame of f, returning new frames (f is
// not modified; when ops is empty f itself is returned). All frames get exactly the same
// ops and arguments, as the official video RandAugment applies each sampled op to the whole
// list of frames.
func applyOpsToFrames(f *media.Frames, ops []appliedOp) *media.Frames {
	if len(ops) == 0 {
		return f
	}
	out := &media.Frames{T: f.T, H: f.H, W: f.W, Pix: make([]uint8, len(f.Pix))}
	copy(out.Pix, f.Pix)
	var spare []uint8 // second clip buffer for geometric ops, allocated on first use
	scratch := make([]uint8, f.H*f.W*3)
	for _, op := range ops {
		if m, ok := op.affine(f.W, f.H); ok {
			if spare == nil {
				spare = make([]uint8, len(out.Pix))
			}
			next := &media.Frames{T: f.T, H: f.H, W: f.W, Pix: spare}
			src, dst := make([]rgbImage, f.T), make([]rgbImage, f.T)
			for t := range src {
				src[t], dst[t] = frameImage(out, t), frameImage(next, t)
			}
			warpAffineFrames(dst, src, m, op.hp.fill, op.hp.filter)
			spare, out = out.Pix, next
			continue
		}
		for t := 0; t < f.T; t++ {
			op.applyColor(frameImage(out, t), scratch)
		}
	}
	return out
}
