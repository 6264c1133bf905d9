package transform

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// augOpKind is an image operation of timm's auto_augment module (PIL semantics).
type augOpKind int

const (
	augAutoContrast augOpKind = iota
	augEqualize
	augInvert
	augRotate
	augPosterize
	augSolarize
	augSolarizeAdd
	augColor
	augContrast
	augBrightness
	augSharpness
	augShearX
	augShearY
	augTranslateX // absolute pixels
	augTranslateY // absolute pixels
	augTranslateXRel
	augTranslateYRel
)

// augLevel maps a magnitude in [0, 10] to the operation's argument; it may draw a random sign.
type augLevel func(m float64, hp augHParams, rng *rand.Rand) float64

// augOpSpec is one named entry of timm's NAME_TO_OP / LEVEL_TO_ARG tables.
type augOpSpec struct {
	kind  augOpKind
	level augLevel // nil for argument-free operations
}

// augHParams are the hyper-parameters timm passes to every AugmentOp.
type augHParams struct {
	translateConst float64  // pixels at magnitude 10 for absolute translations
	translatePct   float64  // fraction of the size at magnitude 10 for relative translations
	fill           [3]uint8 // colour of pixels uncovered by geometric ops
	filter         affineFilter
}

// augMaxLevel is timm's _LEVEL_DENOM / _MAX_LEVEL.
const augMaxLevel = 10.0

// randomNegate is timm's _randomly_negate: -v when random() > 0.5.
func randomNegate(v float64, rng *rand.Rand) float64 {
	if rng.Float64() > 0.5 {
		return -v
	}
	return v
}

func levelRotate(m float64, _ augHParams, rng *rand.Rand) float64 {
	return randomNegate(m/augMaxLevel*30, rng)
}

func levelEnhance(m float64, _ augHParams, _ *rand.Rand) float64 {
	return m/augMaxLevel*1.8 + 0.1
}

func levelEnhanceIncreasing(m float64, _ augHParams, rng *rand.Rand) float64 {
	return math.Max(0.1, 1+randomNegate(m/augMaxLevel*0.9, rng))
}

func levelShear(m float64, _ augHParams, rng *rand.Rand) float64 {
	return randomNegate(m/augMaxLevel*0.3, rng)
}

func levelTranslateAbs(m float64, hp augHParams, rng *rand.Rand) float64 {
	return randomNegate(m/augMaxLevel*hp.translateConst, rng)
}

func levelTranslateRel(m float64, hp augHParams, rng *rand.Rand) float64 {
	return randomNegate(m/augMaxLevel*hp.translatePct, rng)
}

func levelPosterize(m float64, _ augHParams, _ *rand.Rand) float64 {
	return float64(int(m / augMaxLevel * 4))
}

func levelPosterizeIncreasing(m float64, hp augHParams, rng *rand.Rand) float64 {
	return 4 - levelPosterize(m, hp, rng)
}

func levelPosterizeOriginal(m float64, hp augHParams, rng *rand.Rand) float64 {
	return levelPosterize(m, hp, rng) + 4
}

func levelSolarize(m float64, _ augHParams, _ *rand.Rand) float64 {
	return float64(min(256, int(m/augMaxLevel*256)))
}

func levelSolarizeIncreasing(m float64, hp augHParams, rng *rand.Rand) float64 {
	return 256 - levelSolarize(m, hp, rng)
}

func levelSolarizeAdd(m float64, _ augHParams, _ *rand.Rand) float64 {
	return float64(min(128, int(m/augMaxLevel*110)))
}

// lookupAugOp is timm's operation table (NAME_TO_OP and LEVEL_TO_ARG), by name.
func lookupAugOp(name string) (augOpSpec, bool) {
	switch name {
	case "AutoContrast":
		return augOpSpec{augAutoContrast, nil}, true
	case "Equalize":
		return augOpSpec{augEqualize, nil}, true
	case "Invert":
		return augOpSpec{augInvert, nil}, true
	case "Rotate":
		return augOpSpec{augRotate, levelRotate}, true
	case "Posterize":
		return augOpSpec{augPosterize, levelPosterize}, true
	case "PosterizeIncreasing":
		return augOpSpec{augPosterize, levelPosterizeIncreasing}, true
	case "PosterizeOriginal":
		return augOpSpec{augPosterize, levelPosterizeOriginal}, true
	case "Solarize":
		return augOpSpec{augSolarize, levelSolarize}, true
	case "SolarizeIncreasing":
		return augOpSpec{augSolarize, levelSolarizeIncreasing}, true
	case "SolarizeAdd":
		return augOpSpec{augSolarizeAdd, levelSolarizeAdd}, true
	case "Color":
		return augOpSpec{augColor, levelEnhance}, true
	case "ColorIncreasing":
		return augOpSpec{augColor, levelEnhanceIncreasing}, true
	case "Contrast":
		return augOpSpec{augContrast, levelEnhance}, true
	case "ContrastIncreasing":
		return augOpSpec{augContrast, levelEnhanceIncreasing}, true
	case "Brightness":
		return augOpSpec{augBrightness, levelEnhance}, true
	case "BrightnessIncreasing":
		return augOpSpec{augBrightness, levelEnhanceIncreasing}, true
	case "Sharpness":
		return augOpSpec{augSharpness, levelEnhance}, true
	case "SharpnessIncreasing":
		return augOpSpec{augSharpness, levelEnhanceIncreasing}, true
	case "ShearX":
		return augOpSpec{augShearX, levelShear}, true
	case "ShearY":
		return augOpSpec{augShearY, levelShear}, true
	case "TranslateX":
		return augOpSpec{augTranslateX, levelTranslateAbs}, true
	case "TranslateY":
		return augOpSpec{augTranslateY, levelTranslateAbs}, true
	case "TranslateXRel":
		return augOpSpec{augTranslateXRel, levelTranslateRel}, true
	case "TranslateYRel":
		return augOpSpec{augTranslateYRel, levelTranslateRel}, true
	}
	return augOpSpec{}, false
}

// augmentOp is timm's AugmentOp: a named operation applied with probability prob at a
// magnitude, optionally jittered by N(0, magnitudeStd) per application.
type augmentOp struct {
	name         string
	spec         augOpSpec
	prob         float64
	magnitude    float64
	magnitudeStd float64
	hp           augHParams
}

// newAugmentOp looks name up in the operation table.
func newAugmentOp(name string, prob, magnitude, magnitudeStd float64, hp augHParams) (augmentOp, error) {
	spec, ok := lookupAugOp(name)
	if !ok {
		return augmentOp{}, fmt.Errorf("unknown augmentation op %q", name)
	}
	return augmentOp{name: name, spec: spec, prob: prob, magnitude: magnitude, magnitudeStd: magnitudeStd, hp: hp}, nil
}

// appliedOp is one operation with all its randomness resolved, ready to be applied to any
// number of images (all frames of a clip get the same appliedOp).
type appliedOp struct {
	kind augOpKind
	arg  float64
	hp   augHParams
}

// sample draws, as AugmentOp.__call__ does and in the same order: the application coin
// (skip when random() > prob), the jittered magnitude clipped to [0, 10], then the level's
// random sign. ok is false when the operation is skipped.
func (o augmentOp) sample(rng *rand.Rand) (op appliedOp, ok bool) {
	if o.prob < 1 && rng.Float64() > o.prob {
		return appliedOp{}, false
	}
	m := o.magnitude
	if o.magnitudeStd > 0 {
		if math.IsInf(o.magnitudeStd, 1) {
			m = pyUniform(rng, 0, m)
		} else {
			m = m + o.magnitudeStd*rng.NormFloat64()
		}
	}
	m = math.Max(0, math.Min(m, augMaxLevel))
	op = appliedOp{kind: o.spec.kind, hp: o.hp}
	if o.spec.level != nil {
		op.arg = o.spec.level(m, o.hp, rng)
	}
	return op, true
}

// affine returns the inverse mapping of a geometric operation on a w x h image; ok is false
// for the colour operations.
func (op appliedOp) affine(w, h int) (m [6]float64, ok bool) {
	switch op.kind {
	case augRotate:
		return rotateMatrix(op.arg, w, h), true
	case augShearX:
		return [6]float64{1, op.arg, 0, 0, 1, 0}, true
	case augShearY:
		return [6]float64{1, 0, 0, op.arg, 1, 0}, true
	case augTranslateX:
		return [6]float64{1, 0, op.arg, 0, 1, 0}, true
	case augTranslateY:
		return [6]float64{1, 0, 0, 0, 1, op.arg}, true
	case augTranslateXRel:
		return [6]float64{1, 0, op.arg * float64(w), 0, 1, 0}, true
	case augTranslateYRel:
		return [6]float64{1, 0, 0, 0, 1, op.arg * float64(h)}, true
	}
	return m, false
}

// apply runs the operation on img in place. scratch must hold at least len(img.Pix) bytes.
func (op appliedOp) apply(img rgbImage, scratch []uint8) {
	if m, ok := op.affine(img.W, img.H); ok {
		warpAffine(img, scratch, m, op.hp.fill, op.hp.filter)
		return
	}
	op.applyColor(img, scratch)
}

// applyColor runs a colour (non-geometric) operation on img in place.
func (op appliedOp) applyColor(img rgbImage, scratch []uint8) {
	switch op.kind {
	case augAutoContrast:
		autoContrast(img)
	case augEqualize:
		equalize(img)
	case augInvert:
		applyLUT(img, invertLUT())
	case augPosterize:
		applyLUT(img, posterizeLUT(int(op.arg)))
	case augSolarize:
		applyLUT(img, solarizeLUT(int(op.arg)))
	case augSolarizeAdd:
		applyLUT(img, solarizeAddLUT(int(op.arg), 128))
	case augColor:
		enhanceColor(img, op.arg)
	case augContrast:
		enhanceContrast(img, op.arg)
	case augBrightness:
		enhanceBrightness(img, op.arg)
	case augSharpness:
		enhanceSharpness(img, op.arg, scratch)
	}
}
