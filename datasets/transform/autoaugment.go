package transform

import (
	"fmt"
	"math/rand/v2"
)

// autoAugment is timm's AutoAugment: one sub-policy drawn uniformly per image, whose ops are
// applied in order, each with its own probability and fixed magnitude.
type autoAugment struct {
	policy [][]augmentOp
}

// policyOp is one (name, probability, magnitude) entry of an AutoAugment sub-policy.
type policyOp struct {
	name      string
	prob      float64
	magnitude float64
}

// autoAugmentOriginalPolicy is timm's auto_augment_policy_original, the ImageNet policy of
// the AutoAugment paper: 25 sub-policies of two ops.
func autoAugmentOriginalPolicy() [][2]policyOp {
	return [][2]policyOp{
		{{"PosterizeOriginal", 0.4, 8}, {"Rotate", 0.6, 9}},
		{{"Solarize", 0.6, 5}, {"AutoContrast", 0.6, 5}},
		{{"Equalize", 0.8, 8}, {"Equalize", 0.6, 3}},
		{{"PosterizeOriginal", 0.6, 7}, {"PosterizeOriginal", 0.6, 6}},
		{{"Equalize", 0.4, 7}, {"Solarize", 0.2, 4}},
		{{"Equalize", 0.4, 4}, {"Rotate", 0.8, 8}},
		{{"Solarize", 0.6, 3}, {"Equalize", 0.6, 7}},
		{{"PosterizeOriginal", 0.8, 5}, {"Equalize", 1.0, 2}},
		{{"Rotate", 0.2, 3}, {"Solarize", 0.6, 8}},
		{{"Equalize", 0.6, 8}, {"PosterizeOriginal", 0.4, 6}},
		{{"Rotate", 0.8, 8}, {"Color", 0.4, 0}},
		{{"Rotate", 0.4, 9}, {"Equalize", 0.6, 2}},
		{{"Equalize", 0.0, 7}, {"Equalize", 0.8, 8}},
		{{"Invert", 0.6, 4}, {"Equalize", 1.0, 8}},
		{{"Color", 0.6, 4}, {"Contrast", 1.0, 8}},
		{{"Rotate", 0.8, 8}, {"Color", 1.0, 2}},
		{{"Color", 0.8, 8}, {"Solarize", 0.8, 7}},
		{{"Sharpness", 0.4, 7}, {"Invert", 0.6, 8}},
		{{"ShearX", 0.6, 5}, {"Equalize", 1.0, 9}},
		{{"Color", 0.4, 0}, {"Equalize", 0.6, 3}},
		{{"Equalize", 0.4, 7}, {"Solarize", 0.2, 4}},
		{{"Solarize", 0.6, 5}, {"AutoContrast", 0.6, 5}},
		{{"Invert", 0.6, 4}, {"Equalize", 1.0, 8}},
		{{"Color", 0.6, 4}, {"Contrast", 1.0, 8}},
		{{"Equalize", 0.8, 8}, {"Equalize", 0.6, 3}},
	}
}

// newAutoAugmentOriginal builds the "original" policy with hyper-parameters hp.
func newAutoAugmentOriginal(hp augHParams) (*autoAugment, error) {
	subs := autoAugmentOriginalPolicy()
	aa := &autoAugment{policy: make([][]augmentOp, len(subs))}
	for i, sub := range subs {
		for _, e := range sub {
			op, err := newAugmentOp(e.name, e.prob, e.magnitude, 0, hp)
			if err != nil {
				return nil, fmt.Errorf("autoaugment original policy: %w", err)
			}
			aa.policy[i] = append(aa.policy[i], op)
		}
	}
	return aa, nil
}

// sample draws a sub-policy, then each of its ops' coins and signs in order.
func (aa *autoAugment) sample(rng *rand.Rand) []appliedOp {
	sub := aa.policy[rng.IntN(len(aa.policy))]
	var out []appliedOp
	for _, op := range sub {
		if a, ok := op.sample(rng); ok {
			out = append(out, a)
		}
	}
	return out
}
