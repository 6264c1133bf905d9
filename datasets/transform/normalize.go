package transform

import "fmt"

// Normalization holds per-channel (R, G, B) mean and standard deviation on the [0, 1] scale.
// A pixel value v in 0..255 becomes (v/255 - Mean[c]) / Std[c], which is also what the
// pretraining transform computes as (v - 255*Mean[c]) / (255*Std[c]).
type Normalization struct {
	Mean, Std [3]float64
}

// ImageNetNormalization returns the ImageNet statistics used by every official pipeline:
// mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).
func ImageNetNormalization() Normalization {
	return Normalization{
		Mean: [3]float64{0.485, 0.456, 0.406},
		Std:  [3]float64{0.229, 0.224, 0.225},
	}
}

// isZero reports whether n was left unset.
func (n Normalization) isZero() bool { return n == Normalization{} }

// orDefault returns n, or the ImageNet statistics when n is unset.
func (n Normalization) orDefault() Normalization {
	if n.isZero() {
		return ImageNetNormalization()
	}
	return n
}

// validate checks that every standard deviation is positive.
func (n Normalization) validate() error {
	for c, s := range n.Std {
		if !(s > 0) {
			return fmt.Errorf("normalization: std[%d] = %v must be positive", c, s)
		}
	}
	return nil
}

// normAffine is a Normalization folded into out = v*a[c] + b[c] for v on the 0..255 scale.
type normAffine struct {
	a, b [3]float32
}

// affine folds n into the multiply-add applied to 0..255 values.
func (n Normalization) affine() normAffine {
	var f normAffine
	for c := 0; c < 3; c++ {
		f.a[c] = float32(1 / (255 * n.Std[c]))
		f.b[c] = float32(-n.Mean[c] / n.Std[c])
	}
	return f
}
