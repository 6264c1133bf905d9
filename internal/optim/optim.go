// Package optim holds the optimiser pieces GoMLX does not provide in the form the official
// code uses them: torch.optim.AdamW's update with per-parameter decoupled weight decay, the
// official decay rule, and clip_grad_norm_. [State] and [Scalars] name what one step reads
// and writes, so both trainers pack them the same way (see internal/trainstate).
package optim

import (
	"math"
	"strings"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive
)

// AdamW constants of torch.optim.AdamW's defaults.
const (
	Beta1 = 0.9
	Beta2 = 0.999
	Eps   = 1e-8
)

// Decayed reports whether the parameter name of the given shape is in a weight-decayed
// group: the official init_opt (jepa:app/vjepa/utils.py, and the probes' init_opt in
// evals/video_classification_frozen/eval.py) excludes every parameter whose name contains
// "bias" and every 1-D parameter.
func Decayed(name string, shape []int) bool {
	return !strings.Contains(name, "bias") && len(shape) != 1
}

// Step is one optimiser step of one parameter group: the gradients are clipped to the
// global norm sc.ClipNorm, then AdamW updates st. It returns the new state and the gradient
// norm before clipping.
func Step(st State[*Node], grads []*Node, decayed []bool, sc Scalars[*Node]) (State[*Node], *Node) {
	grads, norm := ClipByGlobalNorm(grads, sc.ClipNorm)
	return AdamW(st, grads, decayed, sc), norm
}

// AdamW is torch.optim.AdamW's single-tensor update: decoupled decay p·(1−lr·wd) for the
// decayed parameters, then Adam with bias corrections bc1 = 1−β1^t and bc2 = 1−β2^t (computed
// on the host in float64 and passed as scalars, see [StepScalars]). It returns the new
// parameters and moments.
func AdamW(st State[*Node], grads []*Node, decayed []bool, sc Scalars[*Node]) State[*Node] {
	stepSize := Div(sc.LR, sc.BC1)
	bc2Sqrt := Sqrt(sc.BC2)
	var out State[*Node]
	for i, p := range st.Params {
		g := grads[i]
		if decayed[i] {
			p = Mul(p, OneMinus(Mul(sc.LR, sc.WeightDecay)))
		}
		mi := Add(MulScalar(st.M[i], Beta1), MulScalar(g, 1-Beta1))
		vi := Add(MulScalar(st.V[i], Beta2), MulScalar(Square(g), 1-Beta2))
		denom := AddScalar(Div(Sqrt(vi), bc2Sqrt), Eps)
		p = Sub(p, Mul(stepSize, Div(mi, denom)))
		out.Params, out.M, out.V = append(out.Params, p), append(out.M, mi), append(out.V, vi)
	}
	return out
}

// StepScalars returns the scalars of optimiser step t (1-based) with learning rate lr,
// weight decay wd and gradient clipping norm clip.
func StepScalars(t int64, lr, wd, clip float64) Scalars[float64] {
	return Scalars[float64]{
		LR:          lr,
		WeightDecay: wd,
		BC1:         1 - math.Pow(Beta1, float64(t)),
		BC2:         1 - math.Pow(Beta2, float64(t)),
		ClipNorm:    clip,
	}
}

// ClipByGlobalNorm scales grads so their global L2 norm is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ (coef = maxNorm/(norm+1e-6), applied when < 1); maxNorm ≤ 0
// disables it. It returns the clipped gradients and the norm before clipping.
func ClipByGlobalNorm(grads []*Node, maxNorm *Node) ([]*Node, *Node) {
	var sq *Node
	for _, g := range grads {
		s := ReduceAllSum(Square(g))
		if sq == nil {
			sq = s
		} else {
			sq = Add(sq, s)
		}
	}
	norm := Sqrt(sq)
	coef := Div(maxNorm, AddScalar(norm, 1e-6))
	one := OnesLike(coef)
	apply := And(GreaterThan(maxNorm, ZerosLike(maxNorm)), LessThan(coef, one))
	coef = Where(apply, coef, one)
	out := make([]*Node, len(grads))
	for i, g := range grads {
		out[i] = Mul(g, coef)
	}
	return out, norm
}
